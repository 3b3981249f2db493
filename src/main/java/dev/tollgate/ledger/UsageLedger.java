package dev.tollgate.ledger;

import dev.tollgate.platform.TollgateConfig;
import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.SQLException;
import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * The usage ledger: one row per upstream attempt in {@code usage_ledger} (and one for a call the gateway refused
 * before any), never lost. The gateway calls {@link #record} once per attempt on its response path; it returns at
 * once (the row is in the local spool, handed to the operating system, and queued) and the row is committed off the
 * response path, in batches, idempotently on (request id, attempt). See docs/ledger.md for the guarantees.
 */
@ApplicationScoped
public class UsageLedger {

    private static final Logger LOG = Logger.getLogger(UsageLedger.class);

    /**
     * After the application's own shutdown observers (default priority), so rows they record are drained
     * too. The datasource is closed only after every ShutdownEvent observer has run: it is a bean, and
     * Quarkus destroys beans once the event has been delivered.
     */
    static final int DRAIN_PRIORITY = Interceptor.Priority.LIBRARY_AFTER + 500;

    @Inject
    AgroalDataSource dataSource;

    @Inject
    TollgateConfig config;

    @Inject
    MeterRegistry registry;

    private LedgerStore store;
    private LedgerWriter writer;

    @PostConstruct
    void open() {
        store = new LedgerStore(dataSource);
        try {
            writer = LedgerWriter.start(store, LedgerSettings.from(config.ledger()), registry);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot open the usage ledger spool in "
                    + config.ledger().spool().directory() + "; Tollgate does not serve calls it cannot record", e);
        }
    }

    /**
     * Records one upstream attempt. Non-blocking (no database access, no fsync: one append to the spool
     * file) and never throws; safe on an event-loop thread.
     */
    public void record(LedgerEntry entry) {
        writer.record(entry);
    }

    /**
     * Waits until every row recorded before this call is committed to PostgreSQL. For tests and reports
     * that must read their own writes; never on the hot path.
     *
     * @return false if that did not happen within the timeout
     */
    public boolean flush(Duration timeout) {
        try {
            return writer.flush(timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** {@link #flush(Duration)} with a minute; throws when the rows are not committed by then. */
    public void flush() {
        if (!flush(Duration.ofMinutes(1))) {
            throw new IllegalStateException("Usage ledger rows not committed within a minute; is PostgreSQL up?");
        }
    }

    void onStart(@Observes StartupEvent event) {
        maintainPartitions();
    }

    @Scheduled(every = "${tollgate.ledger.partition-check-every}", delayed = "${tollgate.ledger.partition-check-every}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void maintainPartitions() {
        try {
            store.maintain(config.ledger().partitionsAhead());
        } catch (SQLException e) {
            LOG.warn("Could not check the usage_ledger partitions; the next check retries, and rows without a"
                    + " month partition wait in the default partition", e);
        }
    }

    void drainOnShutdown(@Observes @Priority(DRAIN_PRIORITY) ShutdownEvent event) {
        Duration timeout = config.ledger().drainTimeout();
        try {
            if (writer.drain(timeout)) {
                LOG.debug("Usage ledger drained");
            } else {
                LOG.warnf("Usage ledger not drained within %s; the remaining rows stay in the spool", timeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @PreDestroy
    void close() {
        writer.close();
    }

    /** Whether the spool takes rows (false while they are kept in memory only). */
    public boolean spoolWritable() {
        return writer.spoolWritable();
    }

    /** For tests in this package. */
    LedgerWriter writer() {
        return writer;
    }
}
