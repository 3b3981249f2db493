package dev.tollgate.platform;

import jakarta.ws.rs.NotFoundException;
import java.util.function.Supplier;

/**
 * A 404 for an object the caller named. Its message is the admin API's problem detail, which says what was not
 * found rather than "HTTP 404 Not Found". An object the caller may not see is named as missing alike.
 */
public final class NotFound {

    private NotFound() {
    }

    /** E.g. {@code no("tenant", "acme")}: "No tenant `acme`." */
    public static Supplier<NotFoundException> no(String kind, Object id) {
        return () -> new NotFoundException("No " + kind + " `" + id + "`.");
    }
}
