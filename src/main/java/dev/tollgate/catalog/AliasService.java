package dev.tollgate.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.audit.AuditLog;
import dev.tollgate.platform.Inputs;
import dev.tollgate.platform.InvalidInputException;
import dev.tollgate.security.Caller;
import dev.tollgate.security.Roles;
import dev.tollgate.tenant.Tenant;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.OptimisticLockException;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Aliases and tenant overrides, the admin side. Platform admins edit aliases; a tenant's override may be
 * set by a platform admin or by that tenant's own admin (the tenant passed in is already access-checked):
 * an alias only ever translates a name into the exact call the client could send itself, so keeping or
 * refusing the old name for one tenant's traffic is that tenant's choice. The platform keeps the last
 * word by editing or deleting the alias.
 */
@ApplicationScoped
public class AliasService {

    /** Request fields an alias may not imply: they are the request itself, not parameters of it. */
    static final Set<String> NOT_PARAMETERS = Set.of("model", "messages", "stream", "stream_options");
    /** Implied parameters are a few switches ({@code thinking}, {@code reasoning_effort}), never a document. */
    static final int MAX_IMPLIED_PARAMS_CHARS = 1024;

    @Inject
    Caller caller;
    @Inject
    Inputs inputs;
    @Inject
    AuditLog audit;
    @Inject
    EntityManager em;
    @Inject
    AliasConfig config;
    @Inject
    Event<AliasesChanged> changed;

    public List<AliasView> list() {
        Instant now = Instant.now();
        return ModelAlias.<ModelAlias>listAll(Sort.ascending("alias")).stream().map(a -> view(a, now)).toList();
    }

    public Optional<AliasView> find(String alias) {
        return ModelAlias.<ModelAlias>findByIdOptional(alias).map(a -> view(a, Instant.now()));
    }

    @Transactional
    public AliasView create(AliasInput input) {
        requirePlatformAdmin();
        AliasInput in = Inputs.required(input).normalized();
        Map<String, String> errors = inputs.violations(in);
        if (!errors.containsKey("alias")) {
            // Any model, enabled or not, and in any case: a model enabled later would shadow the alias, and a
            // name one capital away from a model or another alias would send callers somewhere they did not mean.
            String taken = sameNameIgnoringCase("select id from model where lower(id) = lower(?1)", in.alias());
            if (taken != null) {
                errors.put("alias", taken.equals(in.alias()) ? "is the id of a catalog model; an alias needs a name of its own"
                        : "is the catalog model " + taken + " in other capitals; an alias needs a name of its own");
            } else if ((taken = sameNameIgnoringCase("select alias from model_alias where lower(alias) = lower(?1)",
                    in.alias())) != null) {
                errors.put("alias", taken.equals(in.alias()) ? "is already taken" : "is already taken as " + taken);
            }
        }
        ModelAlias a = new ModelAlias();
        a.alias = in.alias();
        apply(a, in, Instant.now(), errors);
        a.persistAndFlush();
        AliasView view = view(a, Instant.now());
        audit.record("alias.create", "model_alias", a.alias, null, null, view);
        changed.fire(new AliasesChanged(a.alias));
        return view;
    }

    /** Replaces what the alias says; its name never changes. Empty when there is no such alias. */
    @Transactional
    public Optional<AliasView> update(String alias, AliasInput input) {
        requirePlatformAdmin();
        AliasInput in = Inputs.required(input).withAlias(alias).normalized();
        return ModelAlias.<ModelAlias>findByIdOptional(alias).map(a -> {
            if (in.version() != null && in.version() != a.version) {
                throw new OptimisticLockException("alias " + alias + " is at version " + a.version + ", not "
                        + in.version());
            }
            AliasView before = view(a, Instant.now());
            apply(a, in, a.deprecatedAt, inputs.violations(in));
            ModelAlias.flush();
            AliasView after = view(a, Instant.now());
            audit.record("alias.update", "model_alias", a.alias, null, before, after);
            changed.fire(new AliasesChanged(a.alias));
            return after;
        });
    }

    /** Deletes the alias and every tenant's override of it: the name becomes unknown (404). */
    @Transactional
    public boolean delete(String alias) {
        requirePlatformAdmin();
        Optional<ModelAlias> found = ModelAlias.findByIdOptional(alias);
        found.ifPresent(a -> {
            Instant now = Instant.now();
            for (AliasTenantOverride o : AliasTenantOverride.<AliasTenantOverride>list("alias", a.alias)) {
                String slug = Tenant.<Tenant>findById(o.tenantId).slug;
                TenantAliasView before = TenantAliasView.of(slug, a, o, now);
                o.delete();
                audit.record("alias_override.clear", "alias_override", a.alias, o.tenantId, before, null);
            }
            AliasView before = view(a, now);
            a.delete();
            ModelAlias.flush();
            audit.record("alias.delete", "model_alias", alias, null, before, null);
            changed.fire(new AliasesChanged(alias));
        });
        return found.isPresent();
    }

