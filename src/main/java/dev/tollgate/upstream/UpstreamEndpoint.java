package dev.tollgate.upstream;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.vertx.core.http.HttpClient;
import java.time.Duration;
import java.util.Set;

/**
 * One OpenAI-compatible server Tollgate may call, with its own connection pool and circuit breaker.
 * The API key is only ever put in the Authorization header; {@link #toString()} leaves it out.
 */
public record UpstreamEndpoint(String name, String baseUrl, String apiKey, Set<String> models, int priority,
        int weight, Duration readTimeout, HttpClient client, CircuitBreaker breaker) {

    /** The chat completions URL; DeepSeek accepts the path with or without /v1. */
    public String chatCompletionsUrl() {
        return baseUrl.replaceAll("/+$", "") + "/chat/completions";
    }

    public boolean serves(String model) {
        return models.contains(model);
    }

    @Override
    public String toString() {
        return name + " (" + baseUrl + ")";
    }
}
