package dev.tollgate.simulator;

import static dev.tollgate.simulator.SimulatorHarness.chat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class LatencyProfileTest {

    @RegisterExtension
    static final SimulatorHarness sim = SimulatorHarness.zeroLatency();

    @Test
    void realisticFollowsTheMeasuredNumbersPerModel() {
        assertEquals(new LatencyProfile(Duration.ofMillis(1100), 103), LatencyProfile.of("realistic", "deepseek-v4-flash"));
        assertEquals(new LatencyProfile(Duration.ofMillis(1900), 29), LatencyProfile.of("realistic", "deepseek-v4-pro"));
        assertTrue(LatencyProfile.of("zero", "deepseek-v4-pro").isZero());
        assertEquals(new LatencyProfile(Duration.ofMillis(200), 50), LatencyProfile.of("200/50", "deepseek-v4-pro"));
        assertThrows(IllegalArgumentException.class, () -> LatencyProfile.of("fast", "deepseek-v4-pro"));
        assertThrows(IllegalArgumentException.class, () -> SimulatorSettings.builder().latency("slowish").build());
        // per model: a slow Pro beside a fast Flash, as they are
        String perModel = "deepseek-v4-flash=200/100, deepseek-v4-pro=800/25";
        assertEquals(new LatencyProfile(Duration.ofMillis(200), 100), LatencyProfile.of(perModel, "deepseek-v4-flash"));
        assertEquals(new LatencyProfile(Duration.ofMillis(800), 25), LatencyProfile.of(perModel, "deepseek-v4-pro"));
        assertTrue(LatencyProfile.of("deepseek-v4-flash=zero,deepseek-v4-pro=realistic", "deepseek-v4-flash").isZero());
        assertThrows(IllegalArgumentException.class, () -> SimulatorSettings.builder()
                .latency("deepseek-v4-flash=200/100").build(), "a model without an entry stops the start");
        for (String bad : new String[] {"deepseek-v4-flash=1/1,deepseek-v4-flash=2/2,deepseek-v4-pro=zero",
                "deepseek-v4-flsh=1/1,deepseek-v4-pro=zero", "deepseek-v4-flash=a=b,deepseek-v4-pro=zero"}) {
            assertThrows(IllegalArgumentException.class, () -> LatencyProfile.of(bad, "deepseek-v4-pro"), bad);
        }
    }

    @Test
    void aStreamWaitsForTheFirstTokenThenPacesTheRest() throws Exception {
        ObjectNode body = chat("deepseek-v4-flash", "Hi").put("stream", true);
        body.putObject("thinking").put("type", "disabled");
        long start = System.nanoTime();
        List<Long> arrivals = new ArrayList<>();
        HttpResponse<java.util.stream.Stream<String>> response = sim.http.send(
                sim.request("/chat/completions", body, LatencyProfile.HEADER, "200/50").build(),
                HttpResponse.BodyHandlers.ofLines());
        response.body().filter(l -> l.startsWith("data:")).forEach(l -> arrivals.add(millisSince(start)));
        int tokens = arrivals.size() - 3; // role chunk, finish chunk, [DONE]
        assertTrue(arrivals.get(0) >= 190, "first chunk after the TTFT, was " + arrivals.get(0));
        // the last one counted from the start: a late reader can only make it later, never pass a burst
        long last = arrivals.get(arrivals.size() - 1);
        assertTrue(last >= 190 + tokens * 1000L / 50 * 8 / 10, tokens + " tokens at 50/s ended after only " + last + " ms");
    }

    @Test
    void aNonStreamingAnswerTakesTheWholeGenerationTime() {
        ObjectNode body = chat("deepseek-v4-flash", "Hi");
        body.putObject("thinking").put("type", "disabled");
        long start = System.nanoTime();
        int tokens = sim.complete(body, LatencyProfile.HEADER, "100/100").get("usage").get("completion_tokens").asInt();
        assertTrue(millisSince(start) >= 100 + tokens * 10 * 8 / 10);
    }

    @Test
    void theLatencyCanBeAskedForInThePromptToo() {
        long start = System.nanoTime();
        sim.complete(chat("deepseek-v4-flash", "Hi [[sim:latency=300/100000]]"));
        assertTrue(millisSince(start) >= 290);
    }

    private static long millisSince(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }
}
