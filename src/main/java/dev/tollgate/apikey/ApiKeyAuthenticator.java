package dev.tollgate.apikey;

import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.CacheLoader;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.tollgate.gateway.OpenAiException;
import dev.tollgate.platform.DataChangeFeed;
import dev.tollgate.platform.DataChanged;
import dev.tollgate.platform.TollgateConfig;
import dev.tollgate.tenant.TenantStatus;
import dev.tollgate.tenant.TenantStatusChanged;
import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.inject.Inject;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.context.ManagedExecutor;
import org.jboss.logging.Logger;

/**
 * The gateway's key check. Keys are looked up once and then served from memory; expiry is compared
 * with the clock on every call, and a change made through this instance (revoke, rotate, tenant
 * suspension) evicts the cached entry as soon as it commits, in every instance listening to the database's
 * change feed ({@link DataChangeFeed}). Without the feed, other instances catch up within the cache TTL: a call
 * that finds its entry older than that waits for it to be read again. If the database cannot be
 * reached, a key read before keeps its last known state for the outage grace, like the ledger's spool keeps
 * calls flowing; a key never seen gets a 503.
 */
@ApplicationScoped
public class ApiKeyAuthenticator {

    private static final Logger LOG = Logger.getLogger(ApiKeyAuthenticator.class);

    private static final String LOOKUP = """
            select k.id, k.tenant_id, t.slug, t.status, k.secret_sha256, k.expires_at, k.revoked_at, k.allowed_models
            from api_key k join tenant t on t.id = k.tenant_id where k.public_id = ?""";

    /** What the cache holds per public id: the row as loaded, checked against the clock at each use. */
    record KeyRecord(long keyId, long tenantId, String tenantSlug, TenantStatus tenantStatus, byte[] secretSha256,
            Instant expiresAt, Instant revokedAt, List<String> allowedModels) {
    }

    /**
     * A key as last read from the database (empty: no such key), when it was read, and when the database was
     * last asked: during an outage the state read before is kept, and asked about again one TTL later.
     */
    record Lookup(Optional<KeyRecord> key, Instant readAt, Instant checkedAt) {
        Lookup checked(Instant at) {
            return new Lookup(key, readAt, at);
        }

        /** The same state, to be read again at its next use (and kept while the database cannot answer). */
        Lookup stale() {
            return checked(Instant.EPOCH);
        }

        boolean ofTenant(long tenantId) {
            return key.isPresent() && key.get().tenantId() == tenantId;
        }
    }

    /** How long a call waits for a key read before a database that hangs, rather than refuses, counts as down. */
    private static final Duration LOOKUP_WAIT = Duration.ofSeconds(3);
    private static final Lookup NO_ANSWER = new Lookup(Optional.empty(), Instant.EPOCH, Instant.EPOCH);

    private final AsyncLoadingCache<String, Lookup> cache;
    private final Duration ttl;
    private final Duration outageGrace;
    private final Counter lookupFailures;

    @Inject
    AgroalDataSource dataSource;
    @Inject
    KeyUsageTracker usage;

    @Inject
    ApiKeyAuthenticator(TollgateConfig config, ManagedExecutor executor, MeterRegistry registry) {
        this(config.keys().cacheTtl(), config.keys().outageGrace(), executor, registry);
    }

    ApiKeyAuthenticator(Duration ttl, Duration outageGrace, Executor executor, MeterRegistry registry) {
        this.ttl = ttl;
        this.outageGrace = outageGrace;
        lookupFailures = Counter.builder("tollgate.keys.lookup.failures")
                .description("API key reads that failed in the database or did not answer in time").register(registry);
        // Loads run on worker threads; concurrent calls with the same key wait for one read, not one each.
        // Unknown ids go after a TTL, so random ones cannot crowd real keys out for the whole grace.
        cache = Caffeine.newBuilder().maximumSize(200_000).executor(executor)
                .expireAfter(Expiry.writing((String id, Lookup l) -> l.key().isPresent() ? ttl.plus(outageGrace) : ttl))
                .buildAsync(new CacheLoader<String, Lookup>() {
                    @Override
                    public Lookup load(String publicId) {
                        return read(publicId, null);
                    }

                    @Override
                    public Lookup reload(String publicId, Lookup previous) {
                        return read(publicId, previous);
                    }
                });
    }

    /** Reads the key from {@code Authorization: Bearer} or {@code x-api-key}; any failure is the same 401. */
    public AuthenticatedKey authenticate(String authorization, String xApiKey) {
        KeyFormat.Parsed parsed = parse(authorization, xApiKey);
        return check(parsed, lookup(parsed.publicId()).join());
    }

