package dev.tollgate.security;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tollgate.platform.Problem;
import dev.tollgate.platform.TollgateConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Local mode's guard against password guessing, which Keycloak has built in. Each password login (console form or
 * admin API Basic) counts against its client address when it arrives, and a successful one takes back only its
 * own count: failures stay until {@code tollgate.auth.login-lockout} after the address's latest failure. An address
 * at {@code tollgate.auth.login-failures-allowed} is refused. Counting on arrival also bounds guesses sent all at
 * once, before any has been checked. Counted per address (an IPv6 /64 being one), not per user, so that nobody can
 * lock an admin out by guessing at their name. Behind a reverse proxy, set Quarkus' proxy-address forwarding with
 * trusted proxies, or every client shares the proxy's address. The login form also refuses a post from another site
 * (Fetch Metadata), which would sign a victim's browser in to the attacker's account.
 */
@ApplicationScoped
public class LoginThrottle {

    private static final Logger LOG = Logger.getLogger(LoginThrottle.class);
    /**
     * Ahead of Quarkus' authentication (route orders -300 to -100), which checks the password; after the gateway's
     * chat routes (-1000), which end their calls, so that guards placed just before this one cost a chat call nothing.
     */
    static final int ORDER = -900;

    @Inject
    TollgateConfig config;
    @Inject
    ObjectMapper json;
    @ConfigProperty(name = "quarkus.http.auth.form.error-page")
    String errorPage;

    private Cache<String, AtomicInteger> attempts;

    void install(@Observes Router router) {
        if (config.auth().oidc()) {
            // Keycloak signs people in, but Quarkus' form login stays on and would check local users' passwords,
            // with nothing here to count them
            router.postWithRegex(".*/j_security_check").order(ORDER).handler(ctx -> ctx.response().setStatusCode(404)
                    .putHeader(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                    .end("Sign in through the console; this mode's logins come from Keycloak."));
            return;
        }
        attempts = Caffeine.newBuilder().maximumSize(100_000).expireAfterWrite(config.auth().loginLockout()).build();
        // Quarkus' form login takes a post to any path ending so, not only /j_security_check
        router.postWithRegex(".*/j_security_check").order(ORDER).handler(this::formLogin);
        router.route("/api/admin/*").order(ORDER).handler(this::basicLogin);
    }

    private void formLogin(RoutingContext ctx) {
        if (fromAnotherSite(ctx.request().getHeader("Sec-Fetch-Site"))) {
            ctx.response().setStatusCode(403).putHeader(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                    .end("A sign-in to Tollgate cannot be posted by another site.");
            return;
        }
        if (!isForm(ctx.request().getHeader(HttpHeaderNames.CONTENT_TYPE))) {
            // Quarkus' form login reads no other body, and failed with a 500 and a stack trace in the log
            ctx.response().setStatusCode(415).putHeader(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                    .end("Sign in with the login form: a form post (application/x-www-form-urlencoded).");
            return;
        }
        String address = address(ctx);
        if (!admit(address)) {
            ctx.response().setStatusCode(303).putHeader(HttpHeaderNames.LOCATION, "/login?error=locked").end();
            return;
        }
        // Quarkus answers a form login with a redirect: to the error page when the password was wrong
        ctx.addHeadersEndHandler(v -> {
            String location = ctx.response().headers().get(HttpHeaderNames.LOCATION);
            if (location == null && ctx.response().getStatusCode() == 200) {
                // a form without the name or the password (or with more fields than are read): Quarkus answers an
                // empty page; the browser should show the login form again, as for a wrong password
                ctx.response().setStatusCode(302).putHeader(HttpHeaderNames.LOCATION, errorPage);
            }
            if (location != null && !location.contains(errorPage)) {
                succeeded(address);
            } else {
                failed(address);
            }
        });
        ctx.next();
    }

    /** A browser's word (Fetch Metadata) that another site asked for this; tools that send no such header are not. */
    static boolean fromAnotherSite(String secFetchSite) {
        return secFetchSite != null && !secFetchSite.equals("same-origin") && !secFetchSite.equals("none");
    }

    private void basicLogin(RoutingContext ctx) {
        // every Authorization header: Quarkus takes the first Basic one of several
        if (ctx.request().headers().getAll(HttpHeaderNames.AUTHORIZATION).stream()
                .noneMatch(a -> a.regionMatches(true, 0, "Basic ", 0, 6))) {
            ctx.next();
            return;
        }
        String address = address(ctx);
        if (!admit(address)) {
            Problem problem = new Problem("about:blank", "Too Many Requests", 429, "Too many failed logins from "
                    + "this address; try again in " + config.auth().loginLockout().toMinutes() + " minutes.",
                    ctx.request().path(), null);
            try {
                ctx.response().setStatusCode(429).putHeader(HttpHeaderNames.CONTENT_TYPE, Problem.MEDIA_TYPE.toString())
                        .putHeader(HttpHeaderNames.RETRY_AFTER, String.valueOf(config.auth().loginLockout().toSeconds()))
                        .end(json.writeValueAsString(problem));
            } catch (JsonProcessingException e) {
                ctx.fail(e);
            }
            return;
        }
        ctx.addHeadersEndHandler(v -> {
            if (ctx.response().getStatusCode() != 401) { // a 403 too: the password was right
                succeeded(address);
            } else {
                failed(address);
            }
        });
        ctx.next();
    }

    private static boolean isForm(String contentType) {
        return contentType != null && (contentType.regionMatches(true, 0, "application/x-www-form-urlencoded", 0, 33)
                || contentType.regionMatches(true, 0, "multipart/form-data", 0, 19));
    }

    /** Counts the attempt, unless the address is at its limit. */
    private boolean admit(String address) {
        AtomicInteger counted = attempts.get(address, a -> new AtomicInteger());
        int limit = config.auth().loginFailuresAllowed();
        int before;
        do { // event loops admit at once: the check and the count are one step
            before = counted.get();
            if (before >= limit) {
                return false;
            }
        } while (!counted.compareAndSet(before, before + 1));
        if (before + 1 == limit) {
            LOG.warnf("%d failed logins from %s: its logins are refused for %s from its last failure",
                    counted.get(), address, config.auth().loginLockout());
        }
        return true;
    }

    /** A wrong password: its count stays, and the address's failures last the lockout from this one on. */
    private void failed(String address) {
        AtomicInteger counted = attempts.getIfPresent(address);
        if (counted != null) {
            attempts.put(address, counted); // a write: what expires the entry counts from the latest failure
        }
    }

    /** The attempt's password was right: it takes back its own count, and nobody else's failures. */
    private void succeeded(String address) {
        AtomicInteger counted = attempts.getIfPresent(address);
        if (counted != null) {
            counted.updateAndGet(n -> Math.max(0, n - 1));
        }
    }

    /** The client's address; IPv6 by its /64, since one host holds a whole /64 to pick addresses from. */
    private static String address(RoutingContext ctx) {
        String host = ctx.request().remoteAddress() == null ? null : ctx.request().remoteAddress().hostAddress();
        if (host == null || !host.contains(":")) {
            return String.valueOf(host);
        }
        try {
            InetAddress ip = InetAddress.getByName(host); // a literal: no lookup
            if (ip instanceof Inet6Address) {
                byte[] prefix = Arrays.copyOf(ip.getAddress(), 16);
                Arrays.fill(prefix, 8, 16, (byte) 0);
                return InetAddress.getByAddress(prefix).getHostAddress() + "/64";
            }
        } catch (UnknownHostException e) {
            // not a literal after all: keep it whole
        }
        return host;
    }
}
