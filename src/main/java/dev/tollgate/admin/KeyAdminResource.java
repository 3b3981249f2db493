package dev.tollgate.admin;

import dev.tollgate.apikey.ApiKeyService;
import dev.tollgate.apikey.ApiKeyView;
import dev.tollgate.apikey.IssuedKey;
import dev.tollgate.apikey.KeyAlreadyIssuedException;
import dev.tollgate.apikey.KeyInput;
import dev.tollgate.apikey.RotateInput;
import dev.tollgate.platform.NotFound;
import dev.tollgate.platform.Problem;
import dev.tollgate.security.Roles;
import dev.tollgate.tenant.Tenant;
import dev.tollgate.tenant.TenantService;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** A tenant's API keys. The tenant is access-checked once, here at the scope boundary. */
@Path("/api/admin/tenants/{slug}/keys")
@Tag(name = "API keys")
@RolesAllowed({Roles.PLATFORM_ADMIN, Roles.FINANCE, Roles.TENANT_ADMIN})
public class KeyAdminResource {

    /** The full key is in these answers, once: no cache on the way may keep a copy. */
    private static final String NO_STORE = "no-store";

    @Inject
    TenantService tenants;
    @Inject
    ApiKeyService keys;

    @GET
    public List<ApiKeyView> list(@PathParam("slug") String slug) {
        return keys.list(tenant(slug));
    }

    /**
     * With an {@code Idempotency-Key} header a retried request (a timeout, a lost answer) issues no second key:
     * it gets a 409 naming the key the first one issued.
     */
    @POST
    @RolesAllowed({Roles.PLATFORM_ADMIN, Roles.TENANT_ADMIN})
    @Operation(summary = "Issue a key", description = "The answer holds the full key, the only time it is shown."
            + " Send an Idempotency-Key header (1 to 100 visible ASCII characters) to make a retry safe: a second"
            + " request with the same value for this tenant issues nothing and gets a 409 naming the first key.")
    public Response issue(@PathParam("slug") String slug, @HeaderParam("Idempotency-Key") String idempotencyKey,
            KeyInput input) {
        IssuedKey issued = keys.issue(tenant(slug), input, idempotencyKey);
        return Response.created(URI.create("/api/admin/tenants/" + slug + "/keys/" + issued.apiKey().publicId()))
                .entity(issued).header("Cache-Control", NO_STORE).build();
    }

    @GET
    @Path("{publicId}")
    public ApiKeyView get(@PathParam("slug") String slug, @PathParam("publicId") String publicId) {
        return keys.find(tenant(slug), publicId).orElseThrow(NotFound.no("key", publicId));
    }

    @POST
    @Path("{publicId}/revoke")
    @RolesAllowed({Roles.PLATFORM_ADMIN, Roles.TENANT_ADMIN})
    public ApiKeyView revoke(@PathParam("slug") String slug, @PathParam("publicId") String publicId) {
        return keys.revoke(tenant(slug), publicId).orElseThrow(NotFound.no("key", publicId));
    }

    @POST
    @Path("{publicId}/rotate")
    @RolesAllowed({Roles.PLATFORM_ADMIN, Roles.TENANT_ADMIN})
    public Response rotate(@PathParam("slug") String slug, @PathParam("publicId") String publicId,
            RotateInput input) {
        IssuedKey issued = keys.rotate(tenant(slug), publicId, input).orElseThrow(NotFound.no("key", publicId));
        return Response.ok(issued).header("Cache-Control", NO_STORE).build();
    }

    @ServerExceptionMapper
    public Response alreadyIssued(KeyAlreadyIssuedException e, UriInfo uri) {
        return Problem.response(409, "Conflict", "A key was already issued for this Idempotency-Key: "
                + e.key().prefix() + " (its secret was in the answer to that request only).", uri.getPath());
    }

    private Tenant tenant(String slug) {
        return tenants.visible(slug).orElseThrow(NotFound.no("tenant", slug));
    }
}
