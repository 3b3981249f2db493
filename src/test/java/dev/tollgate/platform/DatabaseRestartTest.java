package dev.tollgate.platform;

import static dev.tollgate.testing.TestData.ADMIN;
import static dev.tollgate.testing.TestData.ADMIN_PASSWORD;
import static dev.tollgate.testing.TestData.asAdmin;
import static dev.tollgate.testing.TestData.createTenant;
import static dev.tollgate.testing.TestData.issueKey;
import static dev.tollgate.testing.TestData.uniqueSlug;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.apikey.KeyUsageTracker;
import dev.tollgate.ledger.TestPostgres;
import dev.tollgate.testing.ConsoleSession;
import dev.tollgate.testing.LogCapture;
import dev.tollgate.testing.Management;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL restarts under a running Tollgate. While it is down, the admin API and the console say so with a 503
 * to retry (they were a 500 "unexpected error" with a stack trace in the log, the login page's too), the gateway
 * serves keys it has seen and stays ready, and its calls reach the ledger once the database is back.
 */
@QuarkusTest
@TestProfile(DatabaseRestartTest.OwnDatabase.class)
class DatabaseRestartTest {

    /** A PostgreSQL of its own, which the test may stop: the other tests' server stays up. */
    public static class OwnDatabase implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(Server.class));
        }
    }

    public static class Server implements QuarkusTestResourceLifecycleManager {
        static TestPostgres db;

        @Override
        public Map<String, String> start() {
            db = TestPostgres.start();
            return Map.of("quarkus.datasource.jdbc.url", db.url(), "quarkus.datasource.username", TestPostgres.USER,
                    "quarkus.datasource.password", TestPostgres.PASSWORD);
        }

        @Override
        public void stop() {
            db.close();
        }
    }

    /** Quarkus' path authorizer: a package-private class, named by its log category. */
    private static final String AUTHORIZER = "io.quarkus.vertx.http.runtime.security.AbstractHttpAuthorizer";

    @Test
    void whileTheDatabaseRestartsTheAdminSidesSayRetryAndTheGatewaysCallsAreKept() throws Exception {
        String slug = createTenant(uniqueSlug("restart"));
        String key = issueKey(slug);
        chat(key, "before-" + UUID.randomUUID()); // the gateway has seen the key now
        ConsoleSession console = ConsoleSession.login(ADMIN, ADMIN_PASSWORD);

        String during = "during-" + UUID.randomUUID();
        Server.db.stop();
        try (LogCapture mapped = LogCapture.of(ErrorMappers.class);
                LogCapture authorizer = LogCapture.of(AUTHORIZER);
                LogCapture keyUsage = LogCapture.of(KeyUsageTracker.class)) {
            asAdmin().get("/api/admin/tenants/" + slug).then().statusCode(503)
                    .contentType("application/problem+json").header("Retry-After", "5")
                    .body("status", equalTo(503)).body("detail", containsString("database is not answering"));
            given().redirects().follow(false).formParam("j_username", ADMIN).formParam("j_password", ADMIN_PASSWORD)
                    .post("/j_security_check").then().statusCode(503).header("Retry-After", "5")
                    .contentType(containsString("text/plain")).body(containsString("retry in a few seconds"));
            console.get("/console/tenants").then().statusCode(503).body(containsString("database is not answering"));
            chat(key, during);
            // still ready: it takes gateway calls, so a load balancer keeps sending them; the health page tells
            Management.given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
            Management.given().get("/q/health").then().statusCode(503)
                    .body("checks.find { it.name == 'database' }.status", equalTo("DOWN"));
            // the log says so once a request, in a line with its request id, not again with a stack trace
            assertTrue(mapped.messages().stream().anyMatch(m -> m.startsWith(
                    "WARN Database unreachable on /api/admin/tenants/" + slug + ": ")), mapped.messages().toString());
            assertEquals(List.of(), authorizer.messages());
            // background steps too (here the keys' last-used times, written every second): a line each, which
            // says why, not the driver's stack trace every few seconds for as long as the outage lasts
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (keyUsage.messages().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertTrue(keyUsage.messages().stream().anyMatch(m -> m.startsWith("WARN Could not record key last-used"
                    + " times; they are tried again at the next flush: the database is unreachable (")),
                    keyUsage.messages().toString());
            assertEquals(List.of(), keyUsage.withStackTraces());
        } finally {
            Server.db.restart();
        }

        asAdmin().get("/api/admin/tenants/" + slug).then().statusCode(200).body("slug", equalTo(slug));
        console.get("/console/tenants").then().statusCode(200);
        Management.given().get("/q/health").then().statusCode(200);
        assertEquals(1, awaitRows(during), "the call made while the database was down is recorded, once");
    }

    private static void chat(String key, String clientRequestId) {
        given().header("Authorization", "Bearer " + key).header("X-Client-Request-Id", clientRequestId)
                .contentType(ContentType.JSON)
                .body("{\"model\":\"deepseek-v4-flash\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}")
                .post("/v1/chat/completions").then().statusCode(200);
    }

    /** Waits (the bound only stops a broken build from hanging) for the call's rows, and counts them. */
    private static long awaitRows(String clientRequestId) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try (Connection c = DriverManager.getConnection(Server.db.url(), TestPostgres.USER, TestPostgres.PASSWORD);
                    PreparedStatement st = c.prepareStatement(
                            "select count(*) from usage_ledger where client_request_id = ?")) {
                st.setString(1, clientRequestId);
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    if (rs.getLong(1) > 0 || System.nanoTime() > deadline) {
                        return rs.getLong(1);
                    }
                }
            }
            Thread.sleep(200);
        }
    }
}
