package dev.tollgate.platform;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.testing.Management;
import dev.tollgate.testing.PostgresResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(PostgresResource.class)
class OperationsTest {

    /** Readiness is whether this instance can take gateway calls; the database is shown, but is no condition. */
    @Test
    void readinessIsTheLedgerSpoolAndHealthShowsTheDatabase() {
        Management.given().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", equalTo(List.of("usage-ledger-spool")));
        Management.given().get("/q/health").then().statusCode(200)
                .body("checks.find { it.name == 'database' }.status", equalTo("UP"));
    }

    @Test
    void prometheusMetricsAreExposedOnTheManagementPortOnly() {
        Management.given().get("/q/metrics").then().statusCode(200)
                .body(containsString("http_server_requests_seconds"))
                .body(containsString("jvm_memory_used_bytes"));
        // the port tenants and browsers reach shows neither the tenants the metrics name nor the probes
        for (String path : List.of("/q/metrics", "/q/health", "/q/health/ready")) {
            given().get(path).then().statusCode(404);
        }
    }

    /**
     * Answers given before routing would carry the path as sent: a stranger could fill the registry's 100 URIs with
     * made-up ones, and routes first called after that would never be recorded.
     */
    @Test
    void madeUpPathsAddNoMetricSeries() throws IOException {
        String marker = "made-up-" + UUID.randomUUID();
        for (int i = 0; i < 100; i++) { // the admin API without credentials
            given().get("/api/admin/" + marker + "-" + i).then().statusCode(401);
        }
        given().auth().preemptive().basic("admin", "wrong password").get("/api/admin/" + marker + "/tenants")
                .then().statusCode(401);
        // a CORS preflight that names no headers, which Quarkus does not recognise as one
        given().header("Origin", "https://page.example").header("Access-Control-Request-Method", "POST")
                .options("/v1/" + marker).then().statusCode(204);
        given().header("Sec-Fetch-Site", "cross-site").post("/" + marker + "/j_security_check").then().statusCode(403);
        assertEquals(400, rawStatus("GET /api/admin/{" + marker + " HTTP/1.1")); // no valid URI: refused by Quarkus
        assertEquals(400, rawStatus("GET /v1/%zz" + marker + " HTTP/1.1"));
        assertEquals(404, rawStatus("GET //" + marker + " HTTP/1.1"));
        assertEquals(413, rawStatus("POST /" + marker + " HTTP/1.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: 20000000"));
        // a route's own error keeps its route
        given().header("Authorization", "Bearer tg-not-a-key").contentType("application/json").body("{}")
                .post("/v1/chat/completions").then().statusCode(401);

        String metrics = Management.metrics();
        assertFalse(metrics.contains(marker), "a series per made-up path: " + metrics.lines()
                .filter(l -> l.contains(marker)).findFirst().orElse(""));
        Matcher unrouted = Pattern.compile("(?m)^http_server_requests_seconds_count\\{method=\"GET\","
                + "outcome=\"CLIENT_ERROR\",status=\"401\",uri=\"UNROUTED\"} (\\S+)$").matcher(metrics);
        assertTrue(unrouted.find(), "the refusals are counted under one uri");
        assertTrue(Double.parseDouble(unrouted.group(1)) >= 100, unrouted.group());
        assertTrue(metrics.contains("status=\"401\",uri=\"/v1/chat/completions\"}"), "the chat route's 401");
    }

    /** The status of a request written as given (a path no HTTP client library would send), headers included. */
    private static int rawStatus(String requestLineAndHeaders) throws IOException {
        try (Socket socket = new Socket("localhost", RestAssured.port)) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write((requestLineAndHeaders + "\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            String statusLine = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.ISO_8859_1)).readLine();
            return Integer.parseInt(statusLine.split(" ")[1]);
        }
    }

    @Test
    void everyResponseCarriesARequestIdAndKeepsTheCallersOwn() {
        given().get("/v1/models").then().header("X-Request-Id", matchesPattern("[0-9a-f-]{36}"));
        // a proxy's id is kept as the caller's, beside Tollgate's own
        given().header("X-Request-Id", "trace-42").get("/login").then()
                .header("X-Request-Id", matchesPattern("[0-9a-f-]{36}")).header("X-Client-Request-Id", "trace-42");
        given().header("X-Request-Id", "bad id with spaces").get("/v1/models").then()
                .header("X-Request-Id", matchesPattern("[0-9a-f-]{36}"))
                .header("X-Client-Request-Id", org.hamcrest.Matchers.nullValue());
    }

    @Test
    void theAdminApiIsDocumentedByOpenApi() {
        given().get("/q/openapi?format=json").then().statusCode(200)
                .body("paths.'/api/admin/tenants'.post", notNullValue())
                .body("paths.'/api/admin/tenants/{slug}/keys/{publicId}/rotate'.post", notNullValue())
                // the admin API alone: not the console's form handlers, nor the template engine's classes
                .body("paths.keySet()", everyItem(startsWith("/api/admin/")))
                .body("components.schemas.keySet()", not(hasItem("Template")));
    }
}
