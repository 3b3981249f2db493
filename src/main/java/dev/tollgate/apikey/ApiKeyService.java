package dev.tollgate.apikey;

import dev.tollgate.audit.AuditLog;
import dev.tollgate.catalog.ModelCatalog;
import dev.tollgate.platform.Inputs;
import dev.tollgate.platform.InvalidInputException;
import dev.tollgate.platform.TollgateConfig;
import dev.tollgate.platform.TransactionLock;
import dev.tollgate.security.Caller;
import dev.tollgate.security.Roles;
import dev.tollgate.tenant.Tenant;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Issues, lists, revokes and rotates a tenant's keys. The tenant passed in is already access-checked. */
@ApplicationScoped
public class ApiKeyService {

    static final Duration MAX_GRACE = Duration.ofDays(90);

    @Inject
    Caller caller;
    @Inject
    Inputs inputs;
    @Inject
    AuditLog audit;
    @Inject
    ModelCatalog catalog;
    @Inject
    TollgateConfig config;
    @Inject
    Event<KeyChanged> keyChanged;

    public List<ApiKeyView> list(Tenant tenant) {
        List<ApiKey> keys = ApiKey.list("tenantId", Sort.descending("createdAt", "id"), tenant.id);
        Map<Long, String> publicIds = keys.stream().collect(Collectors.toMap(k -> k.id, k -> k.publicId));
        Instant now = Instant.now();
        return keys.stream().map(k -> view(k, publicIds::get, now)).toList();
    }

    public Optional<ApiKeyView> find(Tenant tenant, String publicId) {
        return findKey(tenant, publicId).map(this::view);
    }

    @Transactional
    public IssuedKey issue(Tenant tenant, KeyInput input) {
        return issue(tenant, input, null);
    }

    /**
     * Issues a key. With an {@code issueToken} (a form's, or an API client's Idempotency-Key) the request is
     * idempotent: one repeated with the same token issues nothing and throws {@link KeyAlreadyIssuedException}
     * naming the key the first one issued, whose secret was shown to that one only.
     */
    @Transactional
    public IssuedKey issue(Tenant tenant, KeyInput input, String issueToken) {
        requireKeyManager(tenant);
        if (issueToken != null) {
            if (issueToken.isEmpty() || issueToken.length() > 100 || !issueToken.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
                throw InvalidInputException.of("Idempotency-Key", "must be 1 to 100 visible ASCII characters");
            }
            // held to the end of the transaction: copies sent at once wait here, then find the first one's key
            TransactionLock.hold("api_key.issue_token:" + tenant.id + ":" + issueToken);
            ApiKey.<ApiKey>find("tenantId = ?1 and issueToken = ?2", tenant.id, issueToken).firstResultOptional()
                    .ifPresent(k -> {
                        throw new KeyAlreadyIssuedException(view(k));
                    });
        }
        KeyInput in = inputs.check(input);
        Instant now = Instant.now();
        if (in.expiresAt() != null && !in.expiresAt().isAfter(now)) {
            throw InvalidInputException.of("expiresAt", "must be in the future");
        }
        List<String> models = checkModels(in.allowedModels());
        KeyFormat.Generated g = KeyFormat.generate();
        ApiKey k = newKey(tenant, in.name().trim(), in.expiresAt(), models, g, now, issueToken);
        ApiKeyView view = view(k);
        audit.record("key.issue", "api_key", k.publicId, tenant.id, null, view);
        return new IssuedKey(g.fullKey(), view);
    }

    @Transactional
    public Optional<ApiKeyView> revoke(Tenant tenant, String publicId) {
        requireKeyManager(tenant);
        return findKeyForUpdate(tenant, publicId).map(k -> {
            if (k.revokedAt == null) {
                ApiKeyView before = view(k);
                k.revokedAt = Instant.now();
                audit.record("key.revoke", "api_key", k.publicId, tenant.id, before, view(k));
                keyChanged.fire(new KeyChanged(k.publicId));
            }
            return view(k);
        });
    }

