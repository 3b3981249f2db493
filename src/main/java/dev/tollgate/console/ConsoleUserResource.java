package dev.tollgate.console;

import dev.tollgate.platform.InvalidInputException;
import dev.tollgate.security.LocalUserService;
import dev.tollgate.security.Roles;
import dev.tollgate.security.UserInput;
import dev.tollgate.security.UserView;
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
import java.util.List;
import java.util.Map;

/** Local users (login mode local): list, create, delete. Platform admins only. */
@Path("/console/users")
@Produces(MediaType.TEXT_HTML)
@RolesAllowed(Roles.PLATFORM_ADMIN)
public class ConsoleUserResource {

    @CheckedTemplate(basePath = "users")
    static class Templates {
        static native TemplateInstance list(List<UserView> users, List<String> roles, Map<String, String> values,
                Map<String, String> errors);
    }

    @Inject
    LocalUserService users;

    @GET
    public TemplateInstance list() {
        return Templates.list(users.list(), Roles.ALL, Map.of("username", "", "role", Roles.TENANT_ADMIN,
                "tenantSlug", ""), Map.of());
    }

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response create(MultivaluedMap<String, String> form) {
        String username = value(form, "username");
        String role = value(form, "role");
        String tenantSlug = value(form, "tenantSlug");
        try {
            users.create(new UserInput(username, form.getFirst("password"), role, tenantSlug));
            return Flash.redirect("/console/users", "User " + username + " created.");
        } catch (InvalidInputException e) {
            Map<String, String> values = Map.of("username", username, "role", role, "tenantSlug", tenantSlug);
            return Response.status(400).entity(Templates.list(users.list(), Roles.ALL, values, e.fieldErrors()))
                    .build();
        }
    }

    @POST
    @Path("{username}/delete")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response delete(@PathParam("username") String username) {
        try {
            if (!users.delete(username)) {
                throw new NotFoundException();
            }
            return Flash.redirect("/console/users", "User " + username + " deleted.");
        } catch (InvalidInputException e) {
            return Flash.warn("/console/users", username + " was not deleted: "
                    + e.fieldErrors().values().iterator().next() + ".");
        }
    }

    private static String value(MultivaluedMap<String, String> form, String name) {
        String v = form.getFirst(name);
        return v == null ? "" : v.trim();
    }
}
