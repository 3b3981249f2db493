package dev.tollgate.platform;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.emptyString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.restassured.http.ContentType;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged app, started as a newcomer would with no datasource and no admin password configured: it brings
 * up its own PostgreSQL in a data directory, makes a bootstrap admin whose password it writes to a file only this
 * account can read (never to the log), and a tenant created before a restart is still there after it.
 */
class EmbeddedDefaultIT {

    @TempDir
    Path workDir;

    private int dbPort;
    private int managementPort;
    private String password;

    @Test
    void startsOnItsOwnDatabaseAndKeepsDataAcrossRestarts() throws Exception {
        int port = freePort();
        dbPort = freePort();
        managementPort = freePort();
        Process first = start(port);
        try {
            awaitReady(first);
            Path passwordFile = workDir.resolve("data/bootstrap-admin-password");
            assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(passwordFile));
            password = Files.readString(passwordFile).trim();
            assertTrue(password.length() >= 20, "a generated password");
            String log = Files.readString(workDir.resolve("app.log"));
            assertTrue(log.contains(passwordFile.toString()), "the log says where the password is");
            assertFalse(log.contains(password), "the password itself is never logged");
            assertFalse(log.contains("TOLLGATE_SESSION_KEY is not set"), "a trial on its own database needs none");
            // zonky's defaults are a test server's (fsync off, asynchronous commit); this one holds the ledger.
            assertEquals("on", databaseSetting("fsync"));
            assertEquals("on", databaseSetting("synchronous_commit"));
            given().port(port).auth().preemptive().basic("admin", password).contentType(ContentType.JSON)
                    .body(Map.of("slug", "survivor", "displayName", "Survivor Inc"))
                    .post("/api/admin/tenants").then().statusCode(201);
            // no upstream configured: the built-in simulator answers, and the real API is never called
            String key = given().port(port).auth().preemptive().basic("admin", password).contentType(ContentType.JSON)
                    .body(Map.of("name", "first")).post("/api/admin/tenants/survivor/keys")
                    .then().statusCode(201).extract().path("key");
            given().port(port).header("Authorization", "Bearer " + key).contentType(ContentType.JSON)
                    .body("{\"model\":\"deepseek-v4-flash\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}")
                    .post("/v1/chat/completions").then().statusCode(200)
                    .body("choices[0].message.content", not(emptyString()));
        } finally {
            stop(first);
        }
        assertTrue(Files.exists(workDir.resolve("data/postgres/PG_VERSION")), "data directory created");

        // a typo in an environment variable is named at start (SmallRye ignores unknown ones there)
        Process second = start(port, Map.of("TOLLGATE_GATEWAY_MAX_ATTEMTPS", "2", "TOLLGATE_GATEWAY_MAX_ATTEMPTS", "2",
                "TOLLGATE_SESSION_KEY", "a-session-key-of-at-least-32-characters"));
        try {
            awaitReady(second);
            String log = Files.readString(workDir.resolve("app.log"));
            assertTrue(log.contains("Environment variable TOLLGATE_GATEWAY_MAX_ATTEMTPS sets no Tollgate setting"),
                    log);
            assertFalse(log.contains("Environment variable TOLLGATE_GATEWAY_MAX_ATTEMPTS sets"), log);
            assertFalse(log.contains("Environment variable TOLLGATE_SESSION_KEY sets"), "referred to by a setting");
            assertFalse(log.contains("Environment variable TOLLGATE_EMBEDDED_DB_PORT sets"), "read before the config");
            given().port(port).auth().preemptive().basic("admin", password)
                    .get("/api/admin/tenants/survivor").then().statusCode(200)
                    .body("displayName", equalTo("Survivor Inc"));

            // on an external database (here that one) a missing key is a mistake, not a trial: the start stops
            String refusal = startRefused(freePort(), onTheRunningDatabase("keyless", Map.of()),
                    "an app without an upstream");
            assertTrue(refusal.contains("No upstream is configured: set DEEPSEEK_API_KEY (or an endpoint under"
                    + " tollgate.upstream.endpoints), or tollgate.simulator.enabled=true"), refusal);

            // settings that could only fail every call or login later stop the start, each named
            refusal = startRefused(freePort(), onTheRunningDatabase("impossible", Map.of(
                    "TOLLGATE_GATEWAY_MAX_BODY_BYTES", "0", "TOLLGATE_AUTH_LOGIN_FAILURES_ALLOWED", "-1",
                    "TOLLGATE_KEYS_OUTAGE_GRACE", "-5s", "TOLLGATE_LEDGER_PARTITIONS_AHEAD", "-1",
                    "DEEPSEEK_API_KEY", "sk-test")), "an app with impossible settings");
            for (String line : List.of("tollgate.gateway.max-body-bytes must be greater than 0",
                    "tollgate.auth.login-failures-allowed must be greater than 0",
                    "tollgate.keys.outage-grace must be longer than or equal to 0",
                    "tollgate.ledger.partitions-ahead must be greater than or equal to 0")) {
                assertTrue(refusal.contains(line), line + " in " + refusal);
            }

            // a replica on a shared database whose login cookies only it can read, until it restarts: said at start
            Process other = start(freePort(), onTheRunningDatabase("replica", Map.of("DEEPSEEK_API_KEY", "sk-test")));
            try {
                awaitLog(other, "TOLLGATE_SESSION_KEY is not set: console logins are encrypted with a key made at"
                        + " this start");
            } finally {
                stop(other);
            }
        } finally {
            stop(second);
        }

