package dev.tollgate.gateway;

import static dev.tollgate.testing.TestData.asAdmin;
import static dev.tollgate.testing.TestData.createTenant;
import static dev.tollgate.testing.TestData.issueKey;
import static dev.tollgate.testing.TestData.uniqueSlug;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;
import static org.hamcrest.Matchers.nullValue;

import dev.tollgate.testing.PostgresResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("external-db")
@QuarkusTest
@QuarkusTestResource(PostgresResource.class)
class ModelsEndpointTest {

    @Test
    void listsTheCatalogThenTheServingAliasesInOpenAiFormatForAValidKey() {
        String key = issueKey(createTenant(uniqueSlug("models")));
        given().header("Authorization", "Bearer " + key).get("/v1/models").then()
                .statusCode(200)
                .body("object", equalTo("list"))
                .body("data.id", contains("deepseek-v4-flash", "deepseek-v4-pro", "deepseek-chat", "deepseek-reasoner"))
                .body("data.object", everyItem(equalTo("model")))
                .body("data.owned_by", everyItem(equalTo("deepseek")))
                // OpenAI's `created` (DeepSeek's list has none): V4's release, 2026-04-24, for the aliases too
                .body("data.created", everyItem(equalTo(1776988800)));
    }

    /** A plain OPTIONS (no browser preflight) names the methods each served path answers; it listed GET for all. */
    @Test
    void optionsNamesTheMethodsEachPathAnswers() {
        for (String path : List.of("/v1/chat/completions", "/chat/completions")) {
            given().options(path).then().statusCode(204).header("Allow", "POST, OPTIONS");
        }
        for (String path : List.of("/v1/models", "/models", "/v1/models/deepseek-v4-flash")) {
            given().options(path).then().statusCode(204).header("Allow", "GET, HEAD, OPTIONS");
        }
    }

    @Test
    void acceptsTheKeyInXApiKeyToo() {
        String key = issueKey(createTenant(uniqueSlug("xapi")));
        given().header("x-api-key", key).get("/v1/models").then().statusCode(200);
    }

    /** JSON whatever Accept says, as OpenAI answers: it was a 406, even before the key was checked. */
    @Test
    void answersJsonWhateverTheClientAccepts() {
        String key = issueKey(createTenant(uniqueSlug("accept")));
        for (String accept : List.of("text/plain", "application/xml", "text/event-stream")) {
            given().header("Authorization", "Bearer " + key).accept(accept).get("/v1/models").then().statusCode(200)
                    .contentType("application/json").body("object", equalTo("list"));
            given().header("Authorization", "Bearer " + key).accept(accept).get("/models/deepseek-v4-flash").then()
                    .statusCode(200).body("id", equalTo("deepseek-v4-flash"));
            given().accept(accept).get("/v1/models").then().statusCode(401)
                    .body("error.code", equalTo("invalid_api_key"));
        }
    }

    @Test
    void listsOnlyTheModelsTheKeyMayUse() {
        String key = issueKey(createTenant(uniqueSlug("allowed")),
                Map.of("name", "flash only", "allowedModels", List.of("deepseek-v4-flash")));
        given().header("Authorization", "Bearer " + key).get("/v1/models").then()
                .statusCode(200).body("data.id", contains("deepseek-v4-flash", "deepseek-chat", "deepseek-reasoner"));
    }

    @Test
    void listsAnAliasOnlyWhenTheKeyMayCallItsTarget() {
        String key = issueKey(createTenant(uniqueSlug("pro-only")),
                Map.of("name", "pro only", "allowedModels", List.of("deepseek-v4-pro")));
        given().header("Authorization", "Bearer " + key).get("/v1/models").then()
                .statusCode(200).body("data.id", contains("deepseek-v4-pro"));
    }

    @Test
    void leavesOutAliasesThisTenantGets410For() {
        String slug = createTenant(uniqueSlug("strict"));
        String key = issueKey(slug);
        // The seeded sunset has passed, so reject-after-sunset retires the alias for this tenant only.
        asAdmin().body(Map.of("mode", "reject-after-sunset"))
                .put("/api/admin/tenants/" + slug + "/alias-overrides/deepseek-chat").then().statusCode(200);
        given().header("Authorization", "Bearer " + key).get("/v1/models").then()
                .statusCode(200).body("data.id", contains("deepseek-v4-flash", "deepseek-v4-pro", "deepseek-reasoner"));
        String otherKey = issueKey(createTenant(uniqueSlug("lenient")));
        given().header("Authorization", "Bearer " + otherKey).get("/v1/models").then()
                .statusCode(200).body("data.id", hasItem("deepseek-chat"));
        // retrieving it is told what a call is told: retired, and what to send instead
        given().header("Authorization", "Bearer " + key).get("/v1/models/deepseek-chat").then()
                .statusCode(410).body("error.code", equalTo("model_retired"))
                .body("error.message", containsString("deepseek-v4-flash"))
                .header("Sunset", containsString("2026"));

        asAdmin().delete("/api/admin/tenants/" + slug + "/alias-overrides/deepseek-chat").then().statusCode(200);
        given().header("Authorization", "Bearer " + key).get("/v1/models").then()
                .statusCode(200).body("data.id", hasItem("deepseek-chat"));
    }

