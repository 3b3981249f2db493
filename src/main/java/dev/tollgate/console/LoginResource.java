package dev.tollgate.console;

import dev.tollgate.platform.TollgateConfig;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;

/** The local-mode login page; Quarkus form login receives the post at /j_security_check. */
@Path("/")
public class LoginResource {

    @CheckedTemplate(basePath = "login")
    static class Templates {
        static native TemplateInstance login(boolean error, boolean locked);
    }

    @Inject
    TollgateConfig config;

    @GET
    public Response root() {
        return Response.seeOther(URI.create("/console")).build();
    }

    @GET
    @Path("login")
    @Produces(MediaType.TEXT_HTML)
    public Object login(@QueryParam("error") String error) {
        if (config.auth().oidc()) {
            return Response.seeOther(URI.create("/console")).build();
        }
        return Templates.login("true".equals(error), "locked".equals(error));
    }
}
