package dev.tollgate.gateway;

import static dev.tollgate.testing.TestData.createTenant;
import static dev.tollgate.testing.TestData.issueKey;
import static dev.tollgate.testing.TestData.uniqueSlug;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.equalToIgnoringCase;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.testing.Management;
import dev.tollgate.testing.PostgresResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** An operator who lists the web origins allowed to call the gateway: others are refused, servers unaffected. */
@QuarkusTest
@QuarkusTestResource(PostgresResource.class)
@TestProfile(GatewayCorsOriginsTest.OneOrigin.class)
class GatewayCorsOriginsTest {

    static final String CHAT = "{\"model\":\"deepseek-v4-flash\",\"max_tokens\":4,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    public static class OneOrigin implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("tollgate.gateway.cors-origins", "https://chat.example.com, https://tools.example.com:8443");
        }
    }

    @Test
    void onlyTheListedOriginsMayCallFromAPage() {
        String key = issueKey(createTenant(uniqueSlug("origins")));
        given().header("Origin", "https://tools.example.com:8443").header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "authorization,content-type")
                .options("/v1/chat/completions").then().statusCode(204)
                .header("Access-Control-Allow-Origin", "https://tools.example.com:8443");
        given().header("Origin", "https://chat.example.com").header("Authorization", "Bearer " + key)
                .contentType("application/json").body(CHAT).post("/v1/chat/completions").then().statusCode(200)
                .header("Access-Control-Allow-Origin", "https://chat.example.com")
                .header("Vary", equalToIgnoringCase("Origin")); // the answer differs by origin: caches must keep them apart

        given().header("Origin", "https://evil.example").header("Access-Control-Request-Method", "POST")
                .options("/v1/chat/completions").then().statusCode(403)
                .header("Access-Control-Allow-Origin", nullValue())
                .body("error.code", equalTo("origin_not_allowed"))
                .body("error.message", containsString("https://evil.example"));
        given().header("Origin", "https://evil.example").header("Authorization", "Bearer " + key)
                .contentType("application/json").body(CHAT).post("/v1/chat/completions").then().statusCode(403)
                .body("error.type", equalTo("permission_error"));

        // Servers send no Origin: the list is no concern of theirs.
        given().header("Authorization", "Bearer " + key).contentType("application/json").body(CHAT)
                .post("/v1/chat/completions").then().statusCode(200);
    }

    /** Refused before routing, these would each add a metric series of the path as sent (docs/configuration.md). */
    @Test
    void refusalsOnMadeUpPathsAddNoMetricSeries() {
        String marker = "made-up-" + UUID.randomUUID();
        for (int i = 0; i < 110; i++) {
            given().header("Origin", "https://evil.example").get((i % 2 == 0 ? "/v1/" : "/v1/models/") + marker + i)
                    .then().statusCode(403).body("error.code", equalTo("origin_not_allowed"));
        }
        String metrics = Management.metrics();
        assertFalse(metrics.contains(marker), "a series per made-up path");
        assertTrue(metrics.contains("status=\"403\",uri=\"UNROUTED\"}"), "the refusals' one series");
    }

    @Test
    void theSettingIsReadAsBrowsersWriteOriginsAndAMalformedOneIsNamed() {
        assertEquals(Set.of("https://chat.example.com", "tauri://localhost", "http://localhost:5173"), GatewayCors
                .allowedOrigins(List.of(" https://Chat.Example.com:443 ", "tauri://localhost", "http://localhost:5173")));
        assertNull(GatewayCors.allowedOrigins(List.of("https://chat.example.com", " *")), "* is any origin");
        assertEquals(Set.of(), GatewayCors.allowedOrigins(List.of("none")));
        for (String bad : List.of("chat.example.com", "https://chat.example.com/app", "null", "https://")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> GatewayCors.allowedOrigins(List.of("https://chat.example.com", bad)));
            assertTrue(e.getMessage().contains("tollgate.gateway.cors-origins")
                    && e.getMessage().contains("\"" + bad + "\""), e.getMessage());
        }
    }
}