    @Test
    void retrievesOneModelTheKeyMayUseAndAnswersAnOpenAi404ForAnyOther() {
        String key = issueKey(createTenant(uniqueSlug("retrieve")),
                Map.of("name", "flash only", "allowedModels", List.of("deepseek-v4-flash")));
        given().header("Authorization", "Bearer " + key).get("/v1/models/deepseek-v4-flash").then()
                .statusCode(200)
                .body("id", equalTo("deepseek-v4-flash"))
                .body("object", equalTo("model"))
                .body("owned_by", equalTo("deepseek"));
        given().header("Authorization", "Bearer " + key).get("/v1/models/deepseek-chat").then()
                .statusCode(200).body("id", equalTo("deepseek-chat"))
                .header("Deprecation", startsWith("@")).header("Sunset", containsString("2026"))
                .header("Link", containsString("migration-deepseek-chat.md"));
        given().header("Authorization", "Bearer " + key).get("/v1/models/deepseek-v4-flash").then()
                .statusCode(200).header("Deprecation", nullValue());
        for (String other : List.of("deepseek-v4-pro", "gpt-4o")) { // not this key's, and nobody's
            given().header("Authorization", "Bearer " + key).get("/v1/models/" + other).then()
                    .statusCode(404)
                    .body("error.type", equalTo("invalid_request_error"))
                    .body("error.code", equalTo("model_not_found"))
                    .body("error.param", equalTo("model"))
                    .body("error.message", containsString(other));
        }
        given().get("/v1/models/deepseek-v4-flash").then().statusCode(401).body("error.code", equalTo("invalid_api_key"));
    }

    @Test
    void anEndpointTollgateDoesNotServeIsAnOpenAi404ThatSaysWhatItServes() {
        String key = issueKey(createTenant(uniqueSlug("urls")));
        given().header("Authorization", "Bearer " + key).contentType("application/json").body("{}")
                .post("/v1/embeddings").then()
                .statusCode(404)
                .body("error.type", equalTo("invalid_request_error")) // as OpenAI answers a URL it does not know
                .body("error.code", org.hamcrest.Matchers.nullValue())
                .body("error.message", equalTo("Invalid URL (POST /v1/embeddings). Tollgate serves POST"
                        + " /v1/chat/completions, GET /v1/models and GET /v1/models/{model}."));
        given().header("Authorization", "Bearer " + key).get("/v1/chat/completions").then()
                .statusCode(404).body("error.message", startsWith("Invalid URL (GET /v1/chat/completions)."));
        // a served path with the wrong method: the same message, as docs/api.md says
        given().header("Authorization", "Bearer " + key).contentType("application/json").body("{}")
                .post("/v1/models").then()
                .statusCode(405)
                .body("error.type", equalTo("invalid_request_error"))
                .body("error.code", org.hamcrest.Matchers.nullValue()) // it was the type repeated before
                .body("error.message", startsWith("Invalid URL (POST /v1/models)."));
    }

    /** An API sets no cookies: the console's CSRF cookie is for its forms, not for SDKs and their proxies. */
    @Test
    void theGatewaySetsNoCookies() {
        String key = issueKey(createTenant(uniqueSlug("cookies")));
        for (String path : List.of("/v1/models", "/v1/models/deepseek-v4-flash", "/models", "/models/deepseek-chat",
                "/v1/models/no-such-model", "/v1/embeddings")) {
            given().header("Authorization", "Bearer " + key).get(path).then()
                    .statusCode(anyOf(equalTo(200), equalTo(404)))
                    .header("Set-Cookie", nullValue());
        }
        given().get("/v1/models").then().statusCode(401).header("Set-Cookie", nullValue());
        given().header("Authorization", "Bearer " + key).head("/v1/models").then().statusCode(200)
                .header("Set-Cookie", nullValue());
        given().header("Authorization", "Bearer " + key).options("/v1/models").then().header("Set-Cookie", nullValue());
        // the console still gets its cookie
        given().redirects().follow(false).get("/login").then().header("Set-Cookie", containsString("csrf-token="));
    }

    @Test
    void refusesMissingAndMalformedKeysWithAnOpenAiError() {
        given().get("/v1/models").then().statusCode(401)
                .body("error.type", equalTo("authentication_error"))
                .body("error.code", equalTo("invalid_api_key"))
                .body("error.param", nullValue());
        given().header("Authorization", "Bearer sk-not-ours").get("/v1/models").then().statusCode(401);
        String key = issueKey(createTenant(uniqueSlug("wrongsecret")));
        String tampered = key.substring(0, key.length() - 4) + "0000";
        given().header("Authorization", "Bearer " + tampered).get("/v1/models").then().statusCode(401)
                .body("error.code", equalTo("invalid_api_key"));
    }
}
