package dev.tollgate.gateway;

import dev.tollgate.apikey.ApiKeyAuthenticator;
import dev.tollgate.apikey.AuthenticatedKey;
import dev.tollgate.catalog.ModelCatalog;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/** GET /v1/models: the OpenAI list of the models this key may call. */
@Path("/v1/models")
public class ModelsResource {

    public record ModelList(String object, List<Model> data) {
    }

    public record Model(String id, String object, String owned_by) {
    }

    @Inject
    ApiKeyAuthenticator authenticator;
    @Inject
    ModelCatalog catalog;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public ModelList list(@HeaderParam("Authorization") String authorization, @HeaderParam("x-api-key") String apiKey) {
        AuthenticatedKey key = authenticator.authenticate(authorization, apiKey);
        List<Model> models = catalog.models().stream()
                .filter(m -> key.allows(m.id()))
                .map(m -> new Model(m.id(), "model", m.ownedBy()))
                .toList();
        return new ModelList("list", models);
    }
}
