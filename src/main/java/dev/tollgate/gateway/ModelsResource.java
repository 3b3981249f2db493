package dev.tollgate.gateway;

import dev.tollgate.apikey.ApiKeyAuthenticator;
import dev.tollgate.apikey.AuthenticatedKey;
import dev.tollgate.catalog.AliasResolver;
import dev.tollgate.catalog.CatalogModel;
import dev.tollgate.catalog.ModelCatalog;
import dev.tollgate.catalog.ModelResolution;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * GET /v1/models: the OpenAI list of the models this key may call. Catalog models first, then the aliases
 * that still serve for the key's tenant (not those answered with 410); an alias is listed, with its target's
 * owner, exactly when the key may call its target.
 */
@Path("/v1/models")
public class ModelsResource {

    /** The same at /models, as DeepSeek serves it without /v1 (see ChatCompletionsRoute). */
    @Path("/models")
    public static class WithoutVersionPrefix extends ModelsResource {
    }

    public record ModelList(String object, List<Model> data) {
    }

    /** OpenAI's model object; `created` (Unix seconds) is the model's release, an alias's that of its target. */
    public record Model(String id, String object, long created, String owned_by) {

        static Model of(String id, CatalogModel model) {
            return new Model(id, "model", model.created().getEpochSecond(), model.ownedBy());
        }
    }

    @Inject
    ApiKeyAuthenticator authenticator;
    @Inject
    ModelCatalog catalog;
    @Inject
    AliasResolver aliases;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public ModelList list(@HeaderParam("Authorization") String authorization, @HeaderParam("x-api-key") String apiKey) {
        return new ModelList("list", models(authenticator.authenticate(authorization, apiKey)));
    }

    /**
     * GET /v1/models/{model}: OpenAI's "retrieve model", for a model the list would show this key. An alias
     * comes with the lifecycle headers a call to it gets; one retired for this tenant is the 410 a call gets.
     */
    @GET
    @Path("{model}")
    @Produces(MediaType.APPLICATION_JSON)
    public Response retrieve(@PathParam("model") String id, @HeaderParam("Authorization") String authorization,
            @HeaderParam("x-api-key") String apiKey) {
        AuthenticatedKey key = authenticator.authenticate(authorization, apiKey);
        ModelResolution resolution = aliases.resolve(key.tenantId(), id, Instant.now());
        Response.ResponseBuilder answer = resolution.outcome() == ModelResolution.Outcome.RETIRED
                ? Response.status(410).entity(resolution.error().body())
                : Response.ok(models(key).stream()
                        .filter(m -> id.equals(m.id()))
                        .findFirst()
                        .orElseThrow(() -> new OpenAiException(404, "invalid_request_error", "model_not_found", "model",
                                "The model \"" + (id.length() > 100 ? id.substring(0, 100) + "..." : id)
                                        + "\" does not exist or this key may not use it. GET /v1/models lists the models it can use.")));
        resolution.headers().forEach(answer::header);
        return answer.build();
    }

    private List<Model> models(AuthenticatedKey key) {
        List<Model> models = new ArrayList<>();
        catalog.models().stream()
                .filter(m -> key.allows(m.id()))
                .forEach(m -> models.add(Model.of(m.id(), m)));
        aliases.servingAliases(key.tenantId(), Instant.now()).stream()
                .filter(r -> r.allowedBy(key))
                .forEach(r -> catalog.find(r.model())
                        .ifPresent(target -> models.add(Model.of(r.alias(), target))));
        return models;
    }
}
