package dev.tollgate.security;

import dev.tollgate.platform.TollgateConfig;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.quarkus.vertx.http.runtime.security.FormAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Ties Quarkus' form login to a {@link ConsoleSessions} session: a sign-in starts one and sets its cookie, and a
 * login cookie presented later passes only with the cookie of a session still live for the same user. Otherwise
 * both cookies are dropped and the visitor is sent to the login page, as for an expired login.
 */
@ApplicationScoped
public class ConsoleSessionCheck implements SecurityIdentityAugmentor {

    @Inject
    TollgateConfig config;
    @Inject
    ConsoleSessions sessions;
    @ConfigProperty(name = "quarkus.http.auth.form.cookie-name", defaultValue = "quarkus-credential")
    String loginCookie;
    @ConfigProperty(name = "quarkus.http.auth.form.post-location", defaultValue = "/j_security_check")
    String postLocation;

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context) {
        return Uni.createFrom().item(identity); // Quarkus calls the variant with the request's attributes
    }

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context,
            Map<String, Object> attributes) {
        RoutingContext ctx = HttpSecurityUtils.getRoutingContextAttribute(attributes);
        if (config.auth().oidc() || identity.isAnonymous() || ctx == null
                || !(ctx.get(HttpAuthenticationMechanism.class.getName()) instanceof FormAuthenticationMechanism)) {
            return Uni.createFrom().item(identity); // Basic on the admin API, or Keycloak's sessions
        }
        String username = identity.getPrincipal().getName();
        Cookie presented = ctx.request().getCookie(ConsoleSessions.COOKIE);
        String token = presented == null ? null : presented.getValue();
        if (ctx.request().method() == HttpMethod.POST && ctx.normalizedPath().endsWith(postLocation)) {
            return context.runBlocking(() -> {
                ctx.response().addCookie(cookie(ConsoleSessions.COOKIE, sessions.start(username, token), ctx)
                        .setHttpOnly(true).setSameSite(CookieSameSite.STRICT));
                return identity;
            });
        }
        return context.runBlocking(() -> {
            if (sessions.inUse(token, username)) {
                return identity;
            }
            ctx.response().addCookie(cookie(loginCookie, "", ctx).setMaxAge(0));
            ctx.response().addCookie(cookie(ConsoleSessions.COOKIE, "", ctx).setMaxAge(0));
            throw new AuthenticationFailedException("console session logged out or expired");
        });
    }

    private static Cookie cookie(String name, String value, RoutingContext ctx) {
        return Cookie.cookie(name, value).setPath("/").setSecure(ctx.request().isSSL());
    }
}
