package dev.tollgate.catalog;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.catalog.ModelResolution.Outcome;
import dev.tollgate.gateway.OpenAiException;
import dev.tollgate.platform.BackgroundReload;
import dev.tollgate.platform.DataChanged;
import dev.tollgate.platform.DatabaseUnreachable;
import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.eclipse.microprofile.context.ManagedExecutor;
import org.jboss.logging.Logger;

/**
 * Resolves the model name of a gateway call: a catalog model, an alias (with the parameters it implies,
 * the headers to send and the tenant's mode), or nothing known. Aliases and tenant overrides are held in
 * memory with their headers and errors prepared, so resolving is two map lookups and never a query.
 * Re-read after every change committed through this instance or announced by the database's change feed, and
 * every {@code tollgate.aliases.reload-every} (in case the feed was down); a failed reload keeps the previous
 * version. Sunsets need no reload: each call compares its own instant with the sunset.
 */
@ApplicationScoped
public class AliasResolver {

    private static final Logger LOG = Logger.getLogger(AliasResolver.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String ALIASES = """
            select alias, target_model, implied_params::text, deprecated_at, sunset_at, mode, replacement_model,
                   migration_guide
            from model_alias order by alias""";
    private static final String OVERRIDES = "select tenant_id, alias, mode from alias_tenant_override";

    /** An alias as stored. */
    record AliasRow(String alias, String targetModel, String impliedParams, Instant deprecatedAt, Instant sunsetAt,
            AliasMode mode, String replacementModel, String migrationGuide) {
    }

    /** An alias ready to answer: what it implies, and its headers and error, prepared once per load. */
    record CompiledAlias(String alias, String targetModel, AliasMode mode, Instant sunsetAt,
            Map<String, JsonNode> impliedParams, Map<AliasMode, Map<String, String>> servedHeaders,
            Map<String, String> retiredHeaders, OpenAiException retired) {

        static CompiledAlias of(AliasRow row, String defaultGuide) {
            Map<String, JsonNode> implied = new LinkedHashMap<>();
            parseObject(row.impliedParams()).fields().forEachRemaining(f -> implied.put(f.getKey(), f.getValue()));
            String guide = row.migrationGuide() != null ? row.migrationGuide() : defaultGuide;
            ObjectNode servedAs = JSON.createObjectNode().put("model", row.targetModel());
            implied.forEach(servedAs::set);
            String servedJson = json(servedAs);
            boolean sameModel = row.replacementModel().equals(row.targetModel());
            String instead = sameModel ? servedJson : json(JSON.createObjectNode().put("model", row.replacementModel()));

            Map<String, String> lifecycle = new LinkedHashMap<>();
            lifecycle.put(AliasHeaders.DEPRECATION, AliasHeaders.deprecation(row.deprecatedAt()));
            lifecycle.put(AliasHeaders.SUNSET, AliasHeaders.sunset(row.sunsetAt()));
            lifecycle.put(AliasHeaders.LINK, AliasHeaders.headerSafe(AliasHeaders.link(guide)));
            // Said the same way whether the call is then served or refused (a 400, a 403); and a field the client
            // set itself wins over the alias's, so the warning names what the alias stands for, not what was sent.
            String standsFor = "stands for " + servedJson + (implied.isEmpty() ? "" : " (fields the request sets win)");
            String sendInstead = (sameModel ? "send that" : "send " + instead) + " instead, see " + guide;
            Map<AliasMode, Map<String, String>> served = new EnumMap<>(AliasMode.class);
            served.put(AliasMode.REWRITE, Collections.unmodifiableMap(lifecycle));
            served.put(AliasMode.REWRITE_AND_WARN, withWarning(lifecycle, "model \"" + row.alias()
                    + "\" is deprecated (sunset " + row.sunsetAt() + ") and " + standsFor + "; " + sendInstead));
            served.put(AliasMode.REJECT_AFTER_SUNSET, withWarning(lifecycle, "model \"" + row.alias()
                    + "\" is deprecated and will be rejected from " + row.sunsetAt() + "; it " + standsFor + "; "
                    + sendInstead));
            OpenAiException retired = new OpenAiException(410, "invalid_request_error", "model_retired", "model",
                    "The model \"" + row.alias() + "\" was retired at " + row.sunsetAt() + ". Send " + instead
                            + " instead; see " + guide);
            return new CompiledAlias(row.alias(), row.targetModel(), row.mode(), row.sunsetAt(),
                    Collections.unmodifiableMap(implied), Collections.unmodifiableMap(served),
                    Collections.unmodifiableMap(lifecycle), retired);
        }

        private static Map<String, String> withWarning(Map<String, String> lifecycle, String warning) {
            Map<String, String> headers = new LinkedHashMap<>(lifecycle);
            headers.put(AliasHeaders.WARNING, AliasHeaders.headerSafe(warning));
            return Collections.unmodifiableMap(headers);
        }
    }

    /** One immutable version of the aliases and overrides. */
    record Snapshot(Map<String, CompiledAlias> aliases, Map<Long, Map<String, AliasMode>> overrides) {

        static Snapshot of(List<AliasRow> rows, Map<Long, Map<String, AliasMode>> overrides, String defaultGuide) {
            Map<String, CompiledAlias> aliases = new TreeMap<>();
            for (AliasRow row : rows) {
                aliases.put(row.alias(), CompiledAlias.of(row, defaultGuide));
            }
            Map<Long, Map<String, AliasMode>> byTenant = new HashMap<>();
            overrides.forEach((tenant, modes) -> byTenant.put(tenant, Map.copyOf(modes)));
            return new Snapshot(Collections.unmodifiableMap(aliases), Map.copyOf(byTenant));
        }

        ModelResolution resolve(Set<String> catalog, long tenantId, String requested, Instant now) {
            if (requested != null && catalog.contains(requested)) {
                return new ModelResolution(Outcome.SERVED, requested, requested, null, null, Map.of(), Map.of(),
                        false, null);
            }
            CompiledAlias a = requested == null ? null : aliases.get(requested);
            if (a == null) {
                return unknown(requested, null);
            }
            AliasMode mode = modeFor(tenantId, a);
            if (mode.rejects(now, a.sunsetAt())) { // needs no target: the 410 names the replacement
                return new ModelResolution(Outcome.RETIRED, requested, null, a.alias(), mode, a.impliedParams(),
                        a.retiredHeaders(), false, a.retired());
            }
            if (!catalog.contains(a.targetModel())) {
                return unknown(requested, a.alias()); // still a call through the alias, in the ledger's counts
            }
            return new ModelResolution(Outcome.SERVED, requested, a.targetModel(), a.alias(), mode,
                    a.impliedParams(), a.servedHeaders().get(mode), mode.warns(), null);
        }

        List<ModelResolution> serving(Set<String> catalog, long tenantId, Instant now) {
            List<ModelResolution> result = new ArrayList<>();
            for (String alias : aliases.keySet()) {
                ModelResolution r = resolve(catalog, tenantId, alias, now);
                if (r.served() && r.aliased()) { // not a catalog model that has since taken the alias' name
                    result.add(r);
                }
            }
            return result;
        }

        AliasMode modeFor(long tenantId, CompiledAlias a) {
            Map<String, AliasMode> own = overrides.get(tenantId);
            AliasMode mode = own == null ? null : own.get(a.alias());
            return mode != null ? mode : a.mode();
        }

        private static ModelResolution unknown(String requested, String alias) {
            String name = requested == null ? "" : requested.length() > 100 ? requested.substring(0, 100) + "..." : requested;
            return new ModelResolution(Outcome.UNKNOWN, requested, null, alias, null, Map.of(), Map.of(), false,
                    new OpenAiException(404, "invalid_request_error", "model_not_found", "model",
                            "The model \"" + name + "\" does not exist. GET /v1/models lists the models you can use."));
        }
    }

    @Inject
    AgroalDataSource dataSource;
    @Inject
    ModelCatalog catalog;
    @Inject
    AliasConfig config;
    @Inject
    ManagedExecutor executor;

    private volatile Snapshot current;
    private BackgroundReload feedReload;

    @PostConstruct
    void init() {
        feedReload = new BackgroundReload(this::refresh, executor);
    }

    /**
     * What to do with a call of {@code tenantId} naming {@code requestedModel}, received at {@code now}:
     * a catalog model is served as it is; an alias is served as its target with its implied parameters and
     * headers, or retired (410) in mode reject-after-sunset from its sunset on; anything else is unknown (404).
     * The tenant's override of an alias' mode wins over the alias' own mode.
     */
    public ModelResolution resolve(long tenantId, String requestedModel, Instant now) {
        return snapshot().resolve(catalog.ids(), tenantId, requestedModel, now);
    }

    /** The aliases that still serve for this tenant at {@code now}, by name: what GET /v1/models lists. */
    public List<ModelResolution> servingAliases(long tenantId, Instant now) {
        return snapshot().serving(catalog.ids(), tenantId, now);
    }

    Snapshot snapshot() {
        Snapshot s = current;
        return s != null ? s : reload();
    }

    /** Reads aliases and overrides from the database and makes them current. Serialized, so an older read never wins. */
    synchronized Snapshot reload() {
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
            List<AliasRow> rows = new ArrayList<>();
            try (ResultSet rs = st.executeQuery(ALIASES)) {
                while (rs.next()) {
                    rows.add(new AliasRow(rs.getString(1), rs.getString(2), rs.getString(3),
                            rs.getObject(4, OffsetDateTime.class).toInstant(),
                            rs.getObject(5, OffsetDateTime.class).toInstant(), mode(rs.getString(6)),
                            rs.getString(7), rs.getString(8)));
                }
            }
            Map<Long, Map<String, AliasMode>> overrides = new HashMap<>();
            try (ResultSet rs = st.executeQuery(OVERRIDES)) {
                while (rs.next()) {
                    overrides.computeIfAbsent(rs.getLong(1), t -> new HashMap<>()).put(rs.getString(2),
                            mode(rs.getString(3)));
                }
            }
            Snapshot s = Snapshot.of(rows, overrides, config.defaultGuide());
            current = s;
            return s;
        } catch (SQLException e) {
            throw new IllegalStateException("Could not load the model aliases", e);
        }
    }

