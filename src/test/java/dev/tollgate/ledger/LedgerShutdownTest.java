package dev.tollgate.ledger;

import static dev.tollgate.ledger.LedgerFixtures.entry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.testing.PostgresResource;
import io.quarkus.runtime.Application;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A graceful shutdown drains the queue into PostgreSQL before the datasource closes. The writer is held
 * back (an hour-long batch window, batches larger than the test) so every row is still queued when the
 * app stops; the app is really stopped, as on SIGTERM, and the rows are counted over a fresh connection.
 * If the drain ran after the datasource closed, the rows would be left in the spool and the count would
 * be zero.
 */
@QuarkusTest
@QuarkusTestResource(PostgresResource.class)
@TestProfile(LedgerShutdownTest.HeldBack.class)
class LedgerShutdownTest {

    /**
     * A fixed path, not a random temporary one: Quarkus loads this class twice (JUnit's and the app's class
     * loader), and the profile and the test must agree on the directory.
     */
    static final Path SPOOL = Path.of("target", "ledger-shutdown-spool").toAbsolutePath();

    public static class HeldBack implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            removeSpool(); // left by an earlier run
            return Map.of(
                    "tollgate.ledger.spool.directory", SPOOL.toString(),
                    "tollgate.ledger.flush-interval", "1h",
                    "tollgate.ledger.batch-size", "100000");
        }
    }

    @Inject
    UsageLedger ledger;

    @AfterAll
    static void removeSpool() {
        if (!Files.exists(SPOOL)) {
            return;
        }
        try (Stream<Path> files = Files.walk(SPOOL)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void stoppingTheAppWritesEveryQueuedRowFirst() throws Exception {
        String url = ConfigProvider.getConfig().getValue("quarkus.datasource.jdbc.url", String.class);
        String user = ConfigProvider.getConfig().getValue("quarkus.datasource.username", String.class);
        String password = ConfigProvider.getConfig().getValue("quarkus.datasource.password", String.class);
        String prefix = "shutdown-" + UUID.randomUUID() + "-";
        int n = 3000;
        for (int i = 0; i < n; i++) {
            ledger.record(entry(prefix + i));
        }
        String count = "select count(*) from usage_ledger where request_id like ?";
        assertEquals(0, LedgerFixtures.count(url, user, password, count, prefix + "%"), "held back until shutdown");

        Application.currentApplication().stop();

        assertEquals(n, LedgerFixtures.count(url, user, password, count, prefix + "%"));
        assertTrue(Files.exists(SPOOL.resolve(Spool.CHECKPOINT)), "the app used this spool");
        assertEquals(0, LedgerFixtures.segments(SPOOL), "nothing left to replay");
    }
}
