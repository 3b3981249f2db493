package dev.tollgate.security;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.URI;
import java.util.Locale;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Where a sign-in returns to. Quarkus' form login sends the browser back, with a GET, to the address that asked for
 * a login. When that was a console form's post (the session ran out while the form was open, or "Log out" was
 * pressed after it had), the GET found no page there: "not a console request". A post's way back is the page its
 * form was on instead, its {@code Referer} when on this site, else the console's landing page.
 */
@ApplicationScoped
public class ReturnAfterLogin {

    /** Ahead of Quarkus' authentication (route orders -300 to -100), whose challenge stores the way back. */
    static final int ORDER = LoginThrottle.ORDER;

    @ConfigProperty(name = "quarkus.http.auth.form.location-cookie", defaultValue = "quarkus-redirect-location")
    String locationCookie;
    @ConfigProperty(name = "quarkus.http.auth.form.login-page")
    String loginPage;
    @ConfigProperty(name = "quarkus.http.auth.form.landing-page")
    String landingPage;
    @ConfigProperty(name = "quarkus.http.auth.form.cookie-path", defaultValue = "/")
    String cookiePath;
    @ConfigProperty(name = "quarkus.http.auth.form.cookie-same-site", defaultValue = "strict")
    String cookieSameSite;

    void install(@Observes Router router) {
        router.route("/console/*").order(ORDER).handler(ctx -> {
            HttpMethod method = ctx.request().method();
            if (method != HttpMethod.GET && method != HttpMethod.HEAD) {
                ctx.addHeadersEndHandler(v -> returnToTheFormsPage(ctx));
            }
            ctx.next();
        });
    }

    private void returnToTheFormsPage(RoutingContext ctx) {
        String location = ctx.response().headers().get(HttpHeaderNames.LOCATION);
        if (ctx.response().getStatusCode() != 302 || location == null || !location.endsWith(loginPage)) {
            return; // not the login challenge
        }
        String site = ctx.request().scheme() + "://" + ctx.request().authority();
        String page = formsPage(ctx.request().getHeader(HttpHeaderNames.REFERER), site);
        // the challenge's cookie as Quarkus makes it, with another address: same name and path, so this one replaces it
        ctx.response().addCookie(Cookie.cookie(locationCookie, page).setPath(cookiePath)
                .setSameSite(CookieSameSite.valueOf(cookieSameSite.toUpperCase(Locale.ROOT)))
                .setSecure(ctx.request().isSSL()));
    }

    private String formsPage(String referer, String site) {
        if (referer != null) {
            try {
                URI uri = URI.create(referer);
                if (site.equalsIgnoreCase(uri.getScheme() + "://" + uri.getRawAuthority()) && uri.getRawPath() != null
                        && uri.getRawPath().startsWith("/console")) {
                    return referer;
                }
            } catch (IllegalArgumentException e) {
                // not an address: the landing page
            }
        }
        return site + landingPage;
    }
}
