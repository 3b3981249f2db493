package dev.tollgate.platform;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.matchesPattern;

import dev.tollgate.testing.PostgresResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
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
