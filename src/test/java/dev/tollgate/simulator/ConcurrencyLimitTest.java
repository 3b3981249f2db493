package dev.tollgate.simulator;

import static dev.tollgate.simulator.SimulatorHarness.chat;
import static dev.tollgate.simulator.SimulatorHarness.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Requests really in flight at once, against a per-model limit of 2 (flash) and 1 (pro). */
class ConcurrencyLimitTest {

    static SimulatorHarness sim;

    @BeforeAll
    static void start() {
        sim = new SimulatorHarness(SimulatorSettings.builder().latency("zero")
                .keepAliveInterval(java.time.Duration.ZERO)
                .concurrency("deepseek-v4-flash", 2).concurrency("deepseek-v4-pro", 1).build());
    }

    @AfterAll
    static void stop() {
        sim.close();
    }

    @BeforeEach
    void reset() {
        sim.reset();
    }

    @Test
    void requestsOverTheLimitGet429WhileOthersAreInFlight() {
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            calls.add(sim.postAsync("/chat/completions", chat("deepseek-v4-flash", "Hi " + i),
                    LatencyProfile.HEADER, "3000/1000")); // slow enough that all six arrive while two are held
        }
        // pro has its own limit: flash being full does not stop it
        HttpResponse<String> pro = sim.post("/chat/completions", chat("deepseek-v4-pro", "Hi"));
        assertEquals(200, pro.statusCode());

        List<HttpResponse<String>> responses = calls.stream().map(CompletableFuture::join).toList();
        assertEquals(2, responses.stream().filter(r -> r.statusCode() == 200).count());
        List<HttpResponse<String>> refused = responses.stream().filter(r -> r.statusCode() == 429).toList();
        assertEquals(4, refused.size());
        JsonNode error = parse(refused.get(0).body()).get("error");
        assertEquals("Your current concurrency is 3, which exceeds your concurrency limit of 2. "
                + "Please reduce your concurrency or try again later.", error.get("message").asText());
        assertEquals("rate_limit_error", error.get("type").asText());
        assertTrue(error.get("param").isNull());

        SimulatorStats.Snapshot stats = sim.simulator.stats().snapshot();
        assertEquals(2, stats.maxInFlight().get("deepseek-v4-flash"));
        assertEquals(4, stats.errors().get("429"));
        // a slot is released before the answer's last bytes are written, so a client that has its answer finds it free
        assertEquals(0, sim.simulator.stats().snapshot().inFlightTotal());
        // the slots are free again
        assertEquals(200, sim.post("/chat/completions", chat("deepseek-v4-flash", "again")).statusCode());
    }

    @Test
    void aStreamHoldsItsSlotUntilItEnds() throws Exception {
        var body = chat("deepseek-v4-pro", "Tell me a story").put("stream", true);
        var stream = sim.postAsync("/chat/completions", body, LatencyProfile.HEADER, "0/20"); // seconds long: still streaming when the next call comes
        SimulatorHarness.eventually(() -> assertEquals(1, sim.simulator.stats().inFlight("deepseek-v4-pro")));
        assertEquals(429, sim.post("/chat/completions", chat("deepseek-v4-pro", "Hi")).statusCode());
        assertTrue(stream.get().body().endsWith("data: [DONE]\n\n"));
        assertEquals(200, sim.post("/chat/completions", chat("deepseek-v4-pro", "Hi")).statusCode());
    }
}
