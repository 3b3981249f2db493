package dev.tollgate.gateway;

import dev.tollgate.platform.TollgateConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.URI;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Lets web apps call the gateway from the browser, as OpenAI's and DeepSeek's APIs do (the OpenAI JS SDK with
 * {@code dangerouslyAllowBrowser}, chat front ends that call the API directly). Any origin by default: the
 * tenant key is sent as a header, never a cookie, so an origin gains nothing it could not do from a server.
 * Only the gateway's paths: the console and the admin API stay same-origin.
 *
 * <p>Not Vert.x Web's CorsHandler: asked for any origin, it still refuses those it does not parse (an app's
 * {@code tauri://localhost}, a {@code safari-web-extension://} page), and {@code Origin: http://} makes it throw.
 */
@ApplicationScoped
public class GatewayCors {

    /** Ahead of the gateway's routes, so that a preflight never reaches the key check. */
    static final int ORDER = ChatCompletionsRoute.GATEWAY_ORDER - 1;
    /** The headers a browser script may read: the ones an OpenAI SDK reads, and Tollgate's own (docs/api.md). */
    static final String EXPOSED = "X-Request-Id, X-Client-Request-Id, X-Tollgate-Model, X-Tollgate-Warning,"
            + " Deprecation, Sunset, Link, Retry-After, X-Should-Retry";
    /** How long a browser may reuse a preflight's answer (browsers cap it at 2 h or less). */
    static final String PREFLIGHT_MAX_AGE_SECONDS = "3600";

    /** Origins as browsers write them (lower case, no default port); null: any origin; empty: none. */
    private Set<String> allowed;

    void install(@Observes Router router, TollgateConfig config) {
        allowed = allowedOrigins(config.gateway().corsOrigins());
        for (String path : List.of("/v1/*", "/chat/completions", "/models", "/models/*")) {
            router.route(path).order(ORDER).handler(this::handle);
        }
    }

    private void handle(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        HttpServerResponse response = ctx.response();
        String origin = request.getHeader(HttpHeaderNames.ORIGIN);
        if (allowed != null && !allowed.isEmpty()) {
            response.putHeader(HttpHeaderNames.VARY, "Origin"); // the answer differs by origin: caches keep them apart
        }
        if (origin == null) {
            if (request.method() == HttpMethod.OPTIONS && allow(request.path()) != null) {
                response.putHeader(HttpHeaderNames.ALLOW, allow(request.path())).setStatusCode(204).end();
            } else {
                ctx.next(); // not from a web page
            }
            return;
        }
        if (allowed != null && !allowed.contains(origin)) {
            GatewayResponses.error(ctx, new OpenAiException(403, "permission_error", "origin_not_allowed", null,
                    "This gateway does not accept calls from web pages of origin " + origin
                            + "; tollgate.gateway.cors-origins lists the ones it does."));
            return;
        }
        response.putHeader(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, allowed == null ? "*" : origin);
        if (request.method() == HttpMethod.OPTIONS && request.getHeader(HttpHeaderNames.ACCESS_CONTROL_REQUEST_METHOD) != null) {
            String headers = request.getHeader(HttpHeaderNames.ACCESS_CONTROL_REQUEST_HEADERS);
            if (headers != null) { // whatever the client sends (the OpenAI SDKs add x-stainless-* headers)
                response.putHeader(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, headers);
                response.headers().add(HttpHeaderNames.VARY, "Access-Control-Request-Headers");
            }
            response.putHeader(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, "GET, POST")
                    .putHeader(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE, PREFLIGHT_MAX_AGE_SECONDS)
                    .setStatusCode(204).end();
            return;
        }
        response.putHeader(HttpHeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS, EXPOSED);
        ctx.next();
    }

    /** The methods a served path answers, for a plain OPTIONS (JAX-RS would list GET for every path); else null. */
    private static String allow(String path) {
        return switch (path) {
            case "/v1/chat/completions", "/chat/completions" -> "POST, OPTIONS";
            case "/v1/models", "/models" -> "GET, HEAD, OPTIONS";
            default -> path.startsWith("/v1/models/") || path.startsWith("/models/") ? "GET, HEAD, OPTIONS" : null;
        };
    }

    /** {@code *}: any origin (null); {@code none}: no page of another origin (empty); else the origins listed. */
    static Set<String> allowedOrigins(List<String> setting) {
        List<String> origins = setting.stream().map(String::trim).toList();
        if (origins.contains("*")) {
            return null;
        }
        return origins.equals(List.of("none")) ? Set.of() : parse(origins);
    }

    /**
     * Each listed origin as a browser sends it: {@code scheme://host[:port]}, in lower case, without the scheme's
     * default port. Anything else stops the start, naming the setting.
     */
    private static Set<String> parse(List<String> origins) {
        Set<String> parsed = new LinkedHashSet<>();
        for (String origin : origins) {
            try {
                URI uri = new URI(origin);
                String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
                if (scheme == null || uri.getHost() == null || uri.getRawUserInfo() != null || uri.getRawQuery() != null
                        || uri.getRawFragment() != null || !(uri.getRawPath() == null || uri.getRawPath().isEmpty())) {
                    throw new IllegalArgumentException("not scheme://host[:port]");
                }
                int port = uri.getPort();
                boolean defaultPort = port == -1 || port == 80 && scheme.equals("http") || port == 443 && scheme.equals("https");
                parsed.add(scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port));
            } catch (Exception e) {
                throw new IllegalArgumentException("tollgate.gateway.cors-origins: \"" + origin + "\" is not an origin"
                        + " (scheme://host[:port], such as https://chat.example.com), nor * or none", e);
            }
        }
        return parsed;
    }
}
