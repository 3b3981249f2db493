package dev.tollgate.ledger;

import static dev.tollgate.ledger.LedgerFixtures.entry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.testing.LogCapture;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Faults other than an unreachable database: a row the database refuses, a spool that cannot be written. */
class LedgerFaultTest {

    @TempDir
    Path spool;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private LedgerWriter writer;

    @BeforeEach
    void start() throws Exception {
        writer = LedgerWriter.start(new LedgerStore(TestPostgres.shared().pool()), LedgerFixtures.settings(spool),
                registry);
    }

    @AfterEach
    void stop() {
        writer.close();
    }

    private static long rows(String prefix) throws Exception {
        return TestPostgres.shared().count("select count(*) from usage_ledger where request_id like ?", prefix + "%");
    }

    private double counter(String name) {
        return registry.get(name).counter().count();
    }

    @Test
    void aRowTheDatabaseRefusesIsSetAsideAndTheRestOfItsBatchLands() throws Exception {
        String prefix = "refused-" + UUID.randomUUID() + "-";
        for (int i = 0; i < 300; i++) {
            LedgerEntry e = entry(prefix + i);
            if (i == 123) {
                // PostgreSQL text cannot hold a NUL character: refused as data (22021), whatever the retries.
                e = LedgerEntry.builder(prefix + i, 1, 7, 11, "deepseek-chat", LedgerFixtures.RECEIVED)
                        .userId("nul\u0000inside").build();
            }
            writer.record(e);
        }
        assertTrue(writer.flush(Duration.ofMinutes(1)));
        writer.record(entry(prefix + "after"));
        assertTrue(writer.flush(Duration.ofMinutes(1)));

        assertEquals(300, rows(prefix), "299 of the batch and the row after it");
        assertEquals(1, counter("tollgate.ledger.rows.rejected"));
        String rejected = Files.readString(spool.resolve(Spool.REJECTED));
        assertTrue(rejected.contains("refused by the database: 22021"), rejected);
        assertTrue(rejected.contains(prefix + "123"), rejected);
    }

    @Test
    void anErrorInTheWriterIsRetriedLikeAnyFailureAndDoesNotEndIt() throws Exception {
        AtomicBoolean thrown = new AtomicBoolean();
        DataSource failingOnce = failingWhen(() -> thrown.compareAndSet(false, true)
                ? new OutOfMemoryError("Java heap space (a passing spike, in this test)") : null);
        writer.close();
        writer = LedgerWriter.start(new LedgerStore(failingOnce), LedgerFixtures.settings(spool), registry);
        String prefix = "after-error-" + UUID.randomUUID() + "-";
        for (int i = 0; i < 10; i++) {
            writer.record(entry(prefix + i));
        }
        assertTrue(writer.flush(Duration.ofMinutes(1)), "the writer goes on after the error");
        assertTrue(thrown.get());
        assertEquals(10, rows(prefix));
    }

    @Test
    void aRefusedRowIsSetAsideOnceWhenTheConnectionDropsBeforeTheRestOfItsBatchLands() throws Exception {
        // the first connection asked for after the row was set aside fails, as when the database restarts
        AtomicBoolean dropped = new AtomicBoolean();
        DataSource flaky = failingWhen(() -> counter("tollgate.ledger.rows.rejected") >= 1
                && dropped.compareAndSet(false, true) ? new SQLException("connection lost", "08006") : null);
        writer.close();
        // one batch of all 300, so the refused row and the connection drop fall in the same one
        writer = LedgerWriter.start(new LedgerStore(flaky),
                LedgerFixtures.settings(spool, 16 * 1024 * 1024, 500, Duration.ofHours(1), 10_000), registry);
        String prefix = "refused-once-" + UUID.randomUUID() + "-";
        for (int i = 0; i < 300; i++) {
            writer.record(i == 123 ? LedgerEntry.builder(prefix + i, 1, 7, 11, "deepseek-chat", LedgerFixtures.RECEIVED)
                    .userId("nul\u0000inside").build() : entry(prefix + i));
        }
        assertTrue(writer.flush(Duration.ofMinutes(1)));

        assertTrue(dropped.get(), "the connection dropped after the row was set aside");
        assertEquals(299, rows(prefix));
        assertEquals(1, counter("tollgate.ledger.rows.rejected"), "set aside once, not again on the retry");
        String rejected = Files.readString(spool.resolve(Spool.REJECTED));
        assertEquals(1, rejected.split(prefix + "123", -1).length - 1, rejected);
        assertEquals(0, writer.backlog());
    }

