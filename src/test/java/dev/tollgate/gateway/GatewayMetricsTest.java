package dev.tollgate.gateway;

import static dev.tollgate.testing.TestData.createTenant;
import static dev.tollgate.testing.TestData.issueKey;
import static dev.tollgate.testing.TestData.uniqueSlug;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.testing.PostgresResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** An operator's dashboard reads the tokens a tenant used, by model and price class, from Prometheus. */
@QuarkusTest
@QuarkusTestResource(PostgresResource.class)
class GatewayMetricsTest {

    @Test
    void tokensAreCountedPerTenantModelAndPriceClassAsTheAnswersReportThem() {
        String slug = createTenant(uniqueSlug("metrics"));
        String key = issueKey(slug);
        String prompt = "The same long system prompt, sent on every call of this conversation. ".repeat(40);
        String request = "{\"model\":\"deepseek-v4-flash\",\"max_tokens\":16,\"messages\":[{\"role\":\"system\",\"content\":\""
                + prompt + "\"},{\"role\":\"user\",\"content\":\"hi\"}]}";
        long hit = 0;
        long miss = 0;
        long output = 0;
        for (int i = 0; i < 2; i++) { // the second call hits the cache the first one filled
            JsonPath usage = given().header("Authorization", "Bearer " + key).contentType("application/json")
                    .body(request).post("/v1/chat/completions").then().statusCode(200).extract().jsonPath();
            hit += usage.getLong("usage.prompt_cache_hit_tokens");
            miss += usage.getLong("usage.prompt_cache_miss_tokens");
            output += usage.getLong("usage.completion_tokens");
        }
        // A stream whose client did not ask for usage: Tollgate asks for it, and counts it.
        String stream = given().header("Authorization", "Bearer " + key).contentType("application/json")
                .body(request.replace("{\"model\"", "{\"stream\":true,\"model\"")).post("/v1/chat/completions")
                .then().statusCode(200).extract().asString();
        assertTrue(stream.contains("data: [DONE]") && !stream.contains("\"usage\":{"), stream);
        assertTrue(hit > 0, "the repeated prompt should have hit the cache");

        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        long streamedHit = counter(metrics, slug, "input_cache_hit") - hit;
        long streamedMiss = counter(metrics, slug, "input_cache_miss") - miss;
        long streamedOutput = counter(metrics, slug, "output") - output;
        assertEquals((hit + miss) / 2, streamedHit + streamedMiss, "the stream's prompt is each call's before");
        assertTrue(streamedHit > 0, "the stream hit the cache too: " + streamedHit);
        assertTrue(streamedOutput > 0 && streamedOutput <= 16, "the stream's output tokens: " + streamedOutput);
    }

    private static long counter(String metrics, String tenant, String tokenClass) {
        Matcher m = Pattern.compile("(?m)^tollgate_gateway_tokens_total\\{([^}]*)} (\\S+)$").matcher(metrics);
        long total = 0;
        boolean found = false;
        while (m.find()) {
            String labels = m.group(1);
            if (labels.contains("tenant=\"" + tenant + "\"") && labels.contains("class=\"" + tokenClass + "\"")
                    && labels.contains("model=\"deepseek-v4-flash\"")) {
                total += (long) Double.parseDouble(m.group(2));
                found = true;
            }
        }
        assertTrue(found, "no tollgate_gateway_tokens_total for " + tenant + " " + tokenClass);
        return total;
    }
}
