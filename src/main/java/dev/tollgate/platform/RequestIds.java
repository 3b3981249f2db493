package dev.tollgate.platform;

import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import org.jboss.logging.MDC;

/**
 * Gives every HTTP request an id of Tollgate's own, put in the logging context (every log line of the
 * request carries it) and sent back as {@code X-Request-Id}, as OpenAI does. The id keys the usage ledger,
 * so it is never the caller's: a client that sends the same id twice (a trace id shared by an agent's
 * calls) would otherwise make two calls one key. The caller's own id, {@code X-Client-Request-Id}
 * (OpenAI's header) or else {@code X-Request-Id} from a proxy in front, is kept beside it when it is sane:
 * logged, echoed as {@code X-Client-Request-Id} and recorded in the ledger.
 *
 * <p>Ids are version 7 UUIDs (RFC 9562): time-ordered, so the ledger's request-id index grows at its end
 * instead of taking random inserts, and drawn from a per-thread generator instead of {@code SecureRandom},
 * which takes a lock and reads the kernel's pool on the gateway's hot path. An id is a key, not a secret.
 */
@ApplicationScoped
public class RequestIds {

    public static final String HEADER = "X-Request-Id";
    public static final String CLIENT_HEADER = "X-Client-Request-Id";
    public static final String KEY = "requestId";
    public static final String CLIENT_KEY = "clientRequestId";
    private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(ctx -> {
            String id = newId();
            ctx.put(KEY, id);
            MDC.put(KEY, id);
            ctx.response().putHeader(HEADER, id);
            String clientId = clientId(ctx.request().getHeader(CLIENT_HEADER), ctx.request().getHeader(HEADER));
            if (clientId != null) {
                ctx.put(CLIENT_KEY, clientId);
                MDC.put(CLIENT_KEY, clientId);
                ctx.response().putHeader(CLIENT_HEADER, clientId);
            }
            ctx.addEndHandler(done -> {
                MDC.remove(KEY);
                MDC.remove(CLIENT_KEY);
            });
            ctx.next();
        });
    }

    /** The caller's own id: {@code X-Client-Request-Id} first; null when neither header holds a sane one. */
    static String clientId(String clientHeader, String requestIdHeader) {
        if (sane(clientHeader)) {
            return clientHeader;
        }
        return sane(requestIdHeader) ? requestIdHeader : null;
    }

    private static boolean sane(String id) {
        return id != null && SANE.matcher(id).matches();
    }

    /** A version 7 UUID: 48 bits of Unix milliseconds, then 74 random bits. */
    static String newId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long msb = (System.currentTimeMillis() << 16) | 0x7000L | (random.nextInt() & 0x0fffL);
        long lsb = (random.nextLong() & 0x3fffffffffffffffL) | 0x8000000000000000L;
        return new UUID(msb, lsb).toString();
    }
}
