package dev.tollgate.apikey;

import dev.tollgate.platform.DatabaseUnreachable;
import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/** Keeps "last used" off the hot path: remembered in memory, written back in one batch every few seconds. */
@ApplicationScoped
public class KeyUsageTracker {

    private static final Logger LOG = Logger.getLogger(KeyUsageTracker.class);

    private final Map<Long, Instant> pending = new ConcurrentHashMap<>();

    @Inject
    AgroalDataSource dataSource;

    void markUsed(long keyId, Instant at) {
        pending.put(keyId, at);
    }

    @Scheduled(every = "${tollgate.keys.last-used-flush-every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void flush() {
        if (pending.isEmpty()) {
            return;
        }
        Map<Long, Instant> taken = new HashMap<>();
        for (Long keyId : pending.keySet()) {
            Instant at = pending.remove(keyId);
            if (at != null) {
                taken.put(keyId, at);
            }
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "update api_key set last_used_at = ? where id = ? and (last_used_at is null or last_used_at < ?)")) {
            for (Map.Entry<Long, Instant> e : taken.entrySet()) {
                Timestamp ts = Timestamp.from(e.getValue());
                ps.setTimestamp(1, ts);
                ps.setLong(2, e.getKey());
                ps.setTimestamp(3, ts);
                ps.addBatch();
            }
            ps.executeBatch();
        } catch (SQLException e) {
            // kept for the next flush: a key that is not used again (one just revoked) would otherwise never show
            // when it was last used, which is what someone looking into a leak asks first
            taken.forEach((keyId, at) -> pending.merge(keyId, at, (a, b) -> a.isAfter(b) ? a : b));
            DatabaseUnreachable.warn(LOG,
                    "Could not record key last-used times; they are tried again at the next flush", e);
        }
    }

    void onShutdown(@Observes ShutdownEvent event) {
        flush();
    }
}
