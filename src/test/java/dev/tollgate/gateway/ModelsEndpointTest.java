package dev.tollgate.gateway;

import static dev.tollgate.testing.TestData.createTenant;
import static dev.tollgate.testing.TestData.issueKey;
import static dev.tollgate.testing.TestData.uniqueSlug;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
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
    void listsTheCatalogInOpenAiFormatForAValidKey() {
        String key = issueKey(createTenant(uniqueSlug("models")));
        given().header("Authorization", "Bearer " + key).get("/v1/models").then()
                .statusCode(200)
                .body("object", equalTo("list"))
                .body("data.id", contains("deepseek-v4-flash", "deepseek-v4-pro"))
                .body("data[0].object", equalTo("model"))
                .body("data[0].owned_by", equalTo("deepseek"));
    }

    @Test
    void acceptsTheKeyInXApiKeyToo() {
        String key = issueKey(createTenant(uniqueSlug("xapi")));
        given().header("x-api-key", key).get("/v1/models").then().statusCode(200);
    }

    @Test
    void listsOnlyTheModelsTheKeyMayUse() {
        String key = issueKey(createTenant(uniqueSlug("allowed")),
                Map.of("name", "flash only", "allowedModels", List.of("deepseek-v4-flash")));
        given().header("Authorization", "Bearer " + key).get("/v1/models").then()
                .statusCode(200).body("data.id", contains("deepseek-v4-flash"));
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
