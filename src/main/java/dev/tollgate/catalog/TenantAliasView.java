package dev.tollgate.catalog;

import java.time.Instant;

/**
 * An alias as one tenant gets it: the alias' own mode, the tenant's override (null when none), the mode
 * in force and the resulting {@code status} (see {@link AliasView}). Also the audit snapshot of an override.
 */
public record TenantAliasView(String tenant, String alias, String targetModel, Instant sunsetAt, AliasMode aliasMode,
        AliasMode override, AliasMode mode, String status, Instant overrideSetAt, String overrideSetBy) {

    static TenantAliasView of(String tenant, ModelAlias a, AliasTenantOverride o, Instant now) {
        AliasMode mode = o != null ? o.mode : a.mode;
        return new TenantAliasView(tenant, a.alias, a.targetModel, a.sunsetAt, a.mode, o == null ? null : o.mode, mode,
                AliasView.status(mode, a.sunsetAt, now), o == null ? null : o.setAt, o == null ? null : o.setBy);
    }
}
