package dev.tollgate.platform;

import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import org.jboss.logging.MDC;

/**
 * Gives every HTTP request an id: the caller's {@code X-Request-Id} when it is sane, else a new UUID.
 * It is put in the logging context (every log line of the request carries it) and echoed in the response.
 * New ids are version 7 UUIDs (RFC 9562): time-ordered, so the ledger's request-id index grows at its end
 * instead of taking random inserts, and drawn from a per-thread generator instead of {@code SecureRandom},
 * which takes a lock and reads the kernel's pool on the gateway's hot path. An id is a key, not a secret.
 */
@ApplicationScoped
public class RequestIds {

    public static final String HEADER = "X-Request-Id";
    public static final String KEY = "requestId";
    private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(ctx -> {
            String id = ctx.request().getHeader(HEADER);
            if (id == null || !SANE.matcher(id).matches()) {
                id = newId();
            }
            ctx.put(KEY, id);
            MDC.put(KEY, id);
            ctx.response().putHeader(HEADER, id);
            ctx.addEndHandler(done -> MDC.remove(KEY));
            ctx.next();
        });
    }

    /** A version 7 UUID: 48 bits of Unix milliseconds, then 74 random bits. */
    static String newId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long msb = (System.currentTimeMillis() << 16) | 0x7000L | (random.nextInt() & 0x0fffL);
        long lsb = (random.nextLong() & 0x3fffffffffffffffL) | 0x8000000000000000L;
        return new UUID(msb, lsb).toString();
    }
}
