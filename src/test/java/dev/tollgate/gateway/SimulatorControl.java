package dev.tollgate.gateway;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.upstream.Upstreams;
import io.restassured.http.ContentType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The test upstream (the built-in simulator) seen from a test, through its own control endpoints: what it
 * received, its counters, and faults queued for the next requests. Also resets the upstream circuit breakers,
 * which the error tests trip on purpose.
 */
final class SimulatorControl {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String baseUrl;
    private final Upstreams upstreams;

    SimulatorControl(String baseUrl, Upstreams upstreams) {
        this.baseUrl = baseUrl;
        this.upstreams = upstreams;
    }

    String baseUrl() {
        return baseUrl;
    }

    /** Counters, cache, planned faults and request log back to the start; breakers closed. */
    void reset() {
        given().baseUri(baseUrl).post("/_simulator/reset").then().statusCode(204);
        upstreams.all().forEach(e -> e.breaker().reset());
    }

    /** Queues faults for the next chat requests, one each, in order. */
    void queueFaults(String... faults) {
        given().baseUri(baseUrl).contentType(ContentType.JSON)
                .body(JSON.createObjectNode().set("next", JSON.valueToTree(List.of(faults))))
                .post("/_simulator/faults").then().statusCode(200);
    }

    JsonNode faults() {
        return read(given().baseUri(baseUrl).get("/_simulator/faults").then().statusCode(200).extract().asString());
    }

    JsonNode stats() {
        return read(given().baseUri(baseUrl).get("/_simulator/stats").then().statusCode(200).extract().asString());
    }

    long stat(String name) {
        return stats().path(name).asLong();
    }

    /** The chat requests the simulator received since the last reset, oldest first. */
    List<JsonNode> requests() {
        JsonNode all = read(given().baseUri(baseUrl).get("/_simulator/requests").then().statusCode(200).extract()
                .asString());
        List<JsonNode> list = new ArrayList<>();
        all.forEach(list::add);
        return list;
    }

    JsonNode lastRequest() {
        List<JsonNode> all = requests();
        if (all.isEmpty()) {
            fail("The simulator received no chat request");
        }
        return all.get(all.size() - 1);
    }

    /** Polls the stats until the condition holds (or gives up after a generous while and fails). */
    JsonNode awaitStats(String what, Predicate<JsonNode> condition) {
        long deadline = System.nanoTime() + 20_000_000_000L;
        JsonNode stats = stats();
        while (!condition.test(stats)) {
            if (System.nanoTime() > deadline) {
                fail("The simulator's stats never showed " + what + ": " + stats);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted");
            }
            stats = stats();
        }
        return stats;
    }

    /** The upstream API keys the gateway holds: they must never reach a client. */
    List<String> upstreamKeys() {
        return upstreams.all().stream().map(e -> e.apiKey()).filter(k -> k != null && !k.isEmpty()).toList();
    }

    static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException("Not JSON: " + json, e);
        }
    }
}
