package dev.tollgate.console;

import dev.tollgate.apikey.ApiKeyService;
import dev.tollgate.apikey.ApiKeyView;
import dev.tollgate.platform.InvalidInputException;
import dev.tollgate.security.Roles;
import dev.tollgate.tenant.Tenant;
import dev.tollgate.tenant.TenantInput;
import dev.tollgate.tenant.TenantPage;
import dev.tollgate.tenant.TenantService;
import dev.tollgate.tenant.TenantStatus;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.persistence.OptimisticLockException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Console pages for tenants: list with search, detail with keys, create and edit forms, status changes. */
@Path("/console")
@Produces(MediaType.TEXT_HTML)
@RolesAllowed({Roles.PLATFORM_ADMIN, Roles.FINANCE, Roles.TENANT_ADMIN})
public class ConsoleTenantResource {

    static final int PAGE_SIZE = 50;

    @CheckedTemplate(basePath = "tenants")
    static class Templates {
        static native TemplateInstance list(TenantPage result, String q, String status, List<TenantStatus> statuses);

        static native TemplateInstance detail(Tenant tenant, List<ApiKeyView> keys);

        static native TemplateInstance form(Tenant tenant, TenantInput form, Map<String, String> errors);
    }

    @Inject
    TenantService tenants;
    @Inject
    ApiKeyService keys;

    @GET
    public Response home() {
        return Response.seeOther(URI.create("/console/tenants")).build();
    }

    @GET
    @Path("tenants")
    public TemplateInstance list(@QueryParam("q") String q, @QueryParam("status") String status,
            @QueryParam("page") String page) {
        TenantStatus wanted = parseStatus(status);
        TenantPage result = tenants.search(q, wanted, Paging.page(page), PAGE_SIZE);
        if (result.tenants().isEmpty() && result.page() > 0) { // past the end: the last page
            result = tenants.search(q, wanted, Paging.last(result.total(), PAGE_SIZE), PAGE_SIZE);
        }
        return Templates.list(result, q == null ? "" : q, wanted == null ? "" : wanted.name(),
                List.of(TenantStatus.values()));
    }

    @GET
    @Path("tenants/new")
    @RolesAllowed(Roles.PLATFORM_ADMIN)
    public TemplateInstance newTenant() {
        return Templates.form(null, new TenantInput("", "", "", "", "", "", "USD", "UTC", null), Map.of());
    }

    @POST
    @Path("tenants")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @RolesAllowed(Roles.PLATFORM_ADMIN)
    public Response create(MultivaluedMap<String, String> form) {
        TenantInput input = tenantInput(form);
        try {
            Tenant t = tenants.create(input);
            return Flash.redirect("/console/tenants/" + t.slug, "Tenant " + t.slug + " created.");
        } catch (InvalidInputException e) {
            return Response.status(400).entity(Templates.form(null, input, e.fieldErrors())).build();
        }
    }

    @GET
    @Path("tenants/{slug}")
    public TemplateInstance detail(@PathParam("slug") String slug) {
        Tenant t = visible(slug);
        return Templates.detail(t, keys.list(t));
    }

    @GET
    @Path("tenants/{slug}/edit")
    @RolesAllowed({Roles.PLATFORM_ADMIN, Roles.TENANT_ADMIN})
    public TemplateInstance edit(@PathParam("slug") String slug) {
        Tenant t = visible(slug);
        TenantInput current = new TenantInput(t.slug, t.displayName, t.legalName, t.billingEmail, t.postalAddress,
                t.taxId, t.currency, t.timezone, t.version);
        return Templates.form(t, current, Map.of());
    }

    @POST
    @Path("tenants/{slug}/edit")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @RolesAllowed({Roles.PLATFORM_ADMIN, Roles.TENANT_ADMIN})
    public Response update(@PathParam("slug") String slug, MultivaluedMap<String, String> form) {
        Tenant t = visible(slug);
        TenantInput input = tenantInput(form);
        try {
            tenants.update(slug, input).orElseThrow(NotFoundException::new);
            return Flash.redirect("/console/tenants/" + slug, "Changes saved.");
        } catch (InvalidInputException e) {
            return Response.status(400).entity(Templates.form(t, input, e.fieldErrors())).build();
        } catch (OptimisticLockException e) {
            // the form keeps what this admin typed; the page says what happened and how to see the other change
            return Response.status(409).entity(Templates.form(t, input, Map.of("version", "Someone else saved this"
                    + " tenant after you opened it. Your changes are below, not saved: open it again to see theirs.")))
                    .build();
        }
    }

    @POST
    @Path("tenants/{slug}/status")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @RolesAllowed(Roles.PLATFORM_ADMIN)
    public Response changeStatus(@PathParam("slug") String slug, MultivaluedMap<String, String> form) {
        visible(slug); // a 404 first: the redirects below put the slug in a URL
        TenantStatus status = parseStatus(form.getFirst("status"));
        if (status == null) {
            return Flash.warn("/console/tenants/" + slug, "Unknown status.");
        }
        tenants.changeStatus(slug, status).orElseThrow(NotFoundException::new);
        return Flash.redirect("/console/tenants/" + slug,
                "Tenant is now " + status.name().toLowerCase(Locale.ROOT) + ".");
    }

    private Tenant visible(String slug) {
        return tenants.visible(slug).orElseThrow(NotFoundException::new);
    }

    private static TenantInput tenantInput(MultivaluedMap<String, String> f) {
        return new TenantInput(f.getFirst("slug"), f.getFirst("displayName"), f.getFirst("legalName"),
                f.getFirst("billingEmail"), f.getFirst("postalAddress"), f.getFirst("taxId"), f.getFirst("currency"),
                f.getFirst("timezone"), EditForms.version(f.getFirst("version")));
    }

    private static TenantStatus parseStatus(String s) {
        if (s == null || s.isBlank()) {
            return null;
        }
        try {
            return TenantStatus.valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
