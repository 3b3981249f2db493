package dev.tollgate.ledger;

import static dev.tollgate.ledger.LedgerFixtures.entry;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.ConfigProvider;
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

    static final Path SPOOL;

    static {
        try {
            SPOOL = Files.createTempDirectory("ledger-shutdown-spool");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static class HeldBack implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "tollgate.ledger.spool.directory", SPOOL.toString(),
                    "tollgate.ledger.flush-interval", "1h",
                    "tollgate.ledger.batch-size", "100000");
        }
    }

    @Inject
    UsageLedger ledger;

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
        assertEquals(0, LedgerFixtures.segments(SPOOL), "nothing left to replay");
    }
}
