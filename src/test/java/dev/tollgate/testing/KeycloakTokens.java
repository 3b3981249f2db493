package dev.tollgate.testing;

import static io.restassured.RestAssured.given;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
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
