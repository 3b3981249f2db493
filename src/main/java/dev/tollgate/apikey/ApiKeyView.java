package dev.tollgate.apikey;

import java.time.Instant;
import java.util.List;

/** An API key as admins see it: never the secret, only a recognisable prefix. */
public record ApiKeyView(String publicId, String name, String prefix, List<String> allowedModels,
        KeyStatus status, Instant createdAt, String createdBy, Instant expiresAt, Instant revokedAt,
        Instant rotatedAt, String replacedBy, Instant lastUsedAt) {
}
