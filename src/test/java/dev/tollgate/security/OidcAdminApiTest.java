package dev.tollgate.security;

import static dev.tollgate.testing.KeycloakTokens.ACME_ADMIN;
import static dev.tollgate.testing.KeycloakTokens.ACME_FINANCE;
import static dev.tollgate.testing.KeycloakTokens.FINANCE;
import static dev.tollgate.testing.KeycloakTokens.GLOBEX_ADMIN;
import static dev.tollgate.testing.KeycloakTokens.PLATFORM_ADMIN;
import static dev.tollgate.testing.KeycloakTokens.accessToken;
import static dev.tollgate.testing.KeycloakTokens.as;
import static dev.tollgate.testing.KeycloakTokens.realmUrl;
import static dev.tollgate.testing.TestData.uniqueSlug;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tollgate.testing.PostgresResource;
import io.quarkus.elytron.security.common.BcryptUtil;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.http.Method;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The admin API in oidc mode, with real tokens from Keycloak for each role of the shipped realm.
 * The sample tenant-admins are bound to the tenants {@code acme} and {@code globex} by their token claim.
 */
@QuarkusTest
@TestProfile(OidcModeProfile.class)
@QuarkusTestResource(PostgresResource.class)
class OidcAdminApiTest {

    private static final String ACME = "acme";
    private static final String GLOBEX = "globex";
    private static final String TENANTS = "/api/admin/tenants";

    @BeforeEach
    void acmeAndGlobexExist() {
        ensureTenant(ACME);
        ensureTenant(GLOBEX);
    }

    @Test
    void aTokenTheSameUserGotForAnotherClientIsRefused() {
        // admin-cli exists in every Keycloak realm and hands this user a token too, one not meant for Tollgate
        String elsewhere = given().contentType(ContentType.URLENC).formParam("grant_type", "password")
                .formParam("client_id", "admin-cli").formParam("username", PLATFORM_ADMIN.username())
                .formParam("password", PLATFORM_ADMIN.password()).post(realmUrl() + "/protocol/openid-connect/token")
                .then().statusCode(200).extract().path("access_token");
        given().auth().oauth2(elsewhere).get(TENANTS).then().statusCode(401);
        as(PLATFORM_ADMIN).get(TENANTS).then().statusCode(200);
    }

    @Test
    void anIdTokenIsNotAnAccessToken() {
        // With the optional scope microprofile-jwt the ID token also lists the user's roles (claim "groups"); it
        // is addressed to this client too, and travels in the logout redirect's id_token_hint.
        var tokens = given().contentType(ContentType.URLENC).formParam("grant_type", "password")
                .formParam("client_id", "tollgate-console").formParam("client_secret", "tollgate-console-secret")
                .formParam("username", PLATFORM_ADMIN.username()).formParam("password", PLATFORM_ADMIN.password())
                .formParam("scope", "openid microprofile-jwt").post(realmUrl() + "/protocol/openid-connect/token")
                .then().statusCode(200).extract().jsonPath();
        given().redirects().follow(false).auth().oauth2(tokens.getString("id_token")).get(TENANTS).then()
                .statusCode(401);
        given().auth().oauth2(tokens.getString("access_token")).get(TENANTS).then().statusCode(200);
    }

    @Test
    void platformAdminCreatesATenantAndIssuesAKeyThatWorks() {
        String slug = uniqueSlug("oidc");
        as(PLATFORM_ADMIN).body(tenant(slug, "Made with a token")).post(TENANTS).then()
                .statusCode(201).body("slug", equalTo(slug));
        String key = as(PLATFORM_ADMIN).body(Map.of("name", "from oidc")).post(TENANTS + "/" + slug + "/keys").then()
                .statusCode(201).body("apiKey.createdBy", equalTo(PLATFORM_ADMIN.username()))
                .extract().path("key");
        given().header("Authorization", "Bearer " + key).get("/v1/models").then().statusCode(200);
    }

    @Test
    void financeReadsEveryTenantButChangesNothing() {
        as(FINANCE).get(TENANTS).then().statusCode(200).body("items.slug", hasItems(ACME, GLOBEX));
        as(FINANCE).get(TENANTS + "/" + GLOBEX).then().statusCode(200);
        as(FINANCE).get(TENANTS + "/" + ACME + "/keys").then().statusCode(200);

        as(FINANCE).body(tenant(uniqueSlug("finance"), "Not allowed")).post(TENANTS).then().statusCode(403);
        as(FINANCE).body(Map.of("name", "not allowed")).post(TENANTS + "/" + ACME + "/keys").then().statusCode(403);
        as(FINANCE).body(tenant(ACME, "Renamed by finance")).put(TENANTS + "/" + ACME).then().statusCode(403);
        as(FINANCE).post(TENANTS + "/" + ACME + "/suspend").then().statusCode(403);
    }

