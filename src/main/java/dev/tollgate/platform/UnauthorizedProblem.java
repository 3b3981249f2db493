package dev.tollgate.platform;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.vertx.http.runtime.security.HttpSecurityRecorder.DefaultAuthFailureHandler;
import io.quarkus.vertx.http.runtime.security.QuarkusHttpUser;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.function.BiConsumer;

/**
 * Gives the admin API's 401 a problem-details body, like its other errors. Quarkus answers a missing or wrong
 * credential itself, before any REST code runs, with an empty body. This route runs between Quarkus'
 * authentication (which puts its failure handler on the request) and its authorization: a call without
 * credentials is answered here, and a wrong credential's failure is sent here. That needs lazy authentication
 * ({@code quarkus.http.auth.proactive=false}): a proactive one fails before this route runs.
 */
@ApplicationScoped
public class UnauthorizedProblem {

    /**
     * Between Quarkus' authentication handler (priority 200, route order -200) and its authorization (priority 100,
     * order -100); Quarkus orders its security handlers by minus their priority.
     */
    static final int ORDER = -150;

    @Inject
    TollgateConfig config;
    @Inject
    ObjectMapper json;

    void install(@Observes Router router) {
        router.route("/api/admin/*").order(ORDER).handler(this::guard);
    }

    private void guard(RoutingContext ctx) {
        String scheme = config.auth().oidc() ? "Bearer " : "Basic ";
        if (ctx.request().headers().getAll(HttpHeaderNames.AUTHORIZATION).stream()
                .noneMatch(a -> a.regionMatches(true, 0, scheme, 0, scheme.length())
                        && !a.substring(scheme.length()).isBlank())) {
            unauthorized(ctx); // every admin API path needs a login: no credential of this mode's kind, no call
            return;
        }
        BiConsumer<RoutingContext, Throwable> quarkus = ctx.get(QuarkusHttpUser.AUTH_FAILURE_HANDLER);
        ctx.put(QuarkusHttpUser.AUTH_FAILURE_HANDLER, (BiConsumer<RoutingContext, Throwable>) (event, failure) -> {
            if (DefaultAuthFailureHandler.extractRootCause(failure) instanceof AuthenticationFailedException) {
                unauthorized(event);
            } else if (quarkus != null) {
                quarkus.accept(event, failure); // anything else (the user store down, say) as Quarkus has it
            } else {
                event.fail(failure);
            }
        });
        ctx.next();
    }

    /**
     * The challenge names the scheme the API takes (Quarkus' own would be none without credentials, the console's
     * redirect to its login page at worst), and the body says what to send.
     */
    private void unauthorized(RoutingContext ctx) {
        if (ctx.response().ended()) {
            return;
        }
        boolean oidc = config.auth().oidc();
        String detail = oidc ? "Send a Keycloak access token issued for this client: Authorization: Bearer <token>."
                : "Send the user name and password of a Tollgate user with HTTP Basic authentication.";
        try {
            ctx.response().setStatusCode(401)
                    .putHeader(HttpHeaderNames.WWW_AUTHENTICATE, oidc ? "Bearer" : "Basic realm=\"Tollgate\", charset=\"UTF-8\"")
                    .putHeader(HttpHeaderNames.CONTENT_TYPE, Problem.MEDIA_TYPE.toString())
                    .end(json.writeValueAsString(new Problem("about:blank", "Unauthorized", 401,
                            "Missing or invalid credentials. " + detail, ctx.request().path(), null)));
        } catch (JsonProcessingException e) {
            ctx.fail(e);
        }
    }
}
