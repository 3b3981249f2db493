package dev.tollgate.platform;

import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.MediaType;
import java.util.Locale;
import java.util.Set;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * The admin API takes JSON. A form post to it (curl's {@code -d}, an HTML form) met the console's CSRF check first,
 * which answered a bare 400 with no body and no word of why, and any other type met the framework's "no
 * MessageBodyReader" 415. Both are refused here, before either, with a problem that says what to send.
 */
public class AdminApiTakesJson {

    /**
     * Reads have no body, so their Content-Type means nothing: some clients (hey, PowerShell's -ContentType, HTTP
     * libraries with a default header) send one anyway, and the console's CSRF check never reads them.
     */
    private static final Set<String> READS = Set.of("GET", "HEAD", "OPTIONS");

    @ServerRequestFilter(preMatching = true)
    public void refuseAllButJson(ContainerRequestContext request) {
        MediaType type = request.getMediaType();
        if (type != null && !READS.contains(request.getMethod()) && request.getUriInfo().getPath()
                .startsWith("/api/admin") && !isJson(type)) {
            throw new NotSupportedException("The admin API takes JSON (Content-Type: application/json); an action"
                    + " without a body, such as a revoke, takes no Content-Type.");
        }
    }

    private static boolean isJson(MediaType type) {
        String subtype = type.getSubtype().toLowerCase(Locale.ROOT);
        return "application".equalsIgnoreCase(type.getType()) && (subtype.equals("json") || subtype.endsWith("+json"));
    }
}