    @Test
    void aTenantAdminWhoIsAlsoFinanceReadsEveryTenantButChangesOnlyTheirOwn() {
        as(ACME_FINANCE).get(TENANTS + "/" + GLOBEX).then().statusCode(200);
        as(ACME_FINANCE).body(Map.of("name", "not theirs")).post(TENANTS + "/" + GLOBEX + "/keys").then()
                .statusCode(403);
        as(ACME_FINANCE).body(tenant(GLOBEX, "Renamed by acme")).put(TENANTS + "/" + GLOBEX).then().statusCode(403);
        as(ACME_FINANCE).body(Map.of("mode", "reject-after-sunset"))
                .put(TENANTS + "/" + GLOBEX + "/alias-overrides/deepseek-chat").then().statusCode(403);

        as(ACME_FINANCE).body(Map.of("name", "acme's own")).post(TENANTS + "/" + ACME + "/keys").then()
                .statusCode(201);
    }

    @Test
    void tenantAdminSeesAndManagesOnlyTheirOwnTenant() {
        as(ACME_ADMIN).get(TENANTS).then().statusCode(200)
                .body("items.slug", contains(ACME)).body("total", equalTo(1));
        as(ACME_ADMIN).get(TENANTS + "?q=globex").then().statusCode(200).body("total", equalTo(0));
        as(ACME_ADMIN).get(TENANTS + "/" + ACME).then().statusCode(200);
        as(ACME_ADMIN).body(tenant(ACME, "Acme Corporation")).put(TENANTS + "/" + ACME).then()
                .statusCode(200).body("displayName", equalTo("Acme Corporation"));
        String publicId = as(ACME_ADMIN).body(Map.of("name", "acme's own")).post(TENANTS + "/" + ACME + "/keys").then()
                .statusCode(201).extract().path("apiKey.publicId");
        as(ACME_ADMIN).get(TENANTS + "/" + ACME + "/keys/" + publicId).then().statusCode(200);
        as(ACME_ADMIN).post(TENANTS + "/" + ACME + "/keys/" + publicId + "/revoke").then()
                .statusCode(200).body("revokedAt", not(nullValue()));

        // the binding comes from each user's own claim
        as(GLOBEX_ADMIN).get(TENANTS).then().statusCode(200).body("items.slug", contains(GLOBEX));
    }

    @Test
    void tenantAdminGetsNotFoundOnEveryRouteOfAnotherTenant() {
        String globexKey = as(PLATFORM_ADMIN).body(Map.of("name", "globex's")).post(TENANTS + "/" + GLOBEX + "/keys")
                .then().statusCode(201).extract().path("apiKey.publicId");
        String displayName = as(PLATFORM_ADMIN).get(TENANTS + "/" + GLOBEX).then().extract().path("displayName");
        String tenant = TENANTS + "/" + GLOBEX;
        String key = tenant + "/keys/" + globexKey;

        List<Executable> checks = List.of(
                route(Method.GET, tenant, null, 404),
                route(Method.PUT, tenant, tenant(GLOBEX, "Taken over"), 404),
                route(Method.GET, tenant + "/keys", null, 404),
                route(Method.POST, tenant + "/keys", Map.of("name", "sneaky"), 404),
                route(Method.GET, key, null, 404),
                route(Method.POST, key + "/revoke", null, 404),
                route(Method.POST, key + "/rotate", Map.of(), 404),
                // platform-admin-only routes: refused on the role before the tenant is even looked at
                route(Method.POST, tenant + "/suspend", null, 403),
                route(Method.POST, tenant + "/reactivate", null, 403),
                route(Method.POST, tenant + "/archive", null, 403));
        assertAll(checks);

        as(PLATFORM_ADMIN).get(tenant).then().statusCode(200)
                .body("displayName", equalTo(displayName)).body("status", equalTo("ACTIVE"));
        as(PLATFORM_ADMIN).get(key).then().statusCode(200)
                .body("revokedAt", nullValue()).body("rotatedAt", nullValue());
    }

