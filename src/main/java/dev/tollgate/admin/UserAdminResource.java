package dev.tollgate.admin;

import dev.tollgate.platform.NotFound;
import dev.tollgate.security.LocalUserService;
import dev.tollgate.security.Roles;
import dev.tollgate.security.UserInput;
import dev.tollgate.security.UserView;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Local users (login mode local). Platform admins only. */
@Path("/api/admin/users")
@Tag(name = "Local users")
@RolesAllowed(Roles.PLATFORM_ADMIN)
public class UserAdminResource {

    @Inject
    LocalUserService users;

    @GET
    public List<UserView> list() {
        return users.list();
    }

    @GET
    @Path("{username}")
    public UserView get(@PathParam("username") String username) {
        return users.find(username).orElseThrow(NotFound.no("user", username));
    }

    @POST
    public Response create(UserInput input) {
        UserView created = users.create(input);
        return Response.created(URI.create("/api/admin/users/" + created.username())).entity(created).build();
    }

    @DELETE
    @Path("{username}")
    public Response delete(@PathParam("username") String username) {
        if (!users.delete(username)) {
            throw NotFound.no("user", username).get();
        }
        return Response.noContent().build();
    }
}
