package dev.tollgate.apikey;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tollgate.gateway.OpenAiException;
import dev.tollgate.platform.TollgateConfig;
import dev.tollgate.tenant.TenantStatus;
import dev.tollgate.tenant.TenantStatusChanged;
import io.agroal.api.AgroalDataSource;
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
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The gateway's key check. Keys are looked up once and then served from memory; expiry is compared
 * with the clock on every call, and a change made through this instance (revoke, rotate, tenant
 * suspension) evicts the cached entry as soon as it commits. Other instances catch up within the cache TTL.
 */
@ApplicationScoped
public class ApiKeyAuthenticator {

    private static final String LOOKUP = """
            select k.id, k.tenant_id, t.slug, t.status, k.secret_sha256, k.expires_at, k.revoked_at, k.allowed_models
            from api_key k join tenant t on t.id = k.tenant_id where k.public_id = ?""";

    /** What the cache holds per public id: the row as loaded, checked against the clock at each use. */
    record KeyRecord(long keyId, long tenantId, String tenantSlug, TenantStatus tenantStatus, byte[] secretSha256,
            Instant expiresAt, Instant revokedAt, List<String> allowedModels) {
    }

    private final Cache<String, Optional<KeyRecord>> cache;

    @Inject
    AgroalDataSource dataSource;
    @Inject
    KeyUsageTracker usage;

    @Inject
    ApiKeyAuthenticator(TollgateConfig config) {
        cache = Caffeine.newBuilder().maximumSize(200_000).expireAfterWrite(config.keys().cacheTtl()).build();
    }

    /** Reads the key from {@code Authorization: Bearer} or {@code x-api-key}; any failure is the same 401. */
    public AuthenticatedKey authenticate(String authorization, String xApiKey) {
        KeyFormat.Parsed parsed = parse(authorization, xApiKey);
        return check(parsed, cache.get(parsed.publicId(), this::load));
    }

    /**
     * The same check for the event loop: answered from memory when the key is cached, otherwise the
     * database lookup runs on a worker thread.
     */
    public Future<AuthenticatedKey> authenticate(Vertx vertx, String authorization, String xApiKey) {
        try {
            KeyFormat.Parsed parsed = parse(authorization, xApiKey);
            Optional<KeyRecord> cached = cache.getIfPresent(parsed.publicId());
            if (cached != null) {
                return Future.succeededFuture(check(parsed, cached));
            }
            return vertx.executeBlocking(() -> check(parsed, cache.get(parsed.publicId(), this::load)), false);
        } catch (OpenAiException e) {
            return Future.failedFuture(e);
        }
    }

    private static KeyFormat.Parsed parse(String authorization, String xApiKey) {
        String presented = xApiKey;
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            presented = authorization.substring(7).trim();
        }
        return KeyFormat.parse(presented).orElseThrow(OpenAiException::invalidApiKey);
    }

    private AuthenticatedKey check(KeyFormat.Parsed parsed, Optional<KeyRecord> found) {
        KeyRecord key = found.orElseThrow(OpenAiException::invalidApiKey);
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
        cache.invalidate(event.publicId());
    }

    void onTenantStatusChanged(@Observes(during = TransactionPhase.AFTER_SUCCESS) TenantStatusChanged event) {
        cache.asMap().values().removeIf(k -> k.isPresent() && k.get().tenantId() == event.tenantId());
    }

    private Optional<KeyRecord> load(String publicId) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(LOOKUP)) {
            ps.setString(1, publicId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                Array models = rs.getArray(8);
                return Optional.of(new KeyRecord(rs.getLong(1), rs.getLong(2), rs.getString(3),
                        TenantStatus.valueOf(rs.getString(4)), rs.getBytes(5), instant(rs.getTimestamp(6)),
                        instant(rs.getTimestamp(7)),
                        models == null ? null : List.copyOf(Arrays.asList((String[]) models.getArray()))));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("API key lookup failed", e);
        }
    }

    private static Instant instant(Timestamp ts) {
        return ts == null ? null : ts.toInstant();
    }
}
