package dev.tollgate.simulator;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.platform.TollgateConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** When the app answers with its built-in simulator: only when nothing real could be called. */
class SimulatorSelectionTest {

    @Test
    void theOfficialApiWithoutAKeyIsNoUpstream() {
        assertTrue(EmbeddedSimulator.noUpstreamConfigured(Map.of("deepseek", endpoint("https://api.deepseek.com", ""))));
        assertTrue(EmbeddedSimulator.noUpstreamConfigured(Map.of("deepseek", endpoint("https://API.deepseek.com/", null))));
    }

    @Test
    void aKeyGivenAnyWayOrAnEndpointElsewhereIsAnUpstream() {
        // the key in the endpoint's own property, not DEEPSEEK_API_KEY
        assertFalse(EmbeddedSimulator.noUpstreamConfigured(Map.of("deepseek", endpoint("https://api.deepseek.com", "sk-1"))));
        // a self-hosted server that needs no key
        assertFalse(EmbeddedSimulator.noUpstreamConfigured(Map.of(
                "deepseek", endpoint("https://api.deepseek.com", ""),
                "vllm", endpoint("http://10.0.0.5:8000", null))));
        assertFalse(EmbeddedSimulator.noUpstreamConfigured(Map.of("deepseek", endpoint("http://127.0.0.1:9090", ""))));
    }

    private static TollgateConfig.Endpoint endpoint(String baseUrl, String apiKey) {
        return new TollgateConfig.Endpoint() {
            @Override
            public String baseUrl() {
                return baseUrl;
            }

            @Override
            public Optional<String> apiKey() {
                return Optional.ofNullable(apiKey);
            }

            @Override
            public List<String> models() {
                return List.of("deepseek-v4-flash");
            }

            @Override
            public int priority() {
                return 0;
            }

            @Override
            public int weight() {
                return 1;
            }

            @Override
            public Duration connectTimeout() {
                return Duration.ofSeconds(5);
            }

            @Override
            public Duration readTimeout() {
                return Duration.ofSeconds(60);
            }

            @Override
            public int maxConnections() {
                return 10;
            }
        };
    }
}
