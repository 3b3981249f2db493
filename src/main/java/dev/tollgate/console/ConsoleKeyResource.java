package dev.tollgate.console;

import dev.tollgate.apikey.ApiKeyService;
import dev.tollgate.apikey.ApiKeyView;
import dev.tollgate.apikey.IssuedKey;
import dev.tollgate.apikey.KeyAlreadyIssuedException;
import dev.tollgate.apikey.KeyInput;
import dev.tollgate.apikey.RotateInput;
import dev.tollgate.catalog.ModelCatalog;
import dev.tollgate.platform.Inputs;
import dev.tollgate.platform.InvalidInputException;
import dev.tollgate.security.Roles;
import dev.tollgate.tenant.Tenant;
import dev.tollgate.tenant.TenantService;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/** Console pages for a tenant's keys: issue (the key is shown once), revoke, rotate with a grace period. */
@Path("/console/tenants/{slug}/keys")
@Produces(MediaType.TEXT_HTML)
@RolesAllowed({Roles.PLATFORM_ADMIN, Roles.TENANT_ADMIN})
public class ConsoleKeyResource {

    @CheckedTemplate(basePath = "keys")
    static class Templates {
        static native TemplateInstance form(Tenant tenant, List<String> models, Map<String, String> values,
                List<String> chosenModels, Map<String, String> errors, String issueToken);

        static native TemplateInstance issued(Tenant tenant, IssuedKey issued, boolean rotated);

        static native TemplateInstance rotate(Tenant tenant, ApiKeyView key, String graceUntil,
                Map<String, String> errors);
    }

    @Inject
    TenantService tenants;
    @Inject
    ApiKeyService keys;
    @Inject
    ModelCatalog catalog;
    @Inject
    Inputs inputs;

    @GET
    @Path("new")
    public TemplateInstance newKey(@PathParam("slug") String slug) {
        // one token per form shown: sending it again (a reload of the answer, a second click) issues nothing
        return Templates.form(tenant(slug), modelIds(), Map.of("name", "", "expiresAt", ""), List.of(), Map.of(),
                UUID.randomUUID().toString());
    }

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response issue(@PathParam("slug") String slug, MultivaluedMap<String, String> form) {
        Tenant t = tenant(slug);
        List<String> chosen = form.getOrDefault("allowedModels", List.of());
        String name = value(form, "name");
        String expires = value(form, "expiresAt");
        // the form's own token, or, when it is not one (edited by hand), a fresh one: no error it could not show
        String token = value(form, "issueToken");
        if (!token.matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")) {
            token = UUID.randomUUID().toString();
        }
        try {
            Instant expiresAt;
            try {
                expiresAt = parseInstant("expiresAt", expires);
            } catch (InvalidInputException e) { // with the other fields' errors too, so one round trip fixes all
                Map<String, String> errors = new LinkedHashMap<>(inputs.violations(new KeyInput(name, null, chosen)));
                errors.putAll(e.fieldErrors());
                throw new InvalidInputException(errors);
            }
            return secretPage(Templates.issued(t, keys.issue(t, new KeyInput(name, expiresAt, chosen),
                    token), false));
        } catch (InvalidInputException e) {
            return Response.status(400).entity(Templates.form(t, modelIds(),
                    Map.of("name", name, "expiresAt", expires), chosen, e.fieldErrors(), token)).build();
        } catch (KeyAlreadyIssuedException e) {
            return Flash.warn("/console/tenants/" + slug, "Key " + e.key().prefix() + " was already issued from"
                    + " this form; its secret was shown then, once. If it was not copied, revoke it and issue another.");
        }
    }

    @POST
    @Path("{publicId}/revoke")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response revoke(@PathParam("slug") String slug, @PathParam("publicId") String publicId) {
        keys.revoke(tenant(slug), publicId).orElseThrow(NotFoundException::new);
        return Flash.redirect("/console/tenants/" + slug, "Key tg-" + publicId + "-… revoked. It stopped working now.");
    }

    @GET
    @Path("{publicId}/rotate")
    public Response rotateForm(@PathParam("slug") String slug, @PathParam("publicId") String publicId) {
        Tenant t = tenant(slug);
        ApiKeyView key = keys.find(t, publicId).orElseThrow(NotFoundException::new);
        if (!key.status().usable() || key.replacedBy() != null) { // an old link, or a second tab
            return Flash.warn("/console/tenants/" + slug, "Key " + key.prefix() + " is " + (key.replacedBy() != null
                    ? "already rotated" : key.status().name().toLowerCase(Locale.ROOT)) + "; only an active key can be rotated.");
        }
        String tomorrow = ConsoleExtensions.inputValue(Instant.now().plusSeconds(86_400));
        return Response.ok(Templates.rotate(t, key, tomorrow, Map.of())).build();
    }

    @POST
    @Path("{publicId}/rotate")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response rotate(@PathParam("slug") String slug, @PathParam("publicId") String publicId,
            MultivaluedMap<String, String> form) {
        Tenant t = tenant(slug);
        ApiKeyView key = keys.find(t, publicId).orElseThrow(NotFoundException::new);
        if (key.replacedBy() != null) { // the form sent again: reloading the page that showed the new key
            return Flash.warn("/console/tenants/" + slug, "Key " + key.prefix() + " is already rotated, so it was not"
                    + " rotated again. Its new key was shown once; if it was not copied, revoke the new key and issue"
                    + " another.");
        }
        String grace = value(form, "graceUntil");
        try {
            IssuedKey issued = keys.rotate(t, publicId, new RotateInput(parseInstant("graceUntil", grace)))
                    .orElseThrow(NotFoundException::new);
            return secretPage(Templates.issued(t, issued, true));
        } catch (InvalidInputException e) {
            return Response.status(400).entity(Templates.rotate(t, key, grace, e.fieldErrors())).build();
        }
    }

    // The page with the full key must not be kept by the browser or any proxy.
    private static Response secretPage(TemplateInstance page) {
        return Response.ok(page).header("Cache-Control", "no-store").build();
    }

    private Tenant tenant(String slug) {
        return tenants.visible(slug).orElseThrow(NotFoundException::new);
    }

    private List<String> modelIds() {
        return catalog.models().stream().map(m -> m.id()).toList();
    }

    private static String value(MultivaluedMap<String, String> form, String name) {
        String v = form.getFirst(name);
        return v == null ? "" : v.trim();
    }

    /** datetime-local inputs carry no zone; the console labels them UTC. */
    private static Instant parseInstant(String field, String value) {
        if (value.isEmpty()) {
            return null;
        }
        try {
            return LocalDateTime.parse(value).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            throw InvalidInputException.of(field, "must be a date and time like 2026-12-31T23:59");
        }
    }
}
