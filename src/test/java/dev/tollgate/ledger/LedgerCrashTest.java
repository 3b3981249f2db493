package dev.tollgate.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9: a separate JVM records rows, gets some committed and is killed with SIGKILL while the rest are
 * only in its spool. The next start on that spool writes exactly the missing rows: none lost, none
 * duplicated, whether the checkpoint survived or not, even with a line torn by the kill.
 */
class LedgerCrashTest {

    private static final int COMMITTED = 700;
    private static final int PENDING = 1300;
    /** The recorder's spool rotates often (and deletes committed segments) or not at all. */
    private static final long SMALL_SEGMENTS = 64 * 1024;
    private static final long ONE_SEGMENT = 64 * 1024 * 1024;

    @TempDir
    Path spool;

    @TempDir
    Path logs;

    @Test
    void rowsSpooledButNotCommittedAreWrittenAtTheNextStart() throws Exception {
        String prefix = killAfterRecording(SMALL_SEGMENTS);
        Counts counts = restartAndFlush();
        assertEquals(COMMITTED + PENDING, rows(prefix));
        assertEquals(PENDING, counts.written(),
                "the checkpoint skips what was committed");
        assertEquals(0, counts.duplicate());
    }

    @Test
    void withoutTheCheckpointCommittedRowsAreReplayedButNotDuplicated() throws Exception {
        String prefix = killAfterRecording(ONE_SEGMENT); // so that every committed row is still in the spool
        Files.delete(spool.resolve(Spool.CHECKPOINT));
        Counts counts = restartAndFlush();
        assertEquals(COMMITTED + PENDING, rows(prefix));
        assertEquals(PENDING, counts.written());
        assertEquals(COMMITTED, counts.duplicate());
    }

    @Test
    void aLineTornByTheKillIsSetAsideAndEveryWholeRowLands() throws Exception {
        String prefix = killAfterRecording(SMALL_SEGMENTS);
        Path last;
        try (Stream<Path> files = Files.list(spool)) {
            last = files.filter(f -> f.getFileName().toString().endsWith(".spool")).sorted().reduce((a, b) -> b)
                    .orElseThrow();
        }
        byte[] line = SpoolCodec.encode(LedgerFixtures.entry(prefix + "torn"));
        Files.write(last, java.util.Arrays.copyOf(line, line.length / 3), StandardOpenOption.APPEND);
        Counts counts = restartAndFlush();
        assertEquals(COMMITTED + PENDING, rows(prefix));
        assertEquals(1, counts.rejected());
        assertTrue(Files.readString(spool.resolve(Spool.REJECTED)).contains("torn last line"));
    }

    /** Starts the recorder in a new JVM, waits for READY, kills it with SIGKILL; returns its prefix. */
    private String killAfterRecording(long segmentBytes) throws Exception {
        TestPostgres db = TestPostgres.shared();
        String prefix = "crash-" + UUID.randomUUID() + "-";
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path log = logs.resolve("crashing-recorder.log");
        Process p = new ProcessBuilder(java, "-Xmx128m", "-cp", System.getProperty("java.class.path"),
                CrashingRecorder.class.getName(), spool.toString(), db.url(), TestPostgres.USER, TestPostgres.PASSWORD,
                prefix, String.valueOf(COMMITTED), String.valueOf(PENDING), String.valueOf(segmentBytes))
                .redirectError(log.toFile()).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String ready = out.readLine();
            assertEquals("READY", ready, () -> "the recorder failed:\n" + read(log));
            p.destroyForcibly(); // SIGKILL: no shutdown hook, no drain, no close
            assertTrue(p.waitFor(1, TimeUnit.MINUTES));
        } finally {
            p.destroyForcibly();
        }
        assertEquals(137, p.exitValue(), "killed by SIGKILL");
        assertEquals(COMMITTED, rows(prefix), "only the flushed rows were committed before the kill");
        return prefix;
    }

    /** What the restarted writer did, read before it closes (closing unregisters its meters). */
    private record Counts(double written, double duplicate, double rejected) {
    }

    private Counts restartAndFlush() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        LedgerWriter writer = LedgerWriter.start(new LedgerStore(TestPostgres.shared().pool()),
                LedgerFixtures.settings(spool), registry);
        Counts counts;
        try {
            assertTrue(writer.flush(Duration.ofMinutes(1)));
            assertEquals(0, writer.backlog());
            counts = new Counts(registry.get("tollgate.ledger.rows.written").counter().count(),
                    registry.get("tollgate.ledger.rows.duplicate").counter().count(),
                    registry.get("tollgate.ledger.rows.rejected").counter().count());
        } finally {
            writer.close();
        }
        assertEquals(List.of(), segmentsLeft(), "a clean close after a full replay leaves no segment");
        return counts;
    }

    private List<Path> segmentsLeft() throws IOException {
        try (Stream<Path> files = Files.list(spool)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".spool")).toList();
        }
    }

    private static long rows(String prefix) throws Exception {
        return TestPostgres.shared().count("select count(*) from usage_ledger where request_id like ?", prefix + "%");
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return e.toString();
        }
    }
}
