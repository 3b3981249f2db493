package dev.tollgate.ledger;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Run in its own JVM by {@link LedgerCrashTest}, which kills it with SIGKILL. Records rows and has the
 * first ones committed, then records more that the held-back writer (hour-long batch window, huge
 * batches) leaves uncommitted, says READY and waits to be killed.
 *
 * <p>Arguments: spool directory, JDBC URL, user, password, request id prefix, rows to commit, rows to
 * leave uncommitted, spool segment size in bytes.
 */
public final class CrashingRecorder {

    private CrashingRecorder() {
    }

    public static void main(String[] args) throws Exception {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(args[1]);
        ds.setUser(args[2]);
        ds.setPassword(args[3]);
        String prefix = args[4];
        int committed = Integer.parseInt(args[5]);
        int pending = Integer.parseInt(args[6]);
        LedgerWriter writer = LedgerWriter.start(new LedgerStore(ds),
                LedgerFixtures.settings(Path.of(args[0]), Long.parseLong(args[7]), 1_000_000, Duration.ofHours(1), 1_000_000),
                new SimpleMeterRegistry());
        for (int i = 0; i < committed; i++) {
            writer.record(LedgerFixtures.entry(prefix + i));
        }
        if (!writer.flush(Duration.ofMinutes(1))) {
            System.exit(2);
        }
        for (int i = committed; i < committed + pending; i++) {
            writer.record(LedgerFixtures.entry(prefix + i));
        }
        System.out.println("READY");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
