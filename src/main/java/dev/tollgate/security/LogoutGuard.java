package dev.tollgate.security;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * With Keycloak, quarkus-oidc ends the session at the logout path on any method, before the console's CSRF-checked
 * form is reached, and its session cookie is SameSite=Lax: a link or script on another site could sign an admin out
 * of the console and of Keycloak, losing whatever form they had open. A logout asked for by another site is refused
 * (Fetch Metadata), as a login is.
 */
@ApplicationScoped
public class LogoutGuard {

    void install(@Observes Router router) {
        router.route("/console/logout").order(LoginThrottle.ORDER).handler(ctx -> {
            if (LoginThrottle.fromAnotherSite(ctx.request().getHeader("Sec-Fetch-Site"))) {
                ctx.response().setStatusCode(403).putHeader(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                        .end("A logout from Tollgate cannot be asked for by another site. Use the console's Log out.");
                return;
            }
            ctx.next();
        });
    }
}
