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
public final class UpstreamEndpoint {

    private final String name;
    private final String baseUrl;
    private final String apiKey;
    private final Set<String> models;
    private final int priority;
    private final int weight;
    private final Duration readTimeout;
    private final LoopLocalClients clients;
    private final CircuitBreaker breaker;
    // The target is parsed once here, not on every call.
    private final String host;
    private final int port;
    private final boolean ssl;
    private final String chatCompletionsPath;
    private final String authorization;

    UpstreamEndpoint(String name, String baseUrl, String apiKey, Set<String> models, int priority, int weight,
            Duration readTimeout, LoopLocalClients clients, CircuitBreaker breaker) {
        this.name = name;
        this.baseUrl = baseUrl;
        this.apiKey = apiKey;
        this.models = Set.copyOf(models);
        this.priority = priority;
        this.weight = weight;
        this.readTimeout = readTimeout;
        this.clients = clients;
        this.breaker = breaker;
        URI uri = URI.create(baseUrl.replaceAll("/+$", ""));
        this.ssl = "https".equalsIgnoreCase(uri.getScheme());
        this.host = uri.getHost();
        this.port = uri.getPort() != -1 ? uri.getPort() : ssl ? 443 : 80;
        // DeepSeek accepts the path with or without /v1.
        this.chatCompletionsPath = (uri.getRawPath() == null ? "" : uri.getRawPath()) + "/chat/completions";
        this.authorization = "Bearer " + apiKey;
    }

    /** A chat completions POST to this endpoint, with its credentials and the per-request timeout. */
    public RequestOptions chatCompletionsRequest(boolean stream) {
        return new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setHost(host)
                .setPort(port)
                .setSsl(ssl)
                .setURI(chatCompletionsPath)
                .setIdleTimeout(readTimeout.toMillis())
                .putHeader(HttpHeaderNames.CONTENT_TYPE, "application/json")
                .putHeader(HttpHeaderNames.ACCEPT, stream ? "text/event-stream" : "application/json")
                .putHeader(HttpHeaderNames.AUTHORIZATION, authorization);
    }

    /** The client for the calling event loop, whose connections live on that loop. */
    public HttpClient client() {
        return clients.current();
    }

    public boolean serves(String model) {
        return models.contains(model);
    }

    public String name() {
        return name;
    }

    public String baseUrl() {
        return baseUrl;
    }

    /** The upstream credential, for checks that it never reaches a client or a log. */
    public String apiKey() {
        return apiKey;
    }

    public Set<String> models() {
        return models;
    }

    public int priority() {
        return priority;
    }

    public int weight() {
        return weight;
    }

    public Duration readTimeout() {
        return readTimeout;
    }

    public CircuitBreaker breaker() {
        return breaker;
    }

    @Override
    public String toString() {
        return name + " (" + baseUrl + ")";
    }
}
