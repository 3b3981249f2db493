package dev.tollgate.catalog;

import dev.tollgate.platform.NotFound;
import dev.tollgate.security.Roles;
import dev.tollgate.tenant.Tenant;
import dev.tollgate.tenant.TenantService;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** One tenant's modes for the aliases. The tenant is access-checked once, here at the scope boundary. */
@Path("/api/admin/tenants/{slug}/alias-overrides")
@Tag(name = "Model aliases")
@RolesAllowed({Roles.PLATFORM_ADMIN, Roles.FINANCE, Roles.TENANT_ADMIN})
public class AliasOverrideAdminResource {

    @Inject
    TenantService tenants;
    @Inject
    AliasService aliases;

    @GET
    @Operation(summary = "Every alias as this tenant gets it",
            description = "The alias' own mode, the tenant's override (null when none) and the mode in force.")
    public List<TenantAliasView> list(@PathParam("slug") String slug) {
        return aliases.forTenant(tenant(slug));
    }

    @GET
    @Path("{alias}")
    @Operation(summary = "One alias as this tenant gets it")
    public TenantAliasView get(@PathParam("slug") String slug, @PathParam("alias") String alias) {
        return aliases.forTenant(tenant(slug), alias).orElseThrow(NotFound.no("alias", alias));
    }

    @PUT
    @Path("{alias}")
    @RolesAllowed({Roles.PLATFORM_ADMIN, Roles.TENANT_ADMIN})
    @Operation(summary = "Set this tenant's mode for the alias",
            description = "Body {\"mode\": \"rewrite\" | \"rewrite-and-warn\" | \"reject-after-sunset\"}; wins over "
                    + "the alias' own mode for this tenant's calls. A tenant-admin may set their own tenant's.")
    public TenantAliasView set(@PathParam("slug") String slug, @PathParam("alias") String alias,
            AliasOverrideInput input) {
        return aliases.setOverride(tenant(slug), alias, input).orElseThrow(NotFound.no("alias", alias));
    }

    @DELETE
    @Path("{alias}")
    @RolesAllowed({Roles.PLATFORM_ADMIN, Roles.TENANT_ADMIN})
    @Operation(summary = "Clear this tenant's override", description = "The alias' own mode applies again.")
    public TenantAliasView clear(@PathParam("slug") String slug, @PathParam("alias") String alias) {
        return aliases.clearOverride(tenant(slug), alias).orElseThrow(NotFound.no("alias", alias));
    }

    private Tenant tenant(String slug) {
        return tenants.visible(slug).orElseThrow(NotFound.no("tenant", slug));
    }
}
