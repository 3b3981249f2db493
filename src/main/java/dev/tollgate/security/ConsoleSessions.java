package dev.tollgate.security;

import dev.tollgate.platform.EmbeddedDatabase;
import dev.tollgate.platform.Sha256;
import dev.tollgate.platform.TollgateConfig;
import dev.tollgate.platform.TollgateMain;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.security.AuthenticationFailedException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Local-mode console sessions the server can end. Quarkus' login cookie is encrypted state with nothing kept
 * server-side, so a copy of it outlives a logout; a sign-in therefore also gets a random session cookie, and the
 * login cookie counts only alongside a live one (see {@link ConsoleSessionCheck}).
 */
@ApplicationScoped
public class ConsoleSessions {

    public static final String COOKIE = "tollgate-session";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Logger LOG = Logger.getLogger(ConsoleSessions.class);

    @Inject
    TollgateConfig config;
    /** The login cookie's key: TOLLGATE_SESSION_KEY, or one made at this start (TollgateMain). */
    @ConfigProperty(name = "quarkus.http.auth.session.encryption-key")
    Optional<String> cookieKey;

    /** The login cookie's idle timeout: a session unused that long is over either way. */
    @ConfigProperty(name = "quarkus.http.auth.form.timeout")
    Duration idleTimeout;
    /** How often the login cookie is renewed while in use; a session's last use is written as often. */
    @ConfigProperty(name = "quarkus.http.auth.form.new-cookie-interval")
    Duration renewEvery;

    /**
     * A key made at start signs everyone out at each restart, and no other replica can read its cookies. Fine for a
     * trial on the embedded database; with an external one, which is how replicas share their state, say so.
     */
    void warnOfAKeyMadeAtStart(@Observes StartupEvent event) {
        String madeAtStart = System.getProperty(TollgateMain.SESSION_KEY_MADE_AT_START);
        if (!config.auth().oidc() && !EmbeddedDatabase.started() && madeAtStart != null
                && cookieKey.filter(madeAtStart::equals).isPresent()) {
            LOG.warn("TOLLGATE_SESSION_KEY is not set: console logins are encrypted with a key made at this start, so"
                    + " they end at every restart and other replicas cannot read them. Set it to 32 or more random"
                    + " characters, the same on every replica.");
        }
    }

    /** Starts a session for the user who just signed in; returns the token for their cookie. */
    @Transactional
    public String start(String username, String replacedToken) {
        Instant now = Instant.now();
        end(replacedToken);
        ConsoleSession.delete("lastSeenAt < ?1", staleBefore(now)); // sessions nobody logged out of
        byte[] random = new byte[32];
        RANDOM.nextBytes(random);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        ConsoleSession s = new ConsoleSession();
        s.tokenHash = Sha256.hex(token);
        // deleted since its password was checked: a failed login, not an error
        s.userId = LocalUser.findByUsername(username).orElseThrow(AuthenticationFailedException::new).id;
        s.createdAt = now;
        s.lastSeenAt = now;
        s.persist();
        return token;
    }

    /** True when the token is a live session of this user; notes the use. */
    @Transactional
    public boolean inUse(String token, String username) {
        if (token == null) {
            return false;
        }
        Instant now = Instant.now();
        ConsoleSession s = ConsoleSession.<ConsoleSession>find(
                "tokenHash = ?1 and lastSeenAt >= ?2 and userId = (select u.id from LocalUser u where u.username = ?3)",
                Sha256.hex(token), staleBefore(now), username).firstResult();
        if (s == null) {
            return false;
        }
        if (s.lastSeenAt.isBefore(now.minus(renewEvery))) {
            // a statement, not a change to the loaded row: a logout deleting the row meanwhile is then no conflict
            ConsoleSession.update("lastSeenAt = ?1 where tokenHash = ?2", now, s.tokenHash);
        }
        return true;
    }

    @Transactional
    public void end(String token) {
        if (token != null) {
            ConsoleSession.deleteById(Sha256.hex(token));
        }
    }

    /** Last uses are written up to one renewal late, so a session is stale only past both. */
    private Instant staleBefore(Instant now) {
        return now.minus(idleTimeout).minus(renewEvery);
    }
}
