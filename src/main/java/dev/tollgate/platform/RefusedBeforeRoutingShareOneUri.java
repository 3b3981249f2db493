package dev.tollgate.platform;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.config.MeterFilter;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;

/**
 * Quarkus' HTTP metrics tag a request with its route, but a request refused before it is routed with the path as
 * sent: anyone could add a series per request until the registry's limit of 100 URIs, after which routes first
 * called later (after a restart, say) went unrecorded. Two refusals come before routing, and each shares one uri:
 * the admin API's without valid credentials ({@code GET /api/admin/<anything>}: 401), and the gateway's to a web
 * page of an origin it does not accept (403 {@code origin_not_allowed}, GatewayCors). Micrometer keeps no entry
 * per path mapped onto a meter that exists, so the paths themselves are not held either.
 */
@Singleton
public class RefusedBeforeRoutingShareOneUri implements MeterFilter {

    static final String UNAUTHENTICATED_ADMIN = "/api/admin/{unauthenticated}";
    static final String ORIGIN_NOT_ALLOWED = "/v1/{origin-not-allowed}";

    @Override
    public Meter.Id map(Meter.Id id) {
        String uri = id.getTag("uri");
        if (!"http.server.requests".equals(id.getName()) || uri == null || uri.contains("{")) {
            return id; // a route's template: routed
        }
        String status = id.getTag("status");
        if ("401".equals(status) && (uri.equals("/api/admin") || uri.startsWith("/api/admin/"))) {
            return withUri(id, UNAUTHENTICATED_ADMIN);
        }
        // the gateway's fixed routes keep theirs: the chat route's own 403 (a model the key may not use) is routed
        if ("403".equals(status) && (uri.startsWith("/v1/") || uri.startsWith("/models"))
                && !uri.equals("/v1/chat/completions") && !uri.equals("/v1/models") && !uri.equals("/models")) {
            return withUri(id, ORIGIN_NOT_ALLOWED);
        }
        return id;
    }

    private static Meter.Id withUri(Meter.Id id, String uri) {
        List<Tag> tags = new ArrayList<>(id.getTags());
        tags.replaceAll(t -> t.getKey().equals("uri") ? Tag.of("uri", uri) : t);
        return id.replaceTags(tags);
    }
}
