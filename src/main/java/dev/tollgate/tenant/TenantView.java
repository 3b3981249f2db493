package dev.tollgate.tenant;

import java.time.Instant;

/** A tenant as the admin API and the audit log show it. */
public record TenantView(String slug, String displayName, String legalName, String billingEmail,
        String postalAddress, String taxId, String currency, String timezone, TenantStatus status,
        Instant createdAt, Instant updatedAt, long version) {

    public static TenantView of(Tenant t) {
        return new TenantView(t.slug, t.displayName, t.legalName, t.billingEmail, t.postalAddress, t.taxId,
                t.currency, t.timezone, t.status, t.createdAt, t.updatedAt, t.version);
    }
}
