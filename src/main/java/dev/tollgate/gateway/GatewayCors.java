package dev.tollgate.gateway;

import dev.tollgate.platform.TollgateConfig;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.CorsHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Lets web apps call the gateway from the browser, as OpenAI's and DeepSeek's APIs do (the OpenAI JS SDK with
 * {@code dangerouslyAllowBrowser}, chat front ends that call the API directly). Any origin by default: the
 * tenant key is sent as a header, never a cookie, so an origin gains nothing it could not do from a server.
 * Only the gateway's paths: the console and the admin API stay same-origin.
 */
@ApplicationScoped
public class GatewayCors {

    /** Ahead of the gateway's routes, so that a preflight never reaches the key check. */
    static final int ORDER = ChatCompletionsRoute.GATEWAY_ORDER - 1;
    /** The headers a browser script may read: the ones an OpenAI SDK reads, and Tollgate's own (docs/api.md). */
    static final Set<String> EXPOSED = new LinkedHashSet<>(List.of("X-Request-Id", "X-Client-Request-Id",
            "X-Tollgate-Model", "X-Tollgate-Warning", "Deprecation", "Sunset", "Link", "Retry-After", "X-Should-Retry"));
    /** How long a browser may reuse a preflight's answer (browsers cap it at 2 h or less). */
    static final int PREFLIGHT_MAX_AGE_SECONDS = 3600;

    void install(@Observes Router router, TollgateConfig config) {
        CorsHandler cors = handler(config.gateway().corsOrigins());
        for (String path : List.of("/v1/*", "/chat/completions", "/models", "/models/*")) {
            router.route(path).order(ORDER).handler(cors).failureHandler(ctx -> {
                if (ctx.statusCode() != 403) {
                    ctx.next();
                    return;
                }
                GatewayResponses.error(ctx, new OpenAiException(403, "permission_error", "origin_not_allowed", null,
                        "This gateway does not accept calls from web pages of origin "
                                + ctx.request().getHeader("Origin") + "; its operator lists the ones it does."));
            });
        }
    }

    /**
     * {@code *} allows any origin; otherwise only those listed, each as {@code scheme://host[:port]}. A malformed
     * one stops the start, naming the setting.
     */
    static CorsHandler handler(List<String> origins) {
        CorsHandler cors = CorsHandler.create()
                .allowedMethods(Set.of(HttpMethod.GET, HttpMethod.POST))
                .exposedHeaders(EXPOSED)
                .maxAgeSeconds(PREFLIGHT_MAX_AGE_SECONDS);
        if (origins.contains("*")) {
            return cors;
        }
        for (String origin : origins) {
            try {
                cors.addOrigin(origin.trim());
            } catch (RuntimeException e) { // Vert.x says IllegalStateException
                throw new IllegalArgumentException("tollgate.gateway.cors-origins: \"" + origin + "\" is not an origin"
                        + " (scheme://host[:port], such as https://chat.example.com), nor *", e);
            }
        }
        return cors;
    }
}
