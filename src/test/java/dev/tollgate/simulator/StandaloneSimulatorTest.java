package dev.tollgate.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class StandaloneSimulatorTest {

    @Test
    void readsTheDocumentedOptions() {
        SimulatorSettings s = StandaloneSimulator.parse("--port", "9191", "--host", "0.0.0.0", "--latency", "zero",
                "--api-key", "sk-bench", "--flash-concurrency", "10", "--pro-concurrency", "3", "--cache-ttl", "60",
                "--keep-alive-interval", "0", "--usage-form", "documented", "--fault-every", "5", "--fault-kind", "500",
                "--fault-model", "deepseek-v4-pro=429", "--instances", "2");
        assertEquals(9191, s.port());
        assertEquals("0.0.0.0", s.host());
        assertEquals("zero", s.latency());
        assertEquals("sk-bench", s.apiKey());
        assertEquals(10, s.concurrencyLimit("deepseek-v4-flash"));
        assertEquals(3, s.concurrencyLimit("deepseek-v4-pro"));
        assertEquals(Duration.ofSeconds(60), s.cacheTtl());
        assertEquals(Duration.ZERO, s.keepAliveInterval());
        assertEquals(SimulatorSettings.UsageForm.DOCUMENTED, s.usageForm());
        assertEquals(5, s.faultEvery());
        assertEquals(Fault.SERVER_ERROR, s.faultEveryKind());
        assertEquals(Fault.RATE_LIMITED, s.faultByModel().get("deepseek-v4-pro"));
        assertEquals(2, s.instances());
    }

    @Test
    void defaultsToPort9090AndTheRealServiceBehaviour() {
        SimulatorSettings s = StandaloneSimulator.parse();
        assertEquals(9090, s.port());
        assertEquals("realistic", s.latency());
        assertEquals(2500, s.concurrencyLimit("deepseek-v4-flash"));
        assertEquals(500, s.concurrencyLimit("deepseek-v4-pro"));
    }

    @Test
    void refusesWhatItDoesNotKnow() {
        assertThrows(IllegalArgumentException.class, () -> StandaloneSimulator.parse("--latency", "warp"));
        assertThrows(IllegalArgumentException.class, () -> StandaloneSimulator.parse("--colour", "red"));
        assertThrows(IllegalArgumentException.class, () -> StandaloneSimulator.parse("--port"));
        // an unknown last option is unknown, not missing its value; a fault for a model not served would never show
        assertEquals("Unknown option --bogus", assertThrows(IllegalArgumentException.class,
                () -> StandaloneSimulator.parse("--bogus")).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> StandaloneSimulator.parse("--fault-model",
                "deepseek-chat=503")).getMessage().contains("deepseek-v4-flash and deepseek-v4-pro"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> StandaloneSimulator.parse("--port", "x"))
                .getMessage().contains("--port"));
    }

    @Test
    void severalInstancesShareOnePort() {
        try (SimulatorHarness sim = new SimulatorHarness(SimulatorSettings.builder().latency("zero").port(0)
                .instances(3).build())) {
            for (int i = 0; i < 10; i++) {
                assertEquals(200, sim.post("/chat/completions", SimulatorHarness.chat("deepseek-v4-flash", "Hi " + i))
                        .statusCode());
            }
            assertEquals(10, sim.simulator.stats().snapshot().completed());
        }
    }
}
