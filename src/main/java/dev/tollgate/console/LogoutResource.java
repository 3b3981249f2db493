package dev.tollgate.console;

import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.security.FormAuthenticationMechanism;
import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;
import java.net.URI;

/** Local-mode logout (a CSRF-protected form post). With Keycloak, quarkus-oidc answers this path itself. */
@Path("/console/logout")
public class LogoutResource {

    @Inject
    SecurityIdentity identity;

    @POST
    public Response logout() {
        FormAuthenticationMechanism.logout(identity);
        return Response.seeOther(URI.create("/login")).build();
    }
}
