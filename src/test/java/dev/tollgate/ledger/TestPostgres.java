package dev.tollgate.ledger;

import io.agroal.api.AgroalDataSource;
import io.agroal.api.configuration.supplier.AgroalDataSourceConfigurationSupplier;
import io.agroal.api.exceptionsorter.PostgreSQLExceptionSorter;
import io.agroal.api.security.NamePrincipal;
import io.agroal.api.security.SimplePassword;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.flywaydb.core.Flyway;

/**
 * A real PostgreSQL 17 with Tollgate's migrations, for tests that run the ledger engine or the price book
 * outside the app.
 * Its data directory and port are kept, so it can be stopped and started again like a server restart.
 * Connections come from an Agroal pool set up as Quarkus sets it up for PostgreSQL (same exception
 * sorter), so broken connections are dropped from the pool as they are in the app.
 */
public final class TestPostgres implements AutoCloseable {

    public static final String USER = "postgres";
    public static final String PASSWORD = "postgres";

    private static TestPostgres shared;

    private final Path dataDir;
    private int port;
    private EmbeddedPostgres pg;
    private AgroalDataSource pool;

    private TestPostgres(Path dataDir) {
        this.dataDir = dataDir;
    }

    /** One server for the whole test run, for tests that do not stop it. */
    static synchronized TestPostgres shared() {
        if (shared == null) {
            shared = start();
            Runtime.getRuntime().addShutdownHook(new Thread(shared::close));
        }
        return shared;
    }

    public static TestPostgres start() {
        try {
            TestPostgres db = new TestPostgres(Files.createTempDirectory("ledger-test-pg"));
            db.startServer();
            Flyway.configure().dataSource(db.url(), USER, PASSWORD).locations("classpath:db/migration").load().migrate();
            return db;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void startServer() throws IOException {
        // Our own close() stops it and then removes the data; zonky's hook would race with that.
        EmbeddedPostgres.Builder b = EmbeddedPostgres.builder().setDataDirectory(dataDir).setCleanDataDirectory(false)
                .setRegisterShutdownHook(false).setPGStartupWait(Duration.ofSeconds(60)); // a loaded machine
        if (port != 0) {
            b.setPort(port);
        }
        pg = b.start();
        port = pg.getPort();
    }

    /** Stops the server the way an operator's restart does ({@code pg_ctl stop -m fast}). */
    public void stop() throws IOException {
        pg.close();
        pg = null;
    }

    /**
     * Kills the server outright, as a crash of the database host's processes does: SIGKILL to the postmaster
     * and every backend, so nothing still in PostgreSQL's shared memory reaches its files.
     */
    void crash() throws Exception {
        long pid = Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).trim());
        ProcessHandle postmaster = ProcessHandle.of(pid).orElseThrow();
        List<ProcessHandle> all = Stream.concat(Stream.of(postmaster), postmaster.descendants()).toList();
        all.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle p : all) {
            p.onExit().get(30, TimeUnit.SECONDS);
        }
        pg.close(); // pg_ctl stop finds no server (logged); this releases zonky's lock on the data directory
        pg = null;
    }

    /** Starts it again on the same port with the same data. */
    public void restart() throws IOException {
        startServer();
    }

    public String url() {
        return "jdbc:postgresql://localhost:" + port + "/postgres";
    }

    public synchronized AgroalDataSource pool() {
        if (pool == null) {
            try {
                pool = AgroalDataSource.from(new AgroalDataSourceConfigurationSupplier()
                        .connectionPoolConfiguration(p -> p.maxSize(5)
                                .acquisitionTimeout(Duration.ofSeconds(5))
                                .exceptionSorter(new PostgreSQLExceptionSorter())
                                .connectionFactoryConfiguration(f -> f.jdbcUrl(url())
                                        .principal(new NamePrincipal(USER))
                                        .credential(new SimplePassword(PASSWORD)))));
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }
        return pool;
    }

    long count(String sql, Object... args) throws SQLException {
        return LedgerFixtures.count(url(), USER, PASSWORD, sql, args);
    }

    @Override
    public synchronized void close() {
        if (pool != null) {
            pool.close();
            pool = null;
        }
        try {
            if (pg != null) {
                pg.close();
                pg = null;
            }
            // The server's last files (statistics, WAL) may appear just after it reports stopped.
            for (int i = 0; i < 50 && Files.exists(dataDir); i++) {
                try (Stream<Path> files = Files.walk(dataDir)) {
                    files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                } catch (IOException | UncheckedIOException raced) {
                    // a file vanished or appeared while walking: try again
                }
                if (Files.exists(dataDir)) {
                    Thread.sleep(100);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
