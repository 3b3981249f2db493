package dev.tollgate.console;

import io.vertx.core.http.Cookie;
import io.vertx.ext.web.RoutingContext;
import java.util.Base64;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * The CSRF check refuses a request whose token cookie is not of the size it issues (32 bytes signed, token-size
 * bytes unsigned) before it looks at anything else, a page view included. A browser that used the console
 * before token cookies were signed holds an unsigned one, renewed by every page it saw and kept as long as a
 * login: every page, the login page too, was a bare 400 for hours. Such a cookie is dropped from the request
 * before the check, so a page view gets a new token and cookie; a form post without a valid cookie is still refused.
 */
public class StaleTokenCookieFilter {

    @ConfigProperty(name = "quarkus.rest-csrf.cookie-name", defaultValue = "csrf-token")
    String cookieName;
    @ConfigProperty(name = "quarkus.rest-csrf.token-signature-key")
    Optional<String> signatureKey;
    @ConfigProperty(name = "quarkus.rest-csrf.token-size", defaultValue = "16")
    int tokenSize;

    @ServerRequestFilter(preMatching = true)
    public void dropTokenCookieOfAnotherSize(RoutingContext routing) {
        Cookie cookie = routing.request().getCookie(cookieName);
        if (cookie != null && decodedLength(cookie.getValue()) != (signatureKey.isPresent() ? 32 : tokenSize)) {
            routing.response().removeCookie(cookieName, false); // from this request's cookies; the browser's is replaced
        }
    }

    private static int decodedLength(String value) {
        try {
            return Base64.getUrlDecoder().decode(value).length;
        } catch (IllegalArgumentException e) {
            return -1;
        }
    }
}
