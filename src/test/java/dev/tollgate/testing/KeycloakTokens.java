package dev.tollgate.testing;

import static io.restassured.RestAssured.given;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Real access tokens from the test Keycloak, got with the password grant for the sample users of the
 * shipped realm. Realm URL, client id and secret are the ones the app itself is configured with.
 */
public final class KeycloakTokens {

    public record SampleUser(String username, String password) {
    }

    public static final SampleUser PLATFORM_ADMIN = new SampleUser("platform.admin", "platform-admin-pass");
    public static final SampleUser FINANCE = new SampleUser("finance.user", "finance-pass");
    public static final SampleUser ACME_ADMIN = new SampleUser("acme.admin", "acme-admin-pass");
    public static final SampleUser GLOBEX_ADMIN = new SampleUser("globex.admin", "globex-admin-pass");
    /** Not in the shipped realm: added for the tests (KeycloakResource), finance and tenant-admin of acme at once. */
    public static final SampleUser ACME_FINANCE = new SampleUser("acme.finance", "acme-finance-pass");

    private record Token(String value, Instant expiresAt) {
    }

    private static final Map<String, Token> CACHE = new ConcurrentHashMap<>();

    private KeycloakTokens() {
    }

    /** A request to the app carrying this user's access token. */
    public static RequestSpecification as(SampleUser user) {
        return given().auth().oauth2(accessToken(user)).contentType(ContentType.JSON);
    }

    public static String accessToken(SampleUser user) {
        String key = realmUrl() + " " + user.username();
        Token token = CACHE.get(key);
        if (token == null || token.expiresAt().isBefore(Instant.now().plusSeconds(60))) {
            token = fetch(user);
            CACHE.put(key, token);
        }
        return token.value();
    }

    public static String realmUrl() {
        return config().getValue("quarkus.oidc.auth-server-url", String.class);
    }

    /** A field of the realm's OIDC discovery document, e.g. {@code authorization_endpoint}. */
    public static String discovery(String field) {
        return given().get(realmUrl() + "/.well-known/openid-configuration")
                .then().statusCode(200).extract().path(field);
    }

    /**
     * Sets how long the realm's access and ID tokens live (the shipped realm: 5 minutes), through Keycloak's
     * admin API. A test that shortens it must set it back.
     */
    public static void setTokenLifespan(Duration lifespan) {
        realmAdmin().contentType(ContentType.JSON).body(Map.of("accessTokenLifespan", lifespan.toSeconds()))
                .put(adminUrl("")).then().statusCode(204);
    }

    /** Ends every Keycloak session of the user, as an administrator does in Keycloak's admin console. */
    public static void endSessions(SampleUser user) {
        String id = realmAdmin().queryParam("username", user.username()).queryParam("exact", true)
                .get(adminUrl("/users")).then().statusCode(200).extract().path("[0].id");
        realmAdmin().post(adminUrl("/users/" + id + "/logout")).then().statusCode(204);
    }

    /** A request to Keycloak's admin API for the realm, as the master realm's administrator. */
    private static RequestSpecification realmAdmin() {
        String admin = given().contentType(ContentType.URLENC)
                .formParam("grant_type", "password").formParam("client_id", "admin-cli")
                .formParam("username", KeycloakResource.ADMIN_USERNAME)
                .formParam("password", KeycloakResource.ADMIN_PASSWORD)
                .post(server() + "/realms/master/protocol/openid-connect/token")
                .then().statusCode(200).extract().path("access_token");
        return given().auth().oauth2(admin);
    }

    private static String adminUrl(String path) {
        return server() + "/admin/realms/" + KeycloakResource.REALM + path;
    }

    private static String server() {
        return realmUrl().substring(0, realmUrl().indexOf("/realms/"));
    }

    private static Token fetch(SampleUser user) {
        Config config = config();
        JsonPath answer = given().contentType(ContentType.URLENC)
                .formParam("grant_type", "password")
                .formParam("client_id", config.getValue("quarkus.oidc.client-id", String.class))
                .formParam("client_secret", config.getValue("quarkus.oidc.credentials.secret", String.class))
                .formParam("username", user.username())
                .formParam("password", user.password())
                .formParam("scope", "openid")
                .post(realmUrl() + "/protocol/openid-connect/token")
                .then().statusCode(200).extract().jsonPath();
        return new Token(answer.getString("access_token"),
                Instant.now().plusSeconds(answer.getLong("expires_in")));
    }

    private static Config config() {
        return ConfigProvider.getConfig();
    }
}
