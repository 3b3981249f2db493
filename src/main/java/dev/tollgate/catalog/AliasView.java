package dev.tollgate.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * An alias as the admin API and the audit log show it. {@code migrationGuideUrl} is the link its
 * responses carry. {@code status} at the time of reading, with the alias' own mode: {@code deprecated}
 * (before the sunset), {@code past_sunset} (still served) or {@code retired} (answered with 410).
 */
public record AliasView(String alias, String targetModel, JsonNode impliedParams, Instant deprecatedAt,
        Instant sunsetAt, AliasMode mode, String replacementModel, String migrationGuide, String migrationGuideUrl,
        String note, String status, Instant createdAt, Instant updatedAt, long version) {

    static AliasView of(ModelAlias a, AliasConfig config, Instant now) {
        return new AliasView(a.alias, a.targetModel, AliasResolver.parseObject(a.impliedParams), a.deprecatedAt,
                a.sunsetAt, a.mode, a.replacementModel, a.migrationGuide,
                a.migrationGuide != null ? a.migrationGuide : config.defaultGuide(), a.note,
                status(a.mode, a.sunsetAt, now), a.createdAt, a.updatedAt, a.version);
    }

    static String status(AliasMode mode, Instant sunsetAt, Instant now) {
        if (now.isBefore(sunsetAt)) {
            return "deprecated";
        }
        return mode.rejects(now, sunsetAt) ? "retired" : "past_sunset";
    }

    /** The implied parameters as compact JSON, e.g. {"thinking":{"type":"disabled"}}. */
    public String impliedParamsJson() {
        return AliasResolver.json(impliedParams);
    }
}
