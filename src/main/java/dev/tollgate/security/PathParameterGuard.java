package dev.tollgate.security;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Refuses a path with parameters in a segment ({@code /api/admin;x=y/users}), which no Tollgate route has. Quarkus'
 * permissions and the REST routes read such a path without its parameters, but a plain route does not: the login
 * throttle, for one, would not see the password it carries, so guesses sent that way were never counted.
 */
@ApplicationScoped
public class PathParameterGuard {

    /** Ahead of the login throttle and of Quarkus' authentication; after the gateway's chat routes. */
    static final int ORDER = LoginThrottle.ORDER - 1;

    void install(@Observes Router router) {
        router.route().order(ORDER).handler(this::refuseSegmentParameters);
    }

    private void refuseSegmentParameters(RoutingContext ctx) {
        String path = ctx.request().path();
        if (path == null || path.indexOf(';') < 0) {
            ctx.next();
            return;
        }
        if (path.startsWith("/v1") || path.startsWith("/chat") || path.startsWith("/models")) { // OpenAI clients
            ctx.response().setStatusCode(404).putHeader(HttpHeaderNames.CONTENT_TYPE, "application/json")
                    .end("{\"error\":{\"message\":\"Invalid URL: Tollgate has no paths with ';' parameters.\","
                            + "\"type\":\"invalid_request_error\",\"param\":null,\"code\":null}}");
        } else if (path.startsWith("/api/")) {
            ctx.response().setStatusCode(404).putHeader(HttpHeaderNames.CONTENT_TYPE, "application/problem+json")
                    .end("{\"type\":\"about:blank\",\"title\":\"Not Found\",\"status\":404,"
                            + "\"detail\":\"Tollgate has no paths with ';' parameters.\"}");
        } else {
            ctx.response().setStatusCode(404).putHeader(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                    .end("Not found: Tollgate has no paths with ';' parameters.");
        }
    }
}
