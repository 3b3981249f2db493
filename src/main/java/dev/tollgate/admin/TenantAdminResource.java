package dev.tollgate.admin;

import dev.tollgate.platform.Inputs;
import dev.tollgate.platform.NotFound;
import dev.tollgate.security.Roles;
import dev.tollgate.tenant.TenantInput;
import dev.tollgate.tenant.TenantPage;
import dev.tollgate.tenant.TenantService;
import dev.tollgate.tenant.TenantStatus;
import dev.tollgate.tenant.TenantView;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api/admin/tenants")
@Tag(name = "Tenants")
@RolesAllowed({Roles.PLATFORM_ADMIN, Roles.FINANCE, Roles.TENANT_ADMIN})
public class TenantAdminResource {

    public record TenantList(List<TenantView> items, long total, int page, int size) {
    }

    @Inject
    TenantService tenants;

    @GET
    public TenantList list(@QueryParam("q") String q, @QueryParam("status") String status,
            @QueryParam("page") String page, @QueryParam("size") String size) {
        TenantPage p = tenants.search(q, Inputs.oneOf("status", status, TenantStatus.class),
                Math.max(0, Inputs.wholeNumber("page", page, 0)),
                Math.min(Math.max(1, Inputs.wholeNumber("size", size, 50)), 500));
        return new TenantList(p.tenants().stream().map(TenantView::of).toList(), p.total(), p.page(), p.size());
    }

    @POST
    @RolesAllowed(Roles.PLATFORM_ADMIN)
    public Response create(TenantInput input) {
        TenantView created = TenantView.of(tenants.create(input));
        return Response.created(URI.create("/api/admin/tenants/" + created.slug())).entity(created).build();
    }

    @GET
    @Path("{slug}")
    public TenantView get(@PathParam("slug") String slug) {
        return tenants.visible(slug).map(TenantView::of).orElseThrow(NotFound.no("tenant", slug));
    }

    @PUT
    @Path("{slug}")
    @RolesAllowed({Roles.PLATFORM_ADMIN, Roles.TENANT_ADMIN})
    @Operation(summary = "Replace a tenant's descriptive and billing fields", description = "The slug comes from"
            + " the path and never changes. With `version` (as read), a save over someone else's change made since"
            + " is refused. The fields only a GET shows (`status`, `createdAt`, `updatedAt`) are ignored, so a tenant"
            + " as read can be put back: its status changes with suspend, reactivate and archive. Any other field"
            + " the body does not have is a 400 naming it.")
    @APIResponse(responseCode = "409", description = "`version` is not the tenant's current version")
    public TenantView update(@PathParam("slug") String slug, TenantInput input) {
        return tenants.update(slug, input).map(TenantView::of).orElseThrow(NotFound.no("tenant", slug));
    }

    @POST
    @Path("{slug}/suspend")
    @RolesAllowed(Roles.PLATFORM_ADMIN)
    public TenantView suspend(@PathParam("slug") String slug) {
        return status(slug, TenantStatus.SUSPENDED);
    }

    @POST
    @Path("{slug}/reactivate")
    @RolesAllowed(Roles.PLATFORM_ADMIN)
    public TenantView reactivate(@PathParam("slug") String slug) {
        return status(slug, TenantStatus.ACTIVE);
    }

    @POST
    @Path("{slug}/archive")
    @RolesAllowed(Roles.PLATFORM_ADMIN)
    public TenantView archive(@PathParam("slug") String slug) {
        return status(slug, TenantStatus.ARCHIVED);
    }

    private TenantView status(String slug, TenantStatus status) {
        return tenants.changeStatus(slug, status).map(TenantView::of).orElseThrow(NotFound.no("tenant", slug));
    }
}
