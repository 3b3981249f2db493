package dev.tollgate.tenant;

public enum TenantStatus {
    ACTIVE, SUSPENDED, ARCHIVED
}
