package dev.tollgate.platform;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * A path with a NUL character ({@code %00}) names nothing: PostgreSQL stores no text with one, so no tenant, key,
 * alias or user has it in its name. Such a path is a 404, as any unknown name, instead of a lookup the database
 * refuses, which read as a bad value on a request that sent none.
 */
public class NulPathFilter {

    @ServerRequestFilter(preMatching = true)
    public Response refuseNulInPath(ContainerRequestContext request) {
        String path = request.getUriInfo().getRequestUri().getRawPath();
        if (path == null || !path.contains("%00")) {
            return null;
        }
        String message = "There is no such page: nothing in Tollgate has a NUL character in its name.";
        if (path.startsWith("/api/")) {
            return Problem.response(404, "Not Found", message, path);
        }
        if (path.startsWith("/console")) {
            return Response.status(404).type(MediaType.TEXT_PLAIN).entity(message).build(); // shown as a console page
        }
        return null;
    }
}
