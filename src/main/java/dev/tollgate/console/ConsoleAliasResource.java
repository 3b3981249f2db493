package dev.tollgate.console;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.catalog.AliasConfig;
import dev.tollgate.catalog.AliasInput;
import dev.tollgate.catalog.AliasMode;
import dev.tollgate.catalog.AliasService;
import dev.tollgate.catalog.AliasView;
import dev.tollgate.ledger.AliasTraffic;
import dev.tollgate.platform.Inputs;
import dev.tollgate.platform.InvalidInputException;
import dev.tollgate.security.Caller;
import dev.tollgate.security.Roles;
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
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Console pages for model aliases: the list with sunset status for everyone, forms for platform admins. */
@Path("/console/aliases")
@Produces(MediaType.TEXT_HTML)
@RolesAllowed({Roles.PLATFORM_ADMIN, Roles.FINANCE, Roles.TENANT_ADMIN})
public class ConsoleAliasResource {

    static final List<String> FIELDS = List.of("alias", "targetModel", "impliedParams", "deprecatedAt", "sunsetAt",
            "mode", "replacementModel", "migrationGuide", "note", "version");

    @CheckedTemplate(basePath = "aliases")
    static class Templates {
        static native TemplateInstance list(List<AliasView> aliases, Map<String, AliasTraffic.Recent> recent);

        static native TemplateInstance form(AliasView alias, Map<String, String> values, List<String> models,
                List<AliasMode> modes, String guideHint, Map<String, String> errors, AliasTraffic.Recent retiring);
    }

    @Inject
    AliasService aliases;
    @Inject
    AliasConfig config;
    @Inject
    Inputs inputs;
    @Inject
    ObjectMapper json;
    @Inject
    AliasTraffic traffic;
    @Inject
    Caller caller;

    /**
     * Every alias, and to those who see every tenant, how many calls and tenants still sent each in the last 7 days:
     * whether retiring one is safe yet. A tenant admin is not shown other tenants' traffic.
     */
    @GET
    public TemplateInstance list() {
        return Templates.list(aliases.list(),
                caller.seesAllTenants() ? traffic.byAlias() : null);
    }

    @GET
    @Path("new")
    @RolesAllowed(Roles.PLATFORM_ADMIN)
    public TemplateInstance newAlias() {
        Map<String, String> values = new HashMap<>();
        FIELDS.forEach(f -> values.put(f, ""));
        values.put("impliedParams", "{}");
        values.put("mode", AliasMode.REWRITE_AND_WARN.wireName());
        return form(null, values, Map.of());
    }

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @RolesAllowed(Roles.PLATFORM_ADMIN)
    public Response create(MultivaluedMap<String, String> form) {
        Map<String, String> values = values(form);
        try {
            AliasView created = aliases.create(input(values));
            return Flash.redirect("/console/aliases", "Alias " + created.alias() + " created.");
        } catch (InvalidInputException e) {
            return Response.status(400).entity(form(null, values, e.fieldErrors())).build();
        }
    }

    @GET
    @Path("{alias}/edit")
    @RolesAllowed(Roles.PLATFORM_ADMIN)
    public TemplateInstance edit(@PathParam("alias") String alias) {
        AliasView a = find(alias);
        Map<String, String> values = new HashMap<>();
        values.put("alias", a.alias());
        values.put("targetModel", a.targetModel());
        values.put("impliedParams", a.impliedParamsJson());
        values.put("deprecatedAt", ConsoleExtensions.inputValue(a.deprecatedAt()));
        values.put("sunsetAt", ConsoleExtensions.inputValue(a.sunsetAt()));
        values.put("mode", a.mode().wireName());
        values.put("replacementModel", a.replacementModel().equals(a.targetModel()) ? "" : a.replacementModel());
        values.put("migrationGuide", a.migrationGuide() == null ? "" : a.migrationGuide());
        values.put("note", a.note() == null ? "" : a.note());
        values.put("version", String.valueOf(a.version()));
        return form(a, values, Map.of());
    }

