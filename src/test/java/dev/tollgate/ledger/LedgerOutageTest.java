package dev.tollgate.ledger;

import static dev.tollgate.ledger.LedgerFixtures.entry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL restarting under load. The server is really stopped ({@code pg_ctl stop -m fast}: sessions
 * killed, connections refused) while four threads keep recording, and started again on the same port
 * with the same data, as an operator's restart or a failover to the same address looks to the app. The
 * engine runs outside Quarkus here only because the app's datasource points at a server the test cannot
 * stop; its connections come from an Agroal pool configured like the app's.
 */
class LedgerOutageTest {

    @TempDir
    Path spool;

    private TestPostgres db;
    private LedgerWriter writer;
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @BeforeEach
    void startDatabase() {
        db = TestPostgres.start();
    }

    @AfterEach
    void stop() {
        if (writer != null) {
            writer.close();
        }
        db.close();
    }

    @Test
    void rowsRecordedWhileThePostgresServerRestartsAllLandOnce() throws Exception {
        // Small segments and a small memory queue: during the outage most rows live only in the spool.
        int memoryQueue = 200;
        writer = LedgerWriter.start(new LedgerStore(db.pool()),
                LedgerFixtures.settings(spool, 64 * 1024, 100, Duration.ofMillis(20), memoryQueue), registry);
        String prefix = "outage-" + UUID.randomUUID() + "-";
        int threads = 4;
        int perThread = 1500;
        int total = threads * perThread;

        AtomicInteger recorded = new AtomicInteger();
        CountDownLatch thirdRecorded = new CountDownLatch(1);
        CountDownLatch serverStopped = new CountDownLatch(1);
        CountDownLatch twoThirdsRecorded = new CountDownLatch(1);
        CountDownLatch serverRestarted = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            done.add(pool.submit(() -> {
                for (int i = 0; i < perThread; i++) {
                    writer.record(entry(prefix + thread + "-" + i));
                    int n = recorded.incrementAndGet();
                    if (n == total / 3) {
                        thirdRecorded.countDown();
                    } else if (n == 2 * total / 3) {
                        twoThirdsRecorded.countDown();
                    }
                    // Recording goes on while the server is down, but the last third waits for the restart,
                    // so that some rows are recorded during recovery.
                    if (n > total / 3 && n <= 2 * total / 3) {
                        serverStopped.await();
                    } else if (n > 2 * total / 3) {
                        serverRestarted.await();
                    }
                }
                return null;
            }));
        }

        thirdRecorded.await();
        db.stop();
        serverStopped.countDown();
        twoThirdsRecorded.await();
        awaitWriteFailure();
        assertTrue(writer.memoryDepth() <= memoryQueue, "memory holds at most " + memoryQueue);
        assertTrue(LedgerFixtures.segments(spool) > 1, "rows wait in the spool, across segments");
        assertFalse(writer.flush(Duration.ofMillis(100)), "nothing is claimed committed while the server is down");

        db.restart();
        serverRestarted.countDown();
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
        assertTrue(writer.flush(Duration.ofMinutes(2)));

        assertEquals(total, db.count("select count(*) from usage_ledger where request_id like ?", prefix + "%"));
        assertEquals(total, registry.get("tollgate.ledger.rows.written").counter().count()
                + registry.get("tollgate.ledger.rows.duplicate").counter().count());
        assertEquals(0, registry.get("tollgate.ledger.rows.rejected").counter().count());
        assertEquals(0, writer.backlog());
        // the writer deletes them just after it reports the flush done
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (LedgerFixtures.segments(spool) > 1 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(1, LedgerFixtures.segments(spool), "committed segments are deleted");
    }

    @Test
    void rowsTheLedgerHasCountedAsCommittedSurviveAPostgresCrash() throws Exception {
        // The test server, like zonky's default, commits asynchronously: a crash can lose the last commits
        // unless the ledger's own transactions wait for their WAL.
        writer = LedgerWriter.start(new LedgerStore(db.pool()), LedgerFixtures.settings(spool), registry);
        String prefix = "crash-" + UUID.randomUUID() + "-";
        int perRound = 200;
        int rounds = 3;
        for (int r = 0; r < rounds; r++) {
            for (int i = 0; i < perRound; i++) {
                writer.record(entry(prefix + r + "-" + i));
            }
            assertTrue(writer.flush(Duration.ofMinutes(1)));
            db.crash(); // right after the commit: the spool has already let go of these rows
            db.restart();
            assertEquals((long) (r + 1) * perRound,
                    db.count("select count(*) from usage_ledger where request_id like ?", prefix + "%"),
                    "rows committed before crash " + (r + 1));
        }
    }

    /** Waits (not a timing assertion: the bound only stops a broken build from hanging) for a failed write. */
    private void awaitWriteFailure() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (registry.get("tollgate.ledger.write.failures").counter().count() == 0) {
            assertTrue(System.nanoTime() < deadline, "the writer never noticed the server was down");
            Thread.sleep(20);
        }
    }
}
