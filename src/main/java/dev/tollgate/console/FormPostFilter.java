package dev.tollgate.console;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Console changes arrive as form posts, and only form posts have their CSRF token checked (the admin API's JSON
 * must pass the same filter untouched). A console POST of any other kind, or with no body type at all, would
 * reach its resource unchecked, so it is refused here.
 */
public class FormPostFilter {

    @ServerRequestFilter(preMatching = true)
    public Response onlyFormsPostToTheConsole(ContainerRequestContext request) {
        if (!"POST".equals(request.getMethod()) || !request.getUriInfo().getPath().startsWith("/console")) {
            return null;
        }
        // exactly the types the CSRF filter checks, as it compares them: case-sensitive, no wildcards
        MediaType type = request.getMediaType();
        boolean form = type != null && (is(type, MediaType.APPLICATION_FORM_URLENCODED_TYPE)
                || is(type, MediaType.MULTIPART_FORM_DATA_TYPE));
        return form ? null : Response.status(415).type(MediaType.TEXT_PLAIN)
                .entity("Console changes are made with the console's own forms.").build();
    }

    private static boolean is(MediaType type, MediaType expected) {
        return type.getType().equals(expected.getType()) && type.getSubtype().equals(expected.getSubtype());
    }
}