    /** Every alias as this tenant gets it. */
    public List<TenantAliasView> forTenant(Tenant tenant) {
        Map<String, AliasTenantOverride> overrides = AliasTenantOverride.<AliasTenantOverride>list("tenantId",
                tenant.id).stream().collect(Collectors.toMap(o -> o.alias, Function.identity()));
        Instant now = Instant.now();
        return ModelAlias.<ModelAlias>listAll(Sort.ascending("alias")).stream()
                .map(a -> TenantAliasView.of(tenant.slug, a, overrides.get(a.alias), now)).toList();
    }

    public Optional<TenantAliasView> forTenant(Tenant tenant, String alias) {
        return ModelAlias.<ModelAlias>findByIdOptional(alias)
                .map(a -> TenantAliasView.of(tenant.slug, a, override(tenant, alias).orElse(null), Instant.now()));
    }

    /** Sets this tenant's mode for the alias. Empty when there is no such alias. */
    @Transactional
    public Optional<TenantAliasView> setOverride(Tenant tenant, String alias, AliasOverrideInput input) {
        requireOverrideEditor(tenant);
        return ModelAlias.<ModelAlias>findByIdOptional(alias).map(a -> {
            AliasOverrideInput in = inputs.check(input);
            AliasMode mode = parseMode("mode", in.mode());
            Instant now = Instant.now();
            AliasTenantOverride o = override(tenant, alias).orElse(null);
            TenantAliasView before = TenantAliasView.of(tenant.slug, a, o, now);
            if (o == null) {
                o = new AliasTenantOverride();
                o.tenantId = tenant.id;
                o.alias = alias;
            }
            o.mode = mode;
            o.setAt = now;
            o.setBy = caller.name();
            o.persistAndFlush();
            TenantAliasView after = TenantAliasView.of(tenant.slug, a, o, now);
            audit.record("alias_override.set", "alias_override", alias, tenant.id, before, after);
            changed.fire(new AliasesChanged(alias));
            return after;
        });
    }

    /** Removes this tenant's override: the alias' own mode applies again. Empty when there is no such alias. */
    @Transactional
    public Optional<TenantAliasView> clearOverride(Tenant tenant, String alias) {
        requireOverrideEditor(tenant);
        return ModelAlias.<ModelAlias>findByIdOptional(alias).map(a -> {
            Instant now = Instant.now();
            override(tenant, alias).ifPresent(o -> {
                TenantAliasView before = TenantAliasView.of(tenant.slug, a, o, now);
                o.delete();
                AliasTenantOverride.flush();
                audit.record("alias_override.clear", "alias_override", alias, tenant.id, before,
                        TenantAliasView.of(tenant.slug, a, null, now));
                changed.fire(new AliasesChanged(alias));
            });
            return TenantAliasView.of(tenant.slug, a, null, now);
        });
    }

    private String sameNameIgnoringCase(String query, String name) {
        List<?> found = em.createNativeQuery(query, String.class).setParameter(1, name).setMaxResults(1)
                .getResultList();
        return found.isEmpty() ? null : (String) found.get(0);
    }

    /** The catalog models an alias may point to, in catalog order. */
    @SuppressWarnings("unchecked")
    public List<String> enabledModels() {
        return em.createNativeQuery("select id from model where enabled order by sort_order, id").getResultList();
    }