    @POST
    @Path("{alias}/edit")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @RolesAllowed(Roles.PLATFORM_ADMIN)
    public Response update(@PathParam("alias") String alias, MultivaluedMap<String, String> form) {
        AliasView a = find(alias);
        Map<String, String> values = values(form);
        values.put("alias", a.alias());
        try {
            AliasInput in = input(values);
            in = new AliasInput(in.alias(), in.targetModel(), in.impliedParams(),
                    unchanged(in.deprecatedAt(), a.deprecatedAt()), unchanged(in.sunsetAt(), a.sunsetAt()), in.mode(),
                    in.replacementModel(), in.migrationGuide(), in.note(), in.version());
            Instant now = Instant.now();
            Instant sunset = in.sunsetAt();
            boolean retires = sunset != null && AliasMode.fromWireName(in.mode())
                    .filter(m -> m.rejects(now, sunset)).isPresent() && !a.mode().rejects(now, a.sunsetAt());
            if (retires && !"yes".equals(form.getFirst("retireNow"))) {
                // one save would turn every call naming it into a 410 at once: the admin sees who calls it first
                AliasTraffic.Recent recent = traffic.followingItsMode(a.alias());
                values.put("retireAsked", "yes".equals(form.getFirst("retireAsked")) ? "yes" : ""); // asked before
                return Response.ok(Templates.form(a, values, aliases.enabledModels(), List.of(AliasMode.values()),
                        guideHint(), Map.of(), recent)).build();
            }
            aliases.update(alias, in).orElseThrow(NotFoundException::new);
            return Flash.redirect("/console/aliases", "Alias " + alias + " saved.");
        } catch (InvalidInputException e) {
            return Response.status(400).entity(form(a, values, e.fieldErrors())).build();
        } catch (OptimisticLockException e) {
            // the form keeps what this admin typed; the page says what happened and how to see the other change
            return Response.status(409).entity(form(a, values, Map.of("version", "Someone else saved this alias"
                    + " after you opened it. Your changes are below, not saved: open the alias again to see theirs."))).build();
        }
    }

    @POST
    @Path("{alias}/delete")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @RolesAllowed(Roles.PLATFORM_ADMIN)
    public Response delete(@PathParam("alias") String alias) {
        if (!aliases.delete(alias)) {
            throw new NotFoundException();
        }
        return Flash.redirect("/console/aliases", "Alias " + alias + " deleted. Calls naming it get 404.");
    }

    /** The form shows instants to the minute: one sent back as shown keeps the seconds it had. */
    private static Instant unchanged(Instant submitted, Instant stored) {
        return submitted != null && stored != null && submitted.equals(stored.truncatedTo(ChronoUnit.MINUTES))
                ? stored : submitted;
    }

    private TemplateInstance form(AliasView alias, Map<String, String> values, Map<String, String> errors) {
        return Templates.form(alias, values, aliases.enabledModels(), List.of(AliasMode.values()), guideHint(), errors,
                null);
    }

    private String guideHint() {
        return "An absolute http(s) URL. Empty: the default guide, " + config.defaultGuide();
    }

    private AliasView find(String alias) {
        return aliases.find(alias).orElseThrow(NotFoundException::new);
    }

    /**
     * The form as an alias input. Values that cannot even be parsed (JSON, dates) are reported together
     * with the input's other field errors; the service checks the rest.
     */
    private AliasInput input(Map<String, String> v) {
        Map<String, String> errors = new LinkedHashMap<>();
        JsonNode implied = null;
        if (!v.get("impliedParams").isEmpty()) {
            try {
                implied = json.readTree(v.get("impliedParams"));
            } catch (JsonProcessingException e) {
                errors.put("impliedParams", "is not valid JSON: " + e.getOriginalMessage());
            }
        }
        AliasInput input = new AliasInput(v.get("alias"), v.get("targetModel"), implied,
                instant("deprecatedAt", v.get("deprecatedAt"), errors), instant("sunsetAt", v.get("sunsetAt"), errors),
                v.get("mode"), v.get("replacementModel"), v.get("migrationGuide"), v.get("note"),
                EditForms.version(v.get("version")));
        if (!errors.isEmpty()) {
            Map<String, String> all = inputs.violations(input.normalized());
            all.putAll(errors);
            throw new InvalidInputException(all);
        }
        return input;
    }

    private static Map<String, String> values(MultivaluedMap<String, String> form) {
        Map<String, String> values = new HashMap<>();
        for (String f : FIELDS) {
            String v = form.getFirst(f);
            values.put(f, v == null ? "" : v.trim());
        }
        return values;
    }

    /** datetime-local inputs carry no zone; the console labels them UTC. */
    private static Instant instant(String field, String value, Map<String, String> errors) {
        if (value.isEmpty()) {
            return null;
        }
        try {
            return LocalDateTime.parse(value).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            errors.put(field, "must be a date and time like 2026-12-31T23:59");
            return null;
        }
    }
}
