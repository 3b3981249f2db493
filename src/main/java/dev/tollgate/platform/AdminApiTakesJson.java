package dev.tollgate.platform;

import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * The admin API takes JSON. A form post to it (curl's {@code -d}, an HTML form) met the console's CSRF check first,
 * which answered a bare 400 with no body and no word of why; it is refused here, before that check, as the 415
 * problem any other body type gets.
 */
public class AdminApiTakesJson {

    @ServerRequestFilter(preMatching = true)
    public void refuseForms(ContainerRequestContext request) {
        MediaType type = request.getMediaType();
        if (type != null && request.getUriInfo().getPath().startsWith("/api/admin")
                && (type.isCompatible(MediaType.APPLICATION_FORM_URLENCODED_TYPE)
                        || type.isCompatible(MediaType.MULTIPART_FORM_DATA_TYPE))) {
            throw new NotSupportedException("The admin API takes JSON (Content-Type: application/json); an action"
                    + " without a body, such as a revoke, takes no Content-Type.");
        }
    }
}