    @Test
    void tenantAdminCannotCreateTenants() {
        as(ACME_ADMIN).body(tenant(uniqueSlug("acme-sub"), "Not allowed")).post(TENANTS).then().statusCode(403);
    }

    @Test
    void aLocalUsersPasswordIsNotCheckedInOidcMode() {
        // local users may be left from local mode (none can be made in this one); it has no login throttle of its own
        String name = "local-" + uniqueSlug("user");
        as(PLATFORM_ADMIN).body(Map.of("username", name, "password", "local-user-password", "role", "platform-admin"))
                .post("/api/admin/users").then().statusCode(409).contentType("application/problem+json")
                .body("detail", containsString("add the user to the realm"));
        QuarkusTransaction.requiringNew().run(() -> {
            LocalUser u = new LocalUser();
            u.username = name;
            u.passwordHash = BcryptUtil.bcryptHash("local-user-password");
            u.role = Roles.PLATFORM_ADMIN;
            u.persist();
        });
        for (String password : List.of("wrong-password", "local-user-password")) {
            io.restassured.response.Response login = given().redirects().follow(false).formParam("j_username", name)
                    .formParam("j_password", password).post("/j_security_check");
            assertEquals(404, login.statusCode(), "a form login answered in oidc mode, password " + password);
            assertEquals(null, login.cookie("quarkus-credential"));
        }
    }

    @Test
    void noTokenIsUnauthorizedNotARedirect() {
        given().redirects().follow(false).get(TENANTS).then()
                .statusCode(401).header("WWW-Authenticate", equalTo("Bearer"))
                .contentType("application/problem+json").body("detail", containsString("Bearer <token>"));
        given().redirects().follow(false).contentType(ContentType.JSON).body(tenant(uniqueSlug("anon"), "No"))
                .post(TENANTS).then().statusCode(401);
        given().redirects().follow(false).get(TENANTS + "/" + ACME + "/keys").then().statusCode(401);
    }

    @Test
    void invalidTokensAreUnauthorized() {
        String[] parts = accessToken(FINANCE).split("\\.");
        String badSignature = parts[0] + "." + parts[1] + "." + flipMiddleChar(parts[2]);
        // finance's token with its claims rewritten to platform-admin: the signature no longer matches
        String elevated = parts[0] + "." + base64Url(claims("finance.user", "platform-admin", 4102444800L)) + "." + parts[2];
        String expired = parts[0] + "." + base64Url(claims("finance.user", "finance", 1500000300L)) + "." + parts[2];
        String unsigned = base64Url("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + parts[1] + ".";

        for (String token : List.of("not-a-jwt", badSignature, elevated, expired, unsigned)) {
            given().redirects().follow(false).auth().oauth2(token).get(TENANTS).then().statusCode(401)
                    .contentType("application/problem+json").header("WWW-Authenticate", startsWith("Bearer"));
        }
        // the untouched token still works, so the 401s above are about the changes
        given().auth().oauth2(String.join(".", parts)).get(TENANTS).then().statusCode(200);
    }

    private static Executable route(Method method, String path, Object body, int expected) {
        return () -> {
            var request = as(ACME_ADMIN).redirects().follow(false);
            if (body != null) {
                request.body(body);
            }
            int status = request.request(method, path).statusCode();
            assertEquals(expected, status, "acme's tenant-admin: " + method + " " + path);
        };
    }

    private static void ensureTenant(String slug) {
        if (as(PLATFORM_ADMIN).get(TENANTS + "/" + slug).statusCode() == 404) {
            as(PLATFORM_ADMIN).body(tenant(slug, "Tenant " + slug)).post(TENANTS).then().statusCode(201);
        }
    }

    private static Map<String, Object> tenant(String slug, String displayName) {
        return Map.of("slug", slug, "displayName", displayName, "billingEmail", "billing@" + slug + ".test");
    }

    // Not the last character: its low bits may be base64 padding that decodes to the same signature.
    private static String flipMiddleChar(String s) {
        int i = s.length() / 2;
        return s.substring(0, i) + (s.charAt(i) == 'A' ? 'B' : 'A') + s.substring(i + 1);
    }

    private static String claims(String username, String role, long exp) {
        return "{\"iss\":\"" + realmUrl() + "\",\"sub\":\"" + username + "\",\"preferred_username\":\"" + username
                + "\",\"realm_access\":{\"roles\":[\"" + role + "\"]},\"iat\":" + (exp - 300) + ",\"exp\":" + exp + "}";
    }

    private static String base64Url(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }
}
