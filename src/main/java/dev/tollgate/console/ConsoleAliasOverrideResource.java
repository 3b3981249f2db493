package dev.tollgate.console;

import dev.tollgate.catalog.AliasMode;
import dev.tollgate.catalog.AliasOverrideInput;
import dev.tollgate.catalog.AliasService;
import dev.tollgate.catalog.TenantAliasView;
import dev.tollgate.ledger.AliasTraffic;
import dev.tollgate.platform.InvalidInputException;
import dev.tollgate.security.Roles;
import dev.tollgate.tenant.Tenant;
import dev.tollgate.tenant.TenantService;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import java.time.Instant;

/** A tenant's own mode for an alias, set from the tenant page: an empty mode clears the override. */
@Path("/console/tenants/{slug}/alias-overrides")
@RolesAllowed({Roles.PLATFORM_ADMIN, Roles.TENANT_ADMIN})
public class ConsoleAliasOverrideResource {

    @Inject
    TenantService tenants;
    @Inject
    AliasService aliases;
    @Inject
    AliasTraffic traffic;

    @CheckedTemplate(basePath = "aliases")
    static class Templates {
        static native TemplateInstance retire(Tenant tenant, TenantAliasView alias, String mode,
                AliasTraffic.Recent recent);
    }

    @POST
    @Path("{alias}")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response set(@PathParam("slug") String slug, @PathParam("alias") String alias,
            MultivaluedMap<String, String> form) {
        Tenant t = tenants.visible(slug).orElseThrow(NotFoundException::new);
        String mode = form.getFirst("mode") == null ? "" : form.getFirst("mode").trim();
        TenantAliasView now = aliases.forTenant(t, alias).orElseThrow(NotFoundException::new);
        AliasMode next = mode.isEmpty() ? now.aliasMode() : AliasMode.fromWireName(mode).orElse(null);
        Instant at = Instant.now();
        if (next != null && next.rejects(at, now.sunsetAt()) && !now.mode().rejects(at, now.sunsetAt())
                && !"yes".equals(form.getFirst("retireNow"))) {
            // the change would turn the tenant's calls naming the alias into 410s at once: the admin sees how many
            return Response.ok(Templates.retire(t, now, mode, traffic.ofTenant(alias, t.id))).build();
        }
        try {
            TenantAliasView v = mode.isEmpty() ? aliases.clearOverride(t, alias).orElseThrow(NotFoundException::new)
                    : aliases.setOverride(t, alias, new AliasOverrideInput(mode)).orElseThrow(NotFoundException::new);
            return Flash.redirect("/console/tenants/" + slug, mode.isEmpty()
                    ? alias + " follows the platform's mode again (" + v.mode() + ")."
                    : alias + " is now " + v.mode() + " for this tenant.");
        } catch (InvalidInputException e) {
            return Flash.warn("/console/tenants/" + slug, alias + ": mode " + e.fieldErrors().get("mode"));
        }
    }
}
