package dev.tollgate.ledger;

import dev.tollgate.platform.TollgateConfig;
import java.nio.file.Path;
import java.time.Duration;

/** The writer's settings, from {@code tollgate.ledger.*} (or built directly by tests). */
record LedgerSettings(Path spoolDirectory, long segmentBytes, Duration fsyncInterval, int batchSize,
        Duration flushInterval, int memoryQueue, Duration retryInitial, Duration retryMax) {

    LedgerSettings {
        if (batchSize < 1 || memoryQueue < 0 || segmentBytes < 4096) {
            throw new IllegalArgumentException("Ledger settings out of range: batch size " + batchSize
                    + ", memory queue " + memoryQueue + ", segment size " + segmentBytes);
        }
        for (Duration d : new Duration[] {fsyncInterval, flushInterval, retryInitial, retryMax}) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("Ledger intervals must be positive, got " + d);
            }
        }
    }

    static LedgerSettings from(TollgateConfig.Ledger c) {
        return new LedgerSettings(Path.of(c.spool().directory()), c.spool().segmentSize().asLongValue(),
                c.spool().fsyncInterval(), c.batchSize(), c.flushInterval(), c.memoryQueue(), c.retryInitial(),
                c.retryMax());
    }
}