    private void apply(ModelAlias a, AliasInput in, Instant defaultDeprecatedAt, Map<String, String> errors) {
        List<String> models = enabledModels();
        checkModel("targetModel", in.targetModel(), models, errors);
        if (in.replacementModel() != null) {
            checkModel("replacementModel", in.replacementModel(), models, errors);
        }
        AliasMode mode = null;
        if (in.mode() != null && !in.mode().isEmpty()) {
            mode = AliasMode.fromWireName(in.mode()).orElse(null);
            if (mode == null) {
                errors.put("mode", modeError());
            }
        }
        ObjectNode implied = impliedParams(in.impliedParams(), errors);
        Instant deprecatedAt = in.deprecatedAt() != null ? in.deprecatedAt() : defaultDeprecatedAt;
        if (in.sunsetAt() != null && deprecatedAt.isAfter(in.sunsetAt())) {
            if (in.deprecatedAt() != null) {
                errors.put("deprecatedAt", "must not be after the sunset, "
                        + in.sunsetAt().truncatedTo(ChronoUnit.SECONDS));
            } else {
                errors.put("sunsetAt", "must not be before the deprecation date, "
                        + deprecatedAt.truncatedTo(ChronoUnit.SECONDS) + "; give the deprecation date (deprecatedAt)"
                        + " too");
            }
        }
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        a.targetModel = in.targetModel();
        a.impliedParams = AliasResolver.json(implied);
        // Whole seconds, as the Deprecation and Sunset headers say them.
        a.deprecatedAt = deprecatedAt.truncatedTo(ChronoUnit.SECONDS);
        a.sunsetAt = in.sunsetAt().truncatedTo(ChronoUnit.SECONDS);
        a.mode = mode;
        a.replacementModel = in.replacementModel() != null ? in.replacementModel() : in.targetModel();
        a.migrationGuide = in.migrationGuide();
        a.note = in.note();
    }

    private static void checkModel(String field, String model, List<String> models, Map<String, String> errors) {
        if (model != null && !model.isEmpty() && !errors.containsKey(field) && !models.contains(model)) {
            errors.put(field, "unknown model '" + model + "'; known: " + String.join(", ", models));
        }
    }

    /** A JSON object of request parameters; the one DeepSeek field with a fixed shape, thinking, is checked. */
    private static ObjectNode impliedParams(JsonNode params, Map<String, String> errors) {
        if (params == null || params.isNull()) {
            return AliasResolver.parseObject("{}");
        }
        if (!(params instanceof ObjectNode o)) {
            errors.put("impliedParams", "must be a JSON object, such as {\"thinking\":{\"type\":\"disabled\"}}");
            return null;
        }
        List<String> reserved = NOT_PARAMETERS.stream().filter(o::has).sorted().toList();
        if (AliasResolver.json(o).length() > MAX_IMPLIED_PARAMS_CHARS) {
            // they are repeated in the warning header of every aliased answer, and proxies cap header sizes
            errors.put("impliedParams", "must be at most " + MAX_IMPLIED_PARAMS_CHARS + " characters as JSON");
        } else if (!reserved.isEmpty()) {
            errors.put("impliedParams", "must not set " + String.join(", ", reserved)
                    + ": an alias implies request parameters, not the request itself");
        } else if (o.has("thinking") && !validThinking(o.get("thinking"))) {
            errors.put("impliedParams", "thinking must be {\"type\":\"enabled\"} or {\"type\":\"disabled\"}");
        } else if (hasInfiniteNumber(o)) {
            // read as a double it is infinite, and would be stored and sent as the string "Infinity"
            errors.put("impliedParams", "must not hold a number past 1.7976931348623157E308");
        }
        return o;
    }

    private static boolean hasInfiniteNumber(JsonNode node) {
        if (node.isDouble() || node.isFloat()) {
            return Double.isInfinite(node.doubleValue());
        }
        for (JsonNode child : node) { // an object's values, an array's elements
            if (hasInfiniteNumber(child)) {
                return true;
            }
        }
        return false;
    }

    private static boolean validThinking(JsonNode thinking) {
        JsonNode type = thinking.get("type");
        return thinking.isObject() && thinking.size() == 1 && type != null
                && ("enabled".equals(type.asText()) || "disabled".equals(type.asText())) && type.isTextual();
    }

    static AliasMode parseMode(String field, String mode) {
        return AliasMode.fromWireName(mode == null ? null : mode.trim())
                .orElseThrow(() -> InvalidInputException.of(field, modeError()));
    }

    private static String modeError() {
        return "must be one of " + AliasMode.wireNames();
    }

    private Optional<AliasTenantOverride> override(Tenant tenant, String alias) {
        return AliasTenantOverride.find("tenantId = ?1 and alias = ?2", tenant.id, alias).firstResultOptional();
    }

    private AliasView view(ModelAlias a, Instant now) {
        return AliasView.of(a, config, now);
    }

    private void requirePlatformAdmin() {
        caller.requireAny(Roles.PLATFORM_ADMIN);
    }

    private void requireOverrideEditor(Tenant tenant) {
        caller.requireAny(Roles.PLATFORM_ADMIN, Roles.TENANT_ADMIN);
        caller.requireMayChange(tenant.id);
    }
}