    @Test
    void aRowTheSpoolCannotTakeIsWrittenFromMemoryAndTheSpoolRecovers() throws Exception {
        String prefix = "unspooled-" + UUID.randomUUID() + "-";
        writer.record(entry(prefix + "before"));
        assertTrue(writer.flush(Duration.ofMinutes(1)));
        // The spool file becomes unwritable (in real life: disk full, an I/O error).
        Field active = Spool.class.getDeclaredField("activeChannel");
        active.setAccessible(true);
        ((FileChannel) active.get(writer.spool())).close();
        for (int i = 0; i < 50; i++) {
            writer.record(entry(prefix + i));
        }
        assertTrue(writer.flush(Duration.ofMinutes(1)));

        assertEquals(51, rows(prefix));
        assertEquals(1, counter("tollgate.ledger.spool.failures"), "the next row went to a new spool file");
        assertEquals(50, counter("tollgate.ledger.rows.recorded") - 1);
    }

    @Test
    void aRowOnlyMemoryHoldsIsLoggedAtShutdownEvenWhileItsWriteHangs() throws Exception {
        // the database stops answering: a connection is asked for and never comes
        CountDownLatch answer = new CountDownLatch(1);
        CountDownLatch asked = new CountDownLatch(1);
        DataSource hanging = (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
                    asked.countDown();
                    answer.await();
                    throw new SQLException("no answer", "08006");
                });
        try (LogCapture log = LogCapture.of(LedgerWriter.class)) {
            writer.close();
            writer = LedgerWriter.start(new LedgerStore(hanging), LedgerFixtures.settings(spool), registry);
            String id = "in-flight-" + UUID.randomUUID();
            Field active = Spool.class.getDeclaredField("activeChannel");
            active.setAccessible(true);
            ((FileChannel) active.get(writer.spool())).close(); // so the row is held in memory only
            writer.record(entry(id));
            // the writer takes it and waits for the database
            assertTrue(asked.await(30, TimeUnit.SECONDS), "the writer asked the database for a connection");
            writer.close();
            assertTrue(log.messages().stream().anyMatch(m -> m.contains("still unanswered at shutdown") && m.contains(id)),
                    String.join("\n", log.messages()));
        } finally {
            answer.countDown();
        }
    }

    @Test
    void aRefusedRowGoesToTheLogWhenTheRejectedFileCannotBeWrittenAndTheRestStillLands() throws Exception {
        Files.createDirectory(spool.resolve(Spool.REJECTED)); // so the rejected file cannot be opened
        try (LogCapture log = LogCapture.of(LedgerWriter.class)) {
            String prefix = "unquarantined-" + UUID.randomUUID() + "-";
            for (int i = 0; i < 50; i++) {
                writer.record(i == 7 ? LedgerEntry.builder(prefix + i, 1, 7, 11, "deepseek-chat", LedgerFixtures.RECEIVED)
                        .userId("nul\u0000inside").build() : entry(prefix + i));
            }
            assertTrue(writer.flush(Duration.ofMinutes(1)), "the rows behind the refused one are not held up");
            assertEquals(49, rows(prefix));
            assertEquals(1, counter("tollgate.ledger.rows.rejected"));
            assertTrue(log.messages().stream().anyMatch(m -> m.contains("cannot be written") && m.contains(prefix + "7")),
                    String.join("\n", log.messages()));
        }
    }

    /**
     * The spool failing for good (its directory gone) while the database does not answer: memory holds at most
     * the memory queue, and every row past it is written whole to the log, not kept until the process runs out
     * of memory. The instance says it is not ready meanwhile, and ready again once the spool can be written.
     */
    @Test
    void withTheSpoolAndTheDatabaseBothFailingMemoryStaysBoundedAndTheRestIsLogged() throws Exception {
        CountDownLatch answer = new CountDownLatch(1);
        DataSource hanging = (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
                    answer.await();
                    throw new SQLException("no answer", "08006");
                });
        Path files = Files.createDirectory(spool.resolve("run"));
        try (LogCapture log = LogCapture.of(LedgerWriter.class)) {
            writer.close();
            writer = LedgerWriter.start(new LedgerStore(hanging),
                    LedgerFixtures.settings(files, 16 * 1024 * 1024, 10, Duration.ofMillis(20), 100), registry);
            assertTrue(writer.spoolWritable());
            Field active = Spool.class.getDeclaredField("activeChannel");
            active.setAccessible(true);
            ((FileChannel) active.get(writer.spool())).close();
            try (var old = Files.list(files)) {
                for (Path f : old.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(files);
            Files.createFile(files); // no new spool file can be made where the directory was
            String prefix = "nowhere-" + UUID.randomUUID() + "-";
            for (int i = 0; i < 300; i++) {
                writer.record(entry(prefix + i));
            }
            double kept = registry.get("tollgate.ledger.queue.memory").gauge().value();
            double loggedRows = counter("tollgate.ledger.rows.logged");
            assertTrue(kept <= 100, "memory holds at most the memory queue: " + kept);
            assertTrue(loggedRows >= 300 - 100 - 10 && loggedRows <= 200, "logged " + loggedRows);
            assertEquals((long) loggedRows, log.messages().stream().filter(m -> m.contains("neither spooled nor kept")
                    && m.contains(prefix)).count());
            assertFalse(writer.spoolWritable());
            // the directory back: ready again at the next readiness check, before any call has come
            Files.delete(files);
            Files.createDirectory(files);
            assertTrue(writer.spoolWritable());
        } finally {
            answer.countDown();
            if (!Files.isDirectory(files)) {
                Files.deleteIfExists(files);
                Files.createDirectory(files);
            }
        }
    }

    @Test
    void rowsOfAMonthWhosePartitionALongReportBlocksStillLand() throws Exception {
        String prefix = "blocked-month-" + UUID.randomUUID() + "-";
        Instant received = Instant.parse("2043-02-10T08:00:00Z"); // a month no other test creates
        try (Connection report = TestPostgres.shared().pool().getConnection()) {
            report.setAutoCommit(false);
            try (Statement st = report.createStatement()) {
                st.execute("select count(*) from usage_ledger");
            }
            for (int i = 0; i < 3; i++) {
                writer.record(entry(prefix + i, 1, received));
            }
            // while the report runs, the month cannot get its partition: its rows go to the default one
            assertTrue(writer.flush(Duration.ofMinutes(1)));
            assertEquals(3, rows(prefix));
            assertEquals(0, counter("tollgate.ledger.write.failures"), "no batch failed for it");
            report.rollback();
            report.setAutoCommit(true);
        }
        assertEquals(3, TestPostgres.shared().count(
                "select count(*) from usage_ledger_default where request_id like ?", prefix + "%"));
    }

    @Test
    void creatingAPartitionGivesUpRatherThanQueueBehindALongReport() throws Exception {
        LedgerStore store = new LedgerStore(TestPostgres.shared().pool());
        Instant month = Instant.parse("2041-07-15T00:00:00Z"); // a month no other test creates
        try (Connection report = TestPostgres.shared().pool().getConnection()) {
            report.setAutoCommit(false);
            try (Statement st = report.createStatement()) {
                st.execute("select count(*) from usage_ledger"); // its lock lasts until the report's transaction ends
            }
            // Without a lock timeout this waits as long as the report runs, and every insert waits behind it.
            SQLException refused = assertTimeoutPreemptively(Duration.ofSeconds(60),
                    () -> assertThrows(SQLException.class, () -> store.ensurePartition(month)));
            assertEquals("55P03", refused.getSQLState(), refused.getMessage()); // lock_not_available: retried
            report.rollback();
            report.setAutoCommit(true);
        }
        store.ensurePartition(month);
        assertEquals(1, TestPostgres.shared().count("select count(*) from pg_class where relname = 'usage_ledger_2041_07'"));
    }

    /** The test database's pool, except that a connection asked for when {@code failure} gives one throws that. */
    private static DataSource failingWhen(Supplier<Throwable> failure) {
        DataSource real = TestPostgres.shared().pool();
        return (DataSource) Proxy.newProxyInstance(LedgerFaultTest.class.getClassLoader(),
                new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
                    Throwable thrown = method.getName().equals("getConnection") ? failure.get() : null;
                    if (thrown != null) {
                        throw thrown;
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
