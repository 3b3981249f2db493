package dev.tollgate.console;

import dev.tollgate.security.ConsoleSessions;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.security.FormAuthenticationMechanism;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpServerRequest;
import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import java.net.URI;

/** Local-mode logout (a CSRF-protected form post). With Keycloak, quarkus-oidc answers this path itself. */
@Path("/console/logout")
public class LogoutResource {

    @Inject
    SecurityIdentity identity;
    @Inject
    ConsoleSessions sessions;
    @Inject
    HttpServerRequest request;

    @POST
    public Response logout() {
        // read as the session check read it (the first of several same-named cookies), so that the session it let
        // in is the one that ends; a copy of the login cookie is refused from now on
        Cookie session = request.getCookie(ConsoleSessions.COOKIE);
        sessions.end(session == null ? null : session.getValue());
        FormAuthenticationMechanism.logout(identity);
        return Response.seeOther(URI.create("/login"))
                .cookie(new NewCookie.Builder(ConsoleSessions.COOKIE).value("").path("/").maxAge(0).build()).build();
    }
}
