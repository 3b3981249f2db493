package dev.tollgate.security;

import java.time.Instant;

/** A local user as admins see it (never the password hash). */
public record UserView(String username, String role, String tenantSlug, Instant createdAt) {
}