    void onStart(@Observes StartupEvent event) {
        try {
            reload();
        } catch (RuntimeException e) {
            LOG.warn("Model aliases not loaded at startup; they will be loaded on first use", e);
        }
    }

    void onChange(@Observes(during = TransactionPhase.AFTER_SUCCESS) AliasesChanged event) {
        refresh();
    }

    /** Aliases or overrides changed in the database, perhaps through another instance. */
    void onDataChanged(@Observes DataChanged change) {
        if (change.concerns("model_alias") || change.concerns("alias_tenant_override")) {
            feedReload.ask();
        }
    }

    @Scheduled(every = "${tollgate.aliases.reload-every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void refresh() {
        try {
            reload();
        } catch (RuntimeException e) {
            DatabaseUnreachable.warn(LOG, "Could not reload the model aliases; the previous version stays in use", e);
        }
    }

    private static AliasMode mode(String s) {
        return AliasMode.fromWireName(s).orElseThrow(() -> new IllegalStateException("Unknown alias mode: " + s));
    }

    static ObjectNode parseObject(String json) {
        try {
            JsonNode node = JSON.readTree(json == null || json.isBlank() ? "{}" : json);
            if (!(node instanceof ObjectNode o)) {
                throw new IllegalStateException("Implied parameters are not a JSON object: " + json);
            }
            return o;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Implied parameters are not JSON: " + json, e);
        }
    }

    static String json(JsonNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
