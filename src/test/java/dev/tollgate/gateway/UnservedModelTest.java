package dev.tollgate.gateway;

import static dev.tollgate.testing.TestData.createTenant;
import static dev.tollgate.testing.TestData.issueKey;
import static dev.tollgate.testing.TestData.uniqueSlug;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tollgate.ledger.UsageLedger;
import dev.tollgate.testing.PostgresResource;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A self-hosted set-up that serves Flash only: a call for Pro is a set-up matter the client cannot retry away,
 * and says so, where open breakers (the same 503 otherwise) would pass with time.
 */
@QuarkusTest
@QuarkusTestResource(PostgresResource.class)
@TestProfile(UnservedModelTest.FlashOnly.class)
class UnservedModelTest {

    public static class FlashOnly implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            String p = "tollgate.upstream.endpoints.deepseek.";
            return Map.of("tollgate.simulator.enabled", "false",
                    p + "base-url", "http://127.0.0.1:9", // never called: no test here asks for Flash
                    p + "api-key", "sk-flash-only",
                    p + "models", "deepseek-v4-flash");
        }
    }

    @Inject
    UsageLedger ledger;
    @Inject
    AgroalDataSource dataSource;

    @Test
    void aModelNoEndpointServesIsA503ThatSaysNotToRetry() throws Exception {
        String key = issueKey(createTenant(uniqueSlug("unserved")));
        String requestId = given().header("Authorization", "Bearer " + key).contentType("application/json")
                .body("{\"model\":\"deepseek-v4-pro\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}")
                .post("/v1/chat/completions").then().statusCode(503)
                .header("X-Should-Retry", "false")
                .header("X-Tollgate-Model", "deepseek-v4-pro")
                .body("error.code", equalTo("upstream_not_configured"))
                .body("error.message", containsString("Tell your Tollgate operator"))
                .extract().header("X-Request-Id");
        ledger.flush();
        assertEquals(List.of("503 upstream_not_configured none"), ClientCalls.rows(dataSource,
                "http_status || ' ' || error_type || ' ' || coalesce(upstream, 'none')", "request_id", requestId),
                "the call is in the ledger though no endpoint was there to try");
    }
}
