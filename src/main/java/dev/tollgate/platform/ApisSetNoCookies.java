package dev.tollgate.platform;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The gateway's and the admin API's answers set no cookies, as an API's should. Quarkus' CSRF filter gives every
 * GET, HEAD and OPTIONS of a REST resource the console's token cookie, GET /v1/models and GET /api/admin/tenants
 * included, and can be narrowed only to a list of exact paths, not to the console's. So the cookie is taken off
 * the APIs' answers just before their headers go out (Vert.x writes a response's cookies after its headers-end
 * handlers). The chat route is POST only and never passes that filter.
 */
@ApplicationScoped
public class ApisSetNoCookies {

    /** Ahead of every route that answers these paths, the gateway's included. */
    private static final int ORDER = -2000;

    @ConfigProperty(name = "quarkus.rest-csrf.cookie-name")
    String csrfCookie;

    void install(@Observes Router router) {
        for (String path : List.of("/v1/*", "/models", "/models/*", "/api/admin/*")) {
            // the methods that filter treats as safe, and so gives a new token; the chat route's POST is not one
            router.route(path).method(HttpMethod.GET).method(HttpMethod.HEAD).method(HttpMethod.OPTIONS)
                    .order(ORDER).handler(this::handle);
        }
    }

    private void handle(RoutingContext ctx) {
        ctx.addHeadersEndHandler(v -> ctx.response().removeCookies(csrfCookie, false));
        ctx.next();
    }
}
