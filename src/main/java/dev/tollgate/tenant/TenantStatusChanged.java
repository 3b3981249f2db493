package dev.tollgate.tenant;

/** Fired after a tenant's status change commits, so caches of its keys can drop what they hold. */
public record TenantStatusChanged(long tenantId, TenantStatus status) {
}
