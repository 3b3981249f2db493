package dev.tollgate.simulator;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.testing.PostgresResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/** The app starts its simulator (the test profile's upstream) on a free port, instant and with small limits. */
@QuarkusTest
@QuarkusTestResource(PostgresResource.class)
class EmbeddedSimulatorTest {

    @Inject
    EmbeddedSimulator embedded;

    @Test
    void runsOnQuarkusVertxWithTheTestProfileSettings() {
        assertTrue(embedded.running());
        assertTrue(embedded.baseUrl().matches("http://127\\.0\\.0\\.1:\\d+"));
        SimulatorSettings settings = embedded.simulator().settings();
        assertTrue(LatencyProfile.of(settings.latency(), "deepseek-v4-pro").isZero());
        assertEquals(16, settings.concurrencyLimit("deepseek-v4-flash"));
        assertEquals(8, settings.concurrencyLimit("deepseek-v4-pro"));

        given().baseUri(embedded.baseUrl()).header("Authorization", "Bearer sk-test")
                .get("/v1/models").then().statusCode(200)
                .body("data.id", contains("deepseek-v4-flash", "deepseek-v4-pro"));
        long before = embedded.simulator().stats().snapshot().chatRequests();
        given().baseUri(embedded.baseUrl()).header("Authorization", "Bearer sk-test").contentType("application/json")
                .body("{\"model\":\"deepseek-v4-flash\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}")
                .post("/chat/completions").then().statusCode(200)
                .body("object", equalTo("chat.completion"));
        assertEquals(before + 1, embedded.simulator().stats().snapshot().chatRequests());
    }
}