    /**
     * Issues a successor with the same name, models and expiry; the old key keeps working until the
     * grace deadline (at the latest its own expiry), then stops.
     */
    @Transactional
    public Optional<IssuedKey> rotate(Tenant tenant, String publicId, RotateInput input) {
        requireKeyManager(tenant);
        Instant now = Instant.now();
        Instant graceUntil = input == null || input.graceUntil() == null ? now : input.graceUntil();
        if (graceUntil.isBefore(now.minusSeconds(60))) {
            throw InvalidInputException.of("graceUntil", "must not be in the past");
        }
        if (graceUntil.isAfter(now.plus(MAX_GRACE))) {
            throw InvalidInputException.of("graceUntil", "must be within 90 days");
        }
        return findKeyForUpdate(tenant, publicId).map(old -> {
            if (!view(old).status().usable() || old.replacedById != null) {
                throw InvalidInputException.of("publicId", "only an active key that was not rotated yet can be rotated");
            }
            ApiKeyView before = view(old);
            KeyFormat.Generated g = KeyFormat.generate();
            ApiKey successor = newKey(tenant, old.name, old.expiresAt, old.allowedModels, g, now, null);
            old.rotatedAt = now;
            old.replacedById = successor.id;
            old.expiresAt = old.expiresAt == null || graceUntil.isBefore(old.expiresAt) ? graceUntil : old.expiresAt;
            audit.record("key.rotate", "api_key", old.publicId, tenant.id, before, view(old));
            audit.record("key.issue", "api_key", successor.publicId, tenant.id, null, view(successor));
            keyChanged.fire(new KeyChanged(old.publicId));
            return new IssuedKey(g.fullKey(), view(successor));
        });
    }

    private ApiKey newKey(Tenant tenant, String name, Instant expiresAt, List<String> models, KeyFormat.Generated g,
            Instant now, String issueToken) {
        ApiKey k = new ApiKey();
        k.issueToken = issueToken;
        k.tenantId = tenant.id;
        k.publicId = g.publicId();
        k.secretSha256 = g.secretSha256();
        k.name = name;
        k.allowedModels = models;
        k.expiresAt = expiresAt;
        k.createdAt = now;
        k.createdBy = caller.name();
        k.persistAndFlush();
        return k;
    }

    private List<String> checkModels(List<String> requested) {
        if (requested == null || requested.isEmpty()) {
            return null;
        }
        Set<String> known = catalog.ids();
        Set<String> models = new TreeSet<>(requested.stream().map(String::trim).toList());
        List<String> unknown = models.stream().filter(m -> !known.contains(m)).toList();
        if (!unknown.isEmpty()) {
            throw InvalidInputException.of("allowedModels", "unknown model(s): " + String.join(", ", unknown)
                    + "; known: " + String.join(", ", new TreeSet<>(known)));
        }
        return List.copyOf(models);
    }

    private Optional<ApiKey> findKey(Tenant tenant, String publicId) {
        return ApiKey.find("tenantId = ?1 and publicId = ?2", tenant.id, publicId).firstResultOptional();
    }

    /**
     * The key, locked until the transaction ends: a change writes the whole row, so two at once (a revocation
     * and a rotation) would otherwise each write back what the other changed, and a revoked key could live again.
     */
    private Optional<ApiKey> findKeyForUpdate(Tenant tenant, String publicId) {
        return ApiKey.find("tenantId = ?1 and publicId = ?2", tenant.id, publicId)
                .withLock(LockModeType.PESSIMISTIC_WRITE).firstResultOptional();
    }

    private void requireKeyManager(Tenant tenant) {
        caller.requireAny(Roles.PLATFORM_ADMIN, Roles.TENANT_ADMIN);
        caller.requireMayChange(tenant.id);
    }

    private ApiKeyView view(ApiKey k) {
        Function<Long, String> successor = id -> id == null ? null : ApiKey.<ApiKey>findById(id).publicId;
        return view(k, successor, Instant.now());
    }

    private ApiKeyView view(ApiKey k, Function<Long, String> publicIdOf, Instant now) {
        KeyStatus status = KeyStatus.of(k.expiresAt, k.revokedAt, now, config.keys().expiringWindow());
        return new ApiKeyView(k.publicId, k.name, "tg-" + k.publicId + "-…", k.allowedModels, status, k.createdAt,
                k.createdBy, k.expiresAt, k.revokedAt, k.rotatedAt,
                k.replacedById == null ? null : publicIdOf.apply(k.replacedById), k.lastUsedAt);
    }
}
