package dev.tollgate.platform;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import java.util.Set;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * The admin API takes no cookies, but a browser that was once given its Basic credentials sends them along with
 * any request, a form posted by another site included: a page could suspend a tenant or revoke a key in an admin's
 * name. Browsers say where a request comes from (Fetch Metadata); a change asked for by another site is refused.
 * Clients that are not browsers (curl, scripts, SDKs) send no such header and are not affected.
 */
public class CrossSiteRequestFilter {

    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS");

    @ServerRequestFilter(preMatching = true)
    public Response refuseChangesFromOtherSites(ContainerRequestContext request) {
        if (SAFE_METHODS.contains(request.getMethod()) || !request.getUriInfo().getPath().startsWith("/api/admin")) {
            return null;
        }
        String site = request.getHeaderString("Sec-Fetch-Site");
        if (site == null || site.equals("same-origin") || site.equals("none")) {
            return null;
        }
        return Problem.response(403, "Forbidden", "A change to Tollgate cannot be asked for by another site ("
                + "Sec-Fetch-Site: " + site + ").", request.getUriInfo().getPath());
    }
}
