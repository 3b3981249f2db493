package dev.tollgate.catalog;

import dev.tollgate.platform.NotFound;
import dev.tollgate.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Model aliases. Everyone with a console role reads them (they hold no tenant data); platform admins edit. */
@Path("/api/admin/aliases")
@Tag(name = "Model aliases", description = "Names served by another model with the parameters they imply, "
        + "with a deprecation date, a sunset and a mode: rewrite, rewrite-and-warn or reject-after-sunset")
@RolesAllowed({Roles.PLATFORM_ADMIN, Roles.FINANCE, Roles.TENANT_ADMIN})
public class AliasAdminResource {

    @Inject
    AliasService aliases;

    @GET
    @Operation(summary = "List aliases", description = "By name, each with its status now: deprecated (before the "
            + "sunset), past_sunset (still served) or retired (answered with 410).")
    public List<AliasView> list() {
        return aliases.list();
    }

    @GET
    @Path("{alias}")
    @Operation(summary = "One alias")
    public AliasView get(@PathParam("alias") String alias) {
        return aliases.find(alias).orElseThrow(NotFound.no("alias", alias));
    }

    @POST
    @RolesAllowed(Roles.PLATFORM_ADMIN)
    @Operation(summary = "Create an alias", description = "The target and the replacement must be catalog models; "
            + "the name must not be one. impliedParams: top-level request fields applied where the client did not "
            + "set them, e.g. {\"thinking\":{\"type\":\"disabled\"}}. deprecatedAt defaults to now, "
            + "replacementModel to the target, migrationGuide (an absolute URL) to the default guide.")
    @APIResponse(responseCode = "201", description = "Created")
    @APIResponse(responseCode = "400", description = "Invalid input, with field errors")
    public Response create(AliasInput input) {
        AliasView created = aliases.create(input);
        return Response.created(URI.create("/api/admin/aliases/" + created.alias())).entity(created).build();
    }

    @PUT
    @Path("{alias}")
    @RolesAllowed(Roles.PLATFORM_ADMIN)
    @Operation(summary = "Replace an alias", description = "As create; the name comes from the path and never "
            + "changes. Without deprecatedAt the current deprecation date stays. With `version` (as read), a "
            + "save over someone else's change made since is refused. The fields only a GET shows (`status`, "
            + "`migrationGuideUrl`, `createdAt`, `updatedAt`) are ignored, so an alias as read can be put back.")
    @APIResponse(responseCode = "400", description = "Invalid input, with field errors")
    @APIResponse(responseCode = "409", description = "`version` is not the alias's current version")
    public AliasView update(@PathParam("alias") String alias, AliasInput input) {
        return aliases.update(alias, input).orElseThrow(NotFound.no("alias", alias));
    }

    @DELETE
    @Path("{alias}")
    @RolesAllowed(Roles.PLATFORM_ADMIN)
    @Operation(summary = "Delete an alias and every tenant override of it", description = "Calls naming it then "
            + "get 404, as any unknown model. To answer 410 instead, set mode reject-after-sunset.")
    @APIResponse(responseCode = "204", description = "Deleted")
    public Response delete(@PathParam("alias") String alias) {
        if (!aliases.delete(alias)) {
            throw NotFound.no("alias", alias).get();
        }
        return Response.noContent().build();
    }
}
