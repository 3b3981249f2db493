package dev.tollgate.console;

import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * One-time messages after a redirect ("Tenant created"): set as a cookie on the redirect, shown once by
 * the next page ({@code {inject:flash.message}}), then cleared by {@link FlashFilter}.
 */
@Named("flash")
@RequestScoped
public class Flash {

    static final String COOKIE = "tollgate-flash";

    @Inject
    HttpServerRequest request;

    private String message;
    private boolean read;

    /** Marks a warning's cookie value; URL encoding never starts a value with it (it writes %21). */
    private static final String WARNING = "!";

    public static Response redirect(String path, String message) {
        return redirect(path, message, false);
    }

    /** A message that reports a problem, shown as a warning rather than as the success a plain one is read as. */
    public static Response warn(String path, String message) {
        return redirect(path, message, true);
    }

    private static Response redirect(String path, String message, boolean warning) {
        String value = (warning ? WARNING : "") + URLEncoder.encode(message, StandardCharsets.UTF_8);
        NewCookie cookie = new NewCookie.Builder(COOKIE).value(value)
                .path("/").httpOnly(true).sameSite(NewCookie.SameSite.STRICT).build();
        return Response.seeOther(URI.create(path)).cookie(cookie).build();
    }

    public boolean warning() {
        Cookie c = request.getCookie(COOKIE);
        return c != null && c.getValue().startsWith(WARNING);
    }

    public String message() {
        if (!read) {
            read = true;
            Cookie c = request.getCookie(COOKIE);
            try {
                message = c == null ? null : URLDecoder.decode(c.getValue().startsWith(WARNING)
                        ? c.getValue().substring(WARNING.length()) : c.getValue(), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                message = null; // not one this console set (edited, or another app's on this host): nothing to show
            }
        }
        return message;
    }

    boolean present() {
        return request.getCookie(COOKIE) != null;
    }
}
