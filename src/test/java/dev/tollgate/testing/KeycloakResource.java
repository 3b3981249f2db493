package dev.tollgate.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real Keycloak 26 for the OIDC tests: the distribution the build unpacked (system property
 * {@code keycloak.home}), started with {@code kc.sh start-dev --import-realm} on a free port, with the realm
 * export shipped in the repo. Keycloak keeps its data in memory, so every start imports the realm afresh.
 * Switches Tollgate to oidc mode against it.
 */
public class KeycloakResource implements QuarkusTestResourceLifecycleManager {

    public static final String REALM = "tollgate";
    public static final String ADMIN_USERNAME = "admin";
    public static final String ADMIN_PASSWORD = "admin";
    static final Path REALM_EXPORT = Path.of("src/main/keycloak/tollgate-realm.json");
    static final Path LOG = Path.of("target/keycloak.log");

    private static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration POLL_EVERY = Duration.ofMillis(500);

    private Process process;
    private Thread shutdownHook;

    @Override
    public Map<String, String> start() {
        Path home = keycloakHome();
        copyRealm(home.resolve("data/import"));
        int port = freePort();
        String realmUrl = "http://localhost:" + port + "/realms/" + REALM;
        try {
            Files.createDirectories(LOG.toAbsolutePath().getParent());
            ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/kc.sh").toString(), "start-dev",
                    "--http-port=" + port, "--import-realm", "--db=dev-mem")
                    .directory(home.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(LOG.toFile());
            // Same JDK as the tests; a small heap, since kc.sh would otherwise take 70% of the machine's memory;
            // C1 only, which starts Keycloak about a third faster on a busy two-core machine.
            pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
            pb.environment().put("JAVA_OPTS_KC_HEAP", "-Xms64m -Xmx512m");
            pb.environment().put("JAVA_OPTS_APPEND", "-XX:TieredStopAtLevel=1");
            // an administrator of Keycloak's master realm, for tests that change the realm's settings for a while
            pb.environment().put("KC_BOOTSTRAP_ADMIN_USERNAME", ADMIN_USERNAME);
            pb.environment().put("KC_BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD);
            // stdin stays a pipe that we never close: start-dev shuts Keycloak down when its stdin reaches EOF,
            // which is what an inherited stdin does in CI.
            pb.redirectInput(ProcessBuilder.Redirect.PIPE);
            System.out.printf("Starting Keycloak on port %d (log: %s)%n", port, LOG.toAbsolutePath());
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start Keycloak from " + home, e);
        }
        shutdownHook = new Thread(this::stopKeycloak, "keycloak-stop");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        awaitRealm(realmUrl);
        return Map.of(
                "tollgate.auth.mode", "oidc",
                "quarkus.oidc.auth-server-url", realmUrl);
    }

    @Override
    public void stop() {
        stopKeycloak();
        if (shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException alreadyShuttingDown) {
                // the hook is running or has run
            }
            shutdownHook = null;
        }
    }

    private synchronized void stopKeycloak() {
        if (process == null) {
            return;
        }
        Process p = process;
        process = null;
        List<ProcessHandle> children = p.descendants().toList();
        p.destroy(); // SIGTERM: kc.sh passes it on to the Keycloak JVM, which shuts down cleanly
        try {
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
        }
        children.forEach(ProcessHandle::destroyForcibly);
    }

    private static Path keycloakHome() {
        String home = System.getProperty("keycloak.home");
        if (home == null || home.isBlank()) {
            throw new IllegalStateException("System property keycloak.home is not set: run the tests through Maven,"
                    + " which unpacks Keycloak into target/keycloak and sets it");
        }
        Path path = Path.of(home).toAbsolutePath();
        if (!Files.isExecutable(path.resolve("bin/kc.sh"))) {
            throw new IllegalStateException("No Keycloak distribution in " + path
                    + " (the build unpacks it during process-test-resources)");
        }
        return path;
    }

    /**
     * Copies the shipped realm into Keycloak's import directory. The only change: the console client may
     * also redirect to any localhost port, because the app under test listens on a random one.
     */
    private static void copyRealm(Path importDir) {
        try {
            ObjectMapper json = new ObjectMapper();
            JsonNode realm = json.readTree(REALM_EXPORT.toFile());
            for (JsonNode client : realm.path("clients")) {
                if ("tollgate-console".equals(client.path("clientId").asText())) {
                    ((ArrayNode) client.path("redirectUris")).add("http://localhost:*");
                }
            }
            // A test-only user holding two roles: finance (sees every tenant) beside tenant-admin of acme.
            ((ArrayNode) realm.path("users")).add(json.readTree("""
                    {"username": "acme.finance", "enabled": true, "emailVerified": true,
                     "firstName": "Fin", "lastName": "Acme", "email": "acme.finance@tollgate.test",
                     "credentials": [{"type": "password", "value": "acme-finance-pass", "temporary": false}],
                     "realmRoles": ["finance", "tenant-admin"], "requiredActions": [],
                     "attributes": {"tenant": ["acme"]}}"""));
            Files.createDirectories(importDir);
            json.writerWithDefaultPrettyPrinter().writeValue(importDir.resolve(REALM + "-realm.json").toFile(), realm);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not copy the realm export " + REALM_EXPORT, e);
        }
    }

    private void awaitRealm(String realmUrl) {
        Duration timeout = Duration.ofSeconds(
                Long.getLong("keycloak.startup-timeout-seconds", DEFAULT_STARTUP_TIMEOUT.toSeconds()));
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest discovery = HttpRequest.newBuilder(URI.create(realmUrl + "/.well-known/openid-configuration"))
                .timeout(Duration.ofSeconds(5)).build();
        long started = System.nanoTime();
        long deadline = started + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                fail("Keycloak exited with code " + process.exitValue() + " before it was ready");
            }
            try {
                if (http.send(discovery, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    System.out.printf("Keycloak ready after %d s%n",
                            Duration.ofNanos(System.nanoTime() - started).toSeconds());
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("Interrupted while waiting for Keycloak");
            }
            try {
                Thread.sleep(POLL_EVERY.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("Interrupted while waiting for Keycloak");
            }
        }
        fail("Keycloak did not serve " + discovery.uri() + " within " + timeout.toSeconds() + " s");
    }

    private void fail(String message) {
        String log;
        try {
            log = Files.readString(LOG, StandardCharsets.UTF_8);
        } catch (IOException e) {
            log = "(no log: " + e + ")";
        }
        System.err.println("---- Keycloak log (" + LOG.toAbsolutePath() + ") ----\n" + log + "\n---- end of Keycloak log ----");
        stop();
        throw new IllegalStateException(message + "; its log is printed above");
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
