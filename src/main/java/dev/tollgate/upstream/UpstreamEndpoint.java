package dev.tollgate.upstream;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.time.Duration;
import java.util.Set;

/**
 * One OpenAI-compatible server Tollgate may call, with its own connection pools and circuit breaker.
 * The API key is only ever put in the Authorization header; {@link #toString()} leaves it out.
 */
public record UpstreamEndpoint(String name, String baseUrl, String apiKey, Set<String> models, int priority,
        int weight, Duration connectTimeout, Duration readTimeout, LoopLocalClients clients, CircuitBreaker breaker,
        URI chatCompletions) {

    private static final long POOL_WAIT_MARGIN_MILLIS = 250;

    /** The chat completions URL is parsed once here, not on every call. DeepSeek accepts it with or without /v1. */
    UpstreamEndpoint(String name, String baseUrl, String apiKey, Set<String> models, int priority, int weight,
            Duration connectTimeout, Duration readTimeout, LoopLocalClients clients, CircuitBreaker breaker) {
        this(name, baseUrl, apiKey, models, priority, weight, connectTimeout, readTimeout, clients, breaker,
                URI.create(baseUrl.replaceAll("/+$", "") + "/chat/completions"));
    }

    /** A chat completions POST to this endpoint, with its credentials and the per-request timeout. */
    public RequestOptions chatCompletionsRequest(boolean stream) {
        boolean ssl = "https".equalsIgnoreCase(chatCompletions.getScheme());
        return new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setHost(chatCompletions.getHost())
                .setPort(chatCompletions.getPort() != -1 ? chatCompletions.getPort() : ssl ? 443 : 80)
                .setSsl(ssl)
                .setURI(chatCompletions.getRawPath())
                // Getting a connection: a new one's TCP connect has the connect timeout (the client's options);
                // waiting for a busy pool's gets a little longer, so that a connect that times out (a host that
                // drops packets) is reported and counted by the breaker as such, not as a busy pool.
                .setConnectTimeout(connectTimeout.toMillis() + POOL_WAIT_MARGIN_MILLIS)
                .setIdleTimeout(readTimeout.toMillis())
                .putHeader(HttpHeaderNames.CONTENT_TYPE, "application/json")
                .putHeader(HttpHeaderNames.ACCEPT, stream ? "text/event-stream" : "application/json")
                .putHeader(HttpHeaderNames.AUTHORIZATION, "Bearer " + apiKey);
    }

    /** The client for the calling event loop, whose connections live on that loop. */
    public HttpClient client() {
        return clients.current();
    }

    public boolean serves(String model) {
        return models.contains(model);
    }

    @Override
    public String toString() {
        return name + " (" + baseUrl + ")";
    }
}