        // an upstream whose base URL names no host: the start stops, saying which setting, before any call is taken
        String log = startRefused(port, Map.of("DEEPSEEK_API_KEY", "sk-test", "DEEPSEEK_BASE_URL", "vllm:8000/v1"),
                "a misconfigured app");
        assertTrue(log.contains("tollgate.upstream.endpoints.deepseek.base-url must be an http or https URL"), log);
        assertFalse(log.contains("sk-test"), "the key is not in the log");
    }

    private String databaseSetting(String name) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://localhost:" + dbPort + "/postgres",
                "postgres", "postgres"); ResultSet rs = c.createStatement().executeQuery("show " + name)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private Process start(int port) throws IOException {
        return start(port, Map.of());
    }

    private Process start(int port, Map<String, String> settings) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", System.getProperty("app.jar", "target/quarkus-app/quarkus-run.jar"))
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(new File(workDir.toFile(), "app.log")));
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("QUARKUS_DATASOURCE") || k.startsWith("DEEPSEEK_"));
        env.put("QUARKUS_HTTP_PORT", String.valueOf(port));
        env.put("TOLLGATE_EMBEDDED_DB_PORT", String.valueOf(dbPort));
        env.put("QUARKUS_MANAGEMENT_PORT", String.valueOf(managementPort));
        env.remove("TOLLGATE_ADMIN_PASSWORD");
        env.putAll(settings);
        return pb.start();
    }

    private void awaitReady(Process app) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
        while (Instant.now().isBefore(deadline)) {
            if (!app.isAlive()) {
                throw new AssertionError("app exited early:\n" + Files.readString(workDir.resolve("app.log")));
            }
            try {
                if (given().port(managementPort).get("/q/health/ready").statusCode() == 200) {
                    return;
                }
            } catch (Exception notYet) {
                // still starting
            }
            Thread.sleep(250);
        }
        throw new AssertionError("app not ready in 90 s:\n" + Files.readString(workDir.resolve("app.log")));
    }

    /**
     * Settings for another instance on the running one's PostgreSQL, taken as an external database: with a spool
     * directory and a management port of its own.
     */
    private Map<String, String> onTheRunningDatabase(String name, Map<String, String> settings) throws IOException {
        Map<String, String> all = new HashMap<>(settings);
        all.put("QUARKUS_DATASOURCE_JDBC_URL", "jdbc:postgresql://localhost:" + dbPort + "/postgres");
        all.put("QUARKUS_DATASOURCE_USERNAME", "postgres");
        all.put("QUARKUS_DATASOURCE_PASSWORD", "postgres");
        all.put("TOLLGATE_DATA_DIR", workDir.resolve(name).toString());
        all.put("QUARKUS_MANAGEMENT_PORT", String.valueOf(freePort()));
        return all;
    }

    /** Starts the app with settings it must refuse: it stops by itself, failing; returns the log. */
    private String startRefused(int port, Map<String, String> settings, String what) throws Exception {
        Process app = start(port, settings);
        try {
            assertTrue(app.waitFor(90, TimeUnit.SECONDS), what + " does not start");
            assertNotEquals(0, app.exitValue());
            return Files.readString(workDir.resolve("app.log"));
        } finally {
            app.destroyForcibly();
        }
    }

    /** Waits for a line in the apps' log while the app runs. */
    private void awaitLog(Process app, String text) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
        while (!Files.readString(workDir.resolve("app.log")).contains(text)) {
            if (!app.isAlive() || Instant.now().isAfter(deadline)) {
                throw new AssertionError("no '" + text + "' in the log:\n"
                        + Files.readString(workDir.resolve("app.log")));
            }
            Thread.sleep(250);
        }
    }

    /** SIGTERM, as an orchestrator stops it: the app shuts down gracefully and stops its database. */
    private static void stop(Process app) throws InterruptedException {
        app.destroy();
        if (!app.waitFor(60, TimeUnit.SECONDS)) {
            app.destroyForcibly();
            throw new AssertionError("app did not stop within 60 s of SIGTERM");
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
