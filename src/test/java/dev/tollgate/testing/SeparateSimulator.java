package dev.tollgate.testing;

import dev.tollgate.simulator.DeepSeekSimulator;
import dev.tollgate.simulator.SimulatorSettings;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A simulator in its own Vert.x on its own port, configured as an ordinary upstream endpoint (the embedded
 * one is switched off), for tests that need upstream settings of their own. Subclasses name the endpoint
 * settings; {@link #simulator()} is the running simulator.
 */
public abstract class SeparateSimulator implements QuarkusTestResourceLifecycleManager {

    private static DeepSeekSimulator simulator;
    private Vertx vertx;

    /** The simulator's API key, which Tollgate must send. */
    protected abstract String apiKey();

    /** Settings for the test app, given the simulator's base URL. */
    protected abstract Map<String, String> config(String simulatorBaseUrl);

    public static DeepSeekSimulator simulator() {
        return simulator;
    }

    @Override
    public Map<String, String> start() {
        vertx = Vertx.vertx();
        simulator = DeepSeekSimulator.create(vertx, SimulatorSettings.builder().latency("zero").apiKey(apiKey()).build());
        simulator.start().toCompletionStage().toCompletableFuture().orTimeout(30, TimeUnit.SECONDS).join();
        Map<String, String> config = new HashMap<>(config(simulator.baseUrl()));
        config.put("tollgate.simulator.enabled", "false");
        return config;
    }

    @Override
    public void stop() {
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
        }
    }
}