    /**
     * The same check for the event loop: answered from memory while the cached entry is younger than the TTL,
     * otherwise once the database has been read on a worker thread, back on the caller's event loop.
     */
    public Future<AuthenticatedKey> authenticate(Vertx vertx, String authorization, String xApiKey) {
        try {
            KeyFormat.Parsed parsed = parse(authorization, xApiKey);
            CompletableFuture<Lookup> found = lookup(parsed.publicId());
            if (found.isDone() && !found.isCompletedExceptionally()) {
                return Future.succeededFuture(check(parsed, found.getNow(null)));
            }
            return Future.fromCompletionStage(found, vertx.getOrCreateContext()).map(l -> check(parsed, l));
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
    }

    CompletableFuture<Lookup> lookup(String publicId) {
        CompletableFuture<Lookup> cached = cache.getIfPresent(publicId);
        Lookup known = cached != null && cached.isDone() && !cached.isCompletedExceptionally()
                ? cached.getNow(null) : null;
        if (known != null && known.checkedAt().plus(ttl).isAfter(Instant.now())) {
            return cached;
        }
        // Calls that find the entry old, or missing, meanwhile share one read.
        CompletableFuture<Lookup> reading = known != null ? cache.synchronous().refresh(publicId)
                : cached != null && !cached.isDone() ? cached : cache.get(publicId);
        return reading.copy().completeOnTimeout(NO_ANSWER, LOOKUP_WAIT.toMillis(), TimeUnit.MILLISECONDS)
                .thenApply(read -> read == NO_ANSWER ? lastKnown(known) : read);
    }

    /**
     * The database did not answer in time: this call goes on with the key's state read before while within the
     * grace, else it is a 503. The cache is left alone, so the read still under way lands when it comes.
     */
    private Lookup lastKnown(Lookup known) {
        lookupFailures.increment();
        boolean keep = known != null && withinGrace(known, Instant.now());
        LOG.debugf("API key lookup took over %s (%s)", LOOKUP_WAIT, keep ? "last known state used" : "answering 503");
        return keep ? known : null;
    }

    private boolean withinGrace(Lookup lookup, Instant now) {
        return lookup.readAt().plus(ttl).plus(outageGrace).isAfter(now);
    }

    private static KeyFormat.Parsed parse(String authorization, String xApiKey) {
        String presented = xApiKey;
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            presented = authorization.substring(7).trim();
        }
        return KeyFormat.parse(presented).orElseThrow(OpenAiException::invalidApiKey);
    }

    private AuthenticatedKey check(KeyFormat.Parsed parsed, Lookup found) {
        if (found == null) {
            throw new OpenAiException(503, "api_error", "key_check_unavailable", null,
                    "Tollgate cannot check API keys right now (its database is unreachable). Retry shortly.");
        }
        KeyRecord key = found.key().orElseThrow(OpenAiException::invalidApiKey);
        Instant now = Instant.now();
        boolean usable = key.tenantStatus() == TenantStatus.ACTIVE
                && (key.revokedAt() == null || key.revokedAt().isAfter(now))
                && (key.expiresAt() == null || key.expiresAt().isAfter(now));
        if (!usable || !KeyFormat.matches(parsed.secret(), key.secretSha256())) {
            throw OpenAiException.invalidApiKey();
        }
        usage.markUsed(key.keyId(), now);
        return new AuthenticatedKey(key.keyId(), parsed.publicId(), key.tenantId(), key.tenantSlug(),
                key.allowedModels());
    }

    void onKeyChanged(@Observes(during = TransactionPhase.AFTER_SUCCESS) KeyChanged event) {
        cache.synchronous().invalidate(event.publicId());
    }

    void onTenantStatusChanged(@Observes(during = TransactionPhase.AFTER_SUCCESS) TenantStatusChanged event) {
        forgetTenant(event.tenantId());
    }

    /** A key or tenant changed in the database, perhaps through another instance. */
    void onDataChanged(@Observes DataChanged change) {
        if (change.concerns("api_key")) {
            if (change.row() == null) { // the feed was down, or the table was emptied
                readAllAgain();
                return;
            }
            cache.synchronous().invalidate(change.row());
        }
        if (change.concerns("tenant") && change.row() != null && change.row().chars().allMatch(Character::isDigit)) {
            forgetTenant(Long.parseLong(change.row()));
        }
    }

    /**
     * Drops the tenant's keys, and every read still under way: one may have read the tenant before the change
     * committed, and would otherwise land afterwards and stay for a TTL.
     */
    private void forgetTenant(long tenantId) {
        cache.asMap().values().removeIf(f -> !f.isDone() || f.isCompletedExceptionally() || f.join() == null
                || f.join().ofTenant(tenantId));
    }

    /**
     * Every key is read again at its next use. Not dropped: a feed that comes back with the database may meet
     * it still failing, and keys read before keep their last known state for the outage grace.
     */
    private void readAllAgain() {
        for (String publicId : cache.asMap().keySet()) {
            cache.asMap().computeIfPresent(publicId, (id, f) -> !f.isDone() || f.isCompletedExceptionally()
                    || f.join() == null ? null : CompletableFuture.completedFuture(f.join().stale()));
        }
    }

    /**
     * Reads the key. If the database cannot be reached, the previous read stands until the outage grace is
     * over; null (no entry, a 503 for the caller) when there is none. Failures are not cached: the next call
     * tries again, and the client's SDK retries a 503 by itself.
     */
    private Lookup read(String publicId, Lookup previous) {
        Instant now = Instant.now();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(LOOKUP)) {
            ps.setQueryTimeout((int) LOOKUP_WAIT.toSeconds()); // a slow database fails here, and the state is kept
            ps.setString(1, publicId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return new Lookup(Optional.empty(), now, now);
                }
                Array models = rs.getArray(8);
                return new Lookup(Optional.of(new KeyRecord(rs.getLong(1), rs.getLong(2), rs.getString(3),
                        TenantStatus.valueOf(rs.getString(4)), rs.getBytes(5), instant(rs.getTimestamp(6)),
                        instant(rs.getTimestamp(7)),
                        models == null ? null : List.copyOf(Arrays.asList((String[]) models.getArray())))), now, now);
            }
        } catch (SQLException e) {
            lookupFailures.increment();
            boolean keep = previous != null && withinGrace(previous, now);
            LOG.warnf("API key lookup failed (%s): %s", keep ? "last known state kept" : "answering 503",
                    e.getMessage());
            return keep ? previous.checked(now) : null;
        }
    }

    private static Instant instant(Timestamp ts) {
        return ts == null ? null : ts.toInstant();
    }
}
