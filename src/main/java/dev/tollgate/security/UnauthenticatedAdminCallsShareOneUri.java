package dev.tollgate.security;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.config.MeterFilter;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;

/**
 * Calls to the admin API without valid credentials are refused before they are routed, so Quarkus' HTTP metrics
 * tag them with the path as sent: anyone could add a series per request ({@code GET /api/admin/<anything>}) until
 * the registry's limit of 100 URIs, after which the application's own new URIs went unrecorded. They share one
 * uri instead; the status still tells them apart. (Micrometer keeps no entry per path mapped onto a meter that
 * exists, so the paths themselves are not held either.)
 */
@Singleton
public class UnauthenticatedAdminCallsShareOneUri implements MeterFilter {

    static final String URI = "/api/admin/{unauthenticated}";

    @Override
    public Meter.Id map(Meter.Id id) {
        String uri = id.getTag("uri");
        if (!"http.server.requests".equals(id.getName()) || !"401".equals(id.getTag("status")) || uri == null
                || !(uri.equals("/api/admin") || uri.startsWith("/api/admin/"))) {
            return id;
        }
        List<Tag> tags = new ArrayList<>(id.getTags());
        tags.replaceAll(t -> t.getKey().equals("uri") ? Tag.of("uri", URI) : t);
        return id.replaceTags(tags);
    }
}
