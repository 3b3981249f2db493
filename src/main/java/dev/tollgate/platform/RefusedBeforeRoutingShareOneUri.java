package dev.tollgate.platform;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.config.MeterFilter;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Quarkus' HTTP metrics tag a request with its route, but a request answered before it is routed with the path as
 * sent: anyone could add a series per request until the registry's limit of 100 URIs, after which routes first
 * called later (after a restart, say) went unrecorded. Many answers come before routing: the admin API's 401 without
 * credentials, the login throttle's 429, the gateway's CORS preflight and 403 for a refused origin, the body limit's
 * 413, Quarkus' 400 for a path that is no valid URI (a literal brace, a bad escape), a 404 for a path with a double
 * slash. So a uri is kept only when it is a route's: one that has answered a success (only routes do; preflights
 * aside), a template (a path with a literal brace never reaches routing), the gateway's own fixed routes, or one of
 * Quarkus' shared values. Every other answer shares {@code UNROUTED}; its status and method still tell them apart.
 * Micrometer keeps no entry per path mapped onto a meter that exists, so the paths themselves are not held either.
 */
@Singleton
public class RefusedBeforeRoutingShareOneUri implements MeterFilter {

    static final String UNROUTED = "UNROUTED";
    /** The gateway's fixed routes: their errors (a bad key, an upstream down since the start) keep their uri. */
    public static final Set<String> GATEWAY_ROUTES = Set.of("/v1/chat/completions", "/chat/completions",
            "/v1/models", "/models");
    /** What Quarkus itself tags unrouted answers with. */
    private static final Set<String> QUARKUS_URIS = Set.of("NOT_FOUND", "REDIRECTION", "UNKNOWN", "root",
            "/cors-preflight", UNROUTED);

    /** The uris that have answered a success: routes, so bounded by the application's own. */
    private final Set<String> served = ConcurrentHashMap.newKeySet();

    @Override
    public Meter.Id map(Meter.Id id) {
        String uri = id.getTag("uri");
        String status = id.getTag("status");
        if (!"http.server.requests".equals(id.getName()) || uri == null || status == null
                || QUARKUS_URIS.contains(uri) || GATEWAY_ROUTES.contains(uri)) {
            return id;
        }
        if ("OPTIONS".equals(id.getTag("method"))) {
            return withUri(id, "/cors-preflight"); // Quarkus' own name for the preflights it recognises
        }
        if (status.startsWith("2")) {
            served.add(uri);
            return id;
        }
        boolean template = uri.contains("{") && !status.equals("400");
        return template || served.contains(uri) ? id : withUri(id, UNROUTED);
    }

    private static Meter.Id withUri(Meter.Id id, String uri) {
        List<Tag> tags = new ArrayList<>(id.getTags());
        tags.replaceAll(t -> t.getKey().equals("uri") ? Tag.of("uri", uri) : t);
        return id.replaceTags(tags);
    }
}
