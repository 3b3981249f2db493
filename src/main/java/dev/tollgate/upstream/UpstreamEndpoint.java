package dev.tollgate.upstream;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * One OpenAI-compatible server Tollgate may call, with its own connection pools and circuit breaker.
 * The API key is only ever put in the Authorization header; {@link #toString()} leaves it out.
 */
public record UpstreamEndpoint(String name, String baseUrl, String apiKey, Set<String> models, int priority,
        int weight, Duration connectTimeout, Duration readTimeout, LoopLocalClients clients, CircuitBreaker breaker,
        Target target) {

    private static final long POOL_WAIT_MARGIN_MILLIS = 250;

    /** Where the chat completions POST goes, worked out once from the base URL, not on every call. */
    public record Target(String host, int port, boolean ssl, String path) {

        /**
         * The base URL's chat completions address; DeepSeek accepts it with or without /v1. Anything that is not
         * an absolute http(s) URL with a host is refused, naming the property: a URL Java cannot read a host from
         * (no scheme, or an underscore in the host name) would otherwise have sent every call, and the key, to
         * localhost.
         */
        public static Target of(String property, String baseUrl) {
            // before anything that quotes the URL: a password in it must not reach the log, nor the console
            String written = baseUrl.strip().replaceFirst("^[A-Za-z][A-Za-z0-9+.-]*://", "").split("[/?#]", 2)[0];
            if (written.contains("@")) {
                throw new IllegalArgumentException(property + " has a user name or password in it, which is never"
                        + " sent (the endpoint's api-key is) and would be shown on the console; leave it out");
            }
            URI uri;
            try {
                uri = new URI(baseUrl.strip().replaceAll("/+$", "") + "/chat/completions");
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException(property + " is not a URL: " + e.getReason() + " at index "
                        + e.getIndex() + " of '" + shown(baseUrl) + "'");
            }
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || uri.getRawAuthority() == null
                    || uri.getRawQuery() != null || uri.getRawFragment() != null) {
                throw new IllegalArgumentException(property + " must be an http or https URL such as"
                        + " https://api.deepseek.com or http://vllm:8000/v1, without a query, not '" + shown(baseUrl)
                        + "'");
            }
            boolean ssl = scheme.equals("https");
            String host = uri.getHost();
            int port = uri.getPort();
            if (host == null) { // a registry-based authority, e.g. a docker-compose name with '_': host[:port]
                String authority = uri.getRawAuthority();
                int colon = authority.lastIndexOf(':');
                host = colon < 0 ? authority : authority.substring(0, colon);
                String digits = colon < 0 ? "" : authority.substring(colon + 1);
                port = digits.matches("\\d{1,5}") ? Integer.parseInt(digits) : colon < 0 ? -1 : 0;
                if (host.isEmpty() || host.contains("@")) {
                    port = 0;
                }
            }
            if (port == 0 || port > 65535) {
                throw new IllegalArgumentException(property + " has no host and port to call: '" + shown(baseUrl)
                        + "'");
            }
            return new Target(host, port != -1 ? port : ssl ? 443 : 80, ssl, uri.getRawPath());
        }

        /**
         * The URL as an error message may quote it: a query (a key given as ?api-key=…) and anything before an '@'
         * (a password with a '/' in it, which the check above cannot tell from a path) are left out.
         */
        private static String shown(String baseUrl) {
            return baseUrl.strip().replaceFirst("//.*@", "//…@").replaceFirst("[?#].*", "?…");
        }
    }

    /**
     * The key as it goes in the header: surrounding white space (the newline a secret file ends with) is dropped;
     * any other control character is refused at startup. An invalid header value would otherwise fail every call,
     * with the whole key in the error the HTTP client raises.
     */
    static String headerSafeKey(String property, String key) {
        String k = key.strip();
        if (k.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new IllegalArgumentException(property + " contains a control character (a line break?);"
                    + " an API key is one line of printable characters");
        }
        return k;
    }

    /** A chat completions POST to this endpoint, with its credentials and the per-request timeout. */
    public RequestOptions chatCompletionsRequest(boolean stream) {
        return request(HttpMethod.POST, target.path())
                .setIdleTimeout(readTimeout.toMillis())
                .putHeader(HttpHeaderNames.CONTENT_TYPE, "application/json")
                .putHeader(HttpHeaderNames.ACCEPT, stream ? "text/event-stream" : "application/json");
    }

    /**
     * DeepSeek's {@code GET /user/balance} beside the chat path (with or without /v1, as the base URL has it). A
     * short read timeout: it is a status check, answered at once or not at all.
     */
    public RequestOptions balanceRequest() {
        String base = target.path().substring(0, target.path().length() - "/chat/completions".length());
        return request(HttpMethod.GET, base + "/user/balance")
                .setIdleTimeout(Math.min(readTimeout.toMillis(), 10_000))
                .putHeader(HttpHeaderNames.ACCEPT, "application/json");
    }

    private RequestOptions request(HttpMethod method, String uri) {
        return new RequestOptions()
                .setMethod(method)
                .setHost(target.host())
                .setPort(target.port())
                .setSsl(target.ssl())
                .setURI(uri)
                // Getting a connection: a new one's TCP connect and TLS handshake each have the connect timeout (the
                // client's options); waiting for a busy pool's gets a little longer than both, so that a connect or
                // handshake that times out (a host that drops packets, a stalled TLS terminator) is reported and
                // counted by the breaker as such, not as a busy pool.
                .setConnectTimeout(connectTimeout.toMillis() * (target.ssl() ? 2 : 1) + POOL_WAIT_MARGIN_MILLIS)
                .putHeader(HttpHeaderNames.AUTHORIZATION, "Bearer " + apiKey);
    }

    /**
     * Whether a failure to get a connection from {@link #client()} was the wait for a busy pool: every connection
     * (max-connections) stayed in use, so nothing was sent and the endpoint did nothing wrong. The wait is longer
     * than a connect or handshake timeout (see {@code request}), so those are not taken for it.
     */
    public static boolean poolBusy(Throwable connectFailure) {
        return connectFailure instanceof TimeoutException || connectFailure instanceof ConnectionPoolTooBusyException;
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
