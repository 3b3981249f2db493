package dev.tollgate.platform;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.matchesPattern;

import dev.tollgate.testing.PostgresResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(PostgresResource.class)
class OperationsTest {

    @Test
    void readinessIncludesTheDatabaseAndTheLedgerSpool() {
        given().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem("Database connections health check"))
                .body("checks.find { it.name == 'usage-ledger-spool' }.status", equalTo("UP"));
    }

    @Test
    void prometheusMetricsAreExposed() {
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("http_server_requests_seconds"))
                .body(containsString("jvm_memory_used_bytes"));
    }

    /**
     * Unauthenticated calls under /api/admin are refused before routing, so their metrics would carry the path as
     * sent: a stranger could fill the registry's 100 URIs with made-up ones, and routes first called after that
     * would never be recorded.
     */
    @Test
    void madeUpAdminPathsAddNoMetricSeries() {
        String marker = "made-up-" + UUID.randomUUID();
        for (int i = 0; i < 120; i++) {
            given().get("/api/admin/" + marker + "-" + i).then().statusCode(401);
        }
        given().auth().preemptive().basic("admin", "wrong password").get("/api/admin/" + marker + "/tenants")
                .then().statusCode(401);
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertFalse(metrics.contains(marker), "a series per made-up path");
        Matcher refused = Pattern.compile("(?m)^http_server_requests_seconds_count\\{[^}]*status=\"401\","
                + "uri=\"/api/admin/\\{unauthenticated}\"} (\\S+)$").matcher(metrics);
        assertTrue(refused.find(), "the refusals are counted under one uri");
        assertTrue(Double.parseDouble(refused.group(1)) >= 121, refused.group());
    }

    @Test
    void everyResponseCarriesARequestIdAndKeepsTheCallersOwn() {
        given().get("/v1/models").then().header("X-Request-Id", matchesPattern("[0-9a-f-]{36}"));
        // a proxy's id is kept as the caller's, beside Tollgate's own
        given().header("X-Request-Id", "trace-42").get("/q/health/ready").then()
                .header("X-Request-Id", matchesPattern("[0-9a-f-]{36}")).header("X-Client-Request-Id", "trace-42");
        given().header("X-Request-Id", "bad id with spaces").get("/v1/models").then()
                .header("X-Request-Id", matchesPattern("[0-9a-f-]{36}"))
                .header("X-Client-Request-Id", org.hamcrest.Matchers.nullValue());
    }

    @Test
    void theAdminApiIsDocumentedByOpenApi() {
        given().get("/q/openapi?format=json").then().statusCode(200)
                .body("paths.'/api/admin/tenants'.post", org.hamcrest.Matchers.notNullValue())
                .body("paths.'/api/admin/tenants/{slug}/keys/{publicId}/rotate'.post", org.hamcrest.Matchers.notNullValue());
    }
}
