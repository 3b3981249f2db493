package dev.tollgate.gateway;

import static dev.tollgate.testing.TestData.createTenant;
import static dev.tollgate.testing.TestData.issueKey;
import static dev.tollgate.testing.TestData.uniqueSlug;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.testing.Management;
import dev.tollgate.testing.PostgresResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * An operator's dashboard reads from Prometheus the tokens a tenant used, by model and price class, and how each
 * upstream endpoint answers.
 */
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

        String metrics = Management.metrics();
        // each of Tollgate's own metrics says on the page what it counts
        assertTrue(metrics.contains("\ntollgate_gateway_attempts_total{"), "the calls' attempts are counted");
        assertEquals(List.of(), metrics.lines().filter(l -> l.matches("# HELP tollgate_\\S+\\s*")).toList(),
                "metrics without a description");
        // the chat route's latency has buckets, so a p99 can be read and summed across replicas; the admin API's
        // many routes (this test made a tenant and a key) keep the summary alone
        assertTrue(metrics.contains("uri=\"/v1/chat/completions\",le=\"600.0\"}"), "buckets up to 10 minutes");
        assertEquals(List.of(), metrics.lines()
                .filter(l -> l.startsWith("http_server_requests_seconds_bucket{") && l.contains("uri=\"/api/admin"))
                .toList());
        long streamedHit = counter(metrics, slug, "input_cache_hit") - hit;
        long streamedMiss = counter(metrics, slug, "input_cache_miss") - miss;
        long streamedOutput = counter(metrics, slug, "output") - output;
        assertEquals((hit + miss) / 2, streamedHit + streamedMiss, "the stream's prompt is each call's before");
        assertTrue(streamedHit > 0, "the stream hit the cache too: " + streamedHit);
        assertTrue(streamedOutput > 0 && streamedOutput <= 16, "the stream's output tokens: " + streamedOutput);
    }

    @Test
    void eachEndpointsLatencyIsMeasuredToTheWholeAnswerAndToAStreamsFirstChunk() {
        String key = issueKey(createTenant(uniqueSlug("latency")));
        // the simulator's first chunk comes after 300 ms, then 100 tokens a second
        String request = "{\"model\":\"deepseek-v4-flash\",\"max_tokens\":8,\"messages\":[{\"role\":\"user\","
                + "\"content\":\"hi [[sim:latency=300/100]]\"}]}";
        String before = Management.metrics();
        given().header("Authorization", "Bearer " + key).contentType("application/json").body(request)
                .post("/v1/chat/completions").then().statusCode(200);
        given().header("Authorization", "Bearer " + key).contentType("application/json")
                .body(request.replace("{\"model\"", "{\"stream\":true,\"model\"")).post("/v1/chat/completions")
                .then().statusCode(200);
        // a stream that breaks off half way: its first chunk came, its answer never did
        given().header("Authorization", "Bearer " + key).contentType("application/json")
                .body(request.replace("{\"model\"", "{\"stream\":true,\"model\"")
                        .replace("[[sim:latency=300/100]]", "[[sim:latency=300/100]] [[sim:fault=disconnect-mid-stream]]"))
                .post("/v1/chat/completions").then().statusCode(200);
        String after = Management.metrics();

        String answer = "tollgate_upstream_answer_seconds";
        String firstChunk = "tollgate_upstream_first_chunk_seconds";
        assertEquals(2, sample(after, answer + "_count") - sample(before, answer + "_count"),
                "both whole answers were timed, not the broken one");
        assertEquals(0, sample(after, answer + "_bucket", "le=\"0.25\"") - sample(before, answer + "_bucket", "le=\"0.25\""),
                "neither came before its first chunk, at 300 ms");
        assertEquals(2, sample(after, firstChunk + "_count") - sample(before, firstChunk + "_count"),
                "both streams' first chunks were timed");
        assertEquals(0, sample(after, firstChunk + "_bucket", "le=\"0.25\"")
                - sample(before, firstChunk + "_bucket", "le=\"0.25\""), "they came after 300 ms");
        assertEquals(2, sample(after, firstChunk + "_bucket", "le=\"10.0\"")
                - sample(before, firstChunk + "_bucket", "le=\"10.0\""), "and well within 10 s");
        String ok = "error=\"none\"";
        String broken = "error=\"upstream_disconnect\"";
        String status200 = "status=\"200\"";
        assertEquals(2, sample(after, "tollgate_gateway_attempts_total", ok, status200)
                - sample(before, "tollgate_gateway_attempts_total", ok, status200), "the whole answers");
        assertEquals(1, sample(after, "tollgate_gateway_attempts_total", broken, status200)
                - sample(before, "tollgate_gateway_attempts_total", broken, status200), "the 200 that broke off");
    }

    /**
     * The value of the series of this name for the simulator endpoint and Flash that also has the given labels,
     * or 0 when it does not exist yet.
     */
    private static double sample(String metrics, String name, String... labels) {
        Matcher m = Pattern.compile("(?m)^" + name + "\\{([^}]*)} (\\S+)$").matcher(metrics);
        while (m.find()) {
            List<String> found = List.of(m.group(1).split(","));
            if (found.contains("endpoint=\"simulator\"") && found.contains("model=\"deepseek-v4-flash\"")
                    && found.containsAll(List.of(labels))) {
                return Double.parseDouble(m.group(2));
            }
        }
        return 0;
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
