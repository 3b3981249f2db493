package dev.tollgate.apikey;

import java.time.Duration;
import java.time.Instant;

public enum KeyStatus {
    ACTIVE, EXPIRING, EXPIRED, REVOKED;

    /** Revocation wins over expiry; a key near its expiry (or rotation grace deadline) is "expiring". */
    public static KeyStatus of(Instant expiresAt, Instant revokedAt, Instant now, Duration expiringWindow) {
        if (revokedAt != null && !revokedAt.isAfter(now)) {
            return REVOKED;
        }
        if (expiresAt != null && !expiresAt.isAfter(now)) {
            return EXPIRED;
        }
        if (expiresAt != null && expiresAt.isBefore(now.plus(expiringWindow))) {
            return EXPIRING;
        }
        return ACTIVE;
    }

    public boolean usable() {
        return this == ACTIVE || this == EXPIRING;
    }
}
