package dev.tollgate.security;

import java.util.List;

/** The three roles, the same names in local mode and in Keycloak. */
public final class Roles {

    public static final String PLATFORM_ADMIN = "platform-admin";
    public static final String FINANCE = "finance";
    public static final String TENANT_ADMIN = "tenant-admin";

    public static final List<String> ALL = List.of(PLATFORM_ADMIN, FINANCE, TENANT_ADMIN);

    private Roles() {
    }
}
