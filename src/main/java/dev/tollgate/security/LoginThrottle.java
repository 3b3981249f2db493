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
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * Local mode's guard against password guessing, which Keycloak has built in: a client address that fails
 * {@code tollgate.auth.login-failures-allowed} logins in a row (console form or admin API Basic) is refused for
 * {@code tollgate.auth.login-lockout} after its last failure. Counted per address, not per user, so that nobody can
 * lock an admin out by guessing at their name. Behind a reverse proxy, set Quarkus' proxy-address forwarding, or
 * every client shares the proxy's address. The console's login form also refuses a post from another site
 * (Fetch Metadata), which would sign a victim's browser in to the attacker's account.
 */
@ApplicationScoped
public class LoginThrottle {

    private static final Logger LOG = Logger.getLogger(LoginThrottle.class);
    /** Ahead of Quarkus' authentication (route orders -300 to -100), which checks the password. */
    static final int ORDER = -1000;

    @Inject
    TollgateConfig config;
    @Inject
    ObjectMapper json;

    private Cache<String, AtomicInteger> failures;

    void install(@Observes Router router) {
        if (config.auth().oidc()) {
            return;
        }
        failures = Caffeine.newBuilder().maximumSize(100_000).expireAfterWrite(config.auth().loginLockout()).build();
        router.post("/j_security_check").order(ORDER).handler(this::formLogin);
        router.route("/api/admin/*").order(ORDER).handler(this::basicLogin);
    }

    private void formLogin(RoutingContext ctx) {
        String site = ctx.request().getHeader("Sec-Fetch-Site");
        if (site != null && !site.equals("same-origin") && !site.equals("none")) {
            ctx.response().setStatusCode(403).putHeader(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                    .end("A sign-in to Tollgate cannot be posted by another site.");
            return;
        }
        String address = address(ctx);
        if (refused(address)) {
            ctx.response().setStatusCode(303).putHeader(HttpHeaderNames.LOCATION, "/login?error=locked").end();
            return;
        }
        // Quarkus answers a form login with a redirect: to the error page when the password was wrong
        ctx.addHeadersEndHandler(v -> {
            String location = ctx.response().headers().get(HttpHeaderNames.LOCATION);
            if (location != null) {
                outcome(address, !location.contains("error="));
            }
        });
        ctx.next();
    }

    private void basicLogin(RoutingContext ctx) {
        String authorization = ctx.request().getHeader(HttpHeaderNames.AUTHORIZATION);
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            ctx.next();
            return;
        }
        String address = address(ctx);
        if (refused(address)) {
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
        ctx.addHeadersEndHandler(v -> outcome(address, ctx.response().getStatusCode() != 401));
        ctx.next();
    }

    private boolean refused(String address) {
        AtomicInteger failed = failures.getIfPresent(address);
        return failed != null && failed.get() >= config.auth().loginFailuresAllowed();
    }

    private void outcome(String address, boolean succeeded) {
        if (succeeded) {
            failures.invalidate(address);
            return;
        }
        AtomicInteger failed = failures.asMap().computeIfAbsent(address, a -> new AtomicInteger());
        failures.put(address, failed); // a write: the lockout counts from the last failure
        if (failed.incrementAndGet() == config.auth().loginFailuresAllowed()) {
            LOG.warnf("%d failed logins in a row from %s: its logins are refused for %s", failed.get(), address,
                    config.auth().loginLockout());
        }
    }

    private static String address(RoutingContext ctx) {
        return ctx.request().remoteAddress() == null ? "unknown" : ctx.request().remoteAddress().hostAddress();
    }
}
