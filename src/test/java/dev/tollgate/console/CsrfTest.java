package dev.tollgate.console;

import static dev.tollgate.testing.TestData.ADMIN;
import static dev.tollgate.testing.TestData.ADMIN_PASSWORD;
import static dev.tollgate.testing.TestData.asAdmin;
import static dev.tollgate.testing.TestData.createTenant;
import static dev.tollgate.testing.TestData.issueKey;
import static dev.tollgate.testing.TestData.uniqueSlug;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tollgate.testing.ConsoleSession;
import dev.tollgate.testing.PostgresResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(PostgresResource.class)
class CsrfTest {

    @TestHTTPResource("/")
    URL base;

    @Test
    void aFormPostWithoutTheTokenIsRefusedAndChangesNothing() {
        String slug = createTenant(uniqueSlug("csrf"));
        ConsoleSession console = ConsoleSession.login(ADMIN, ADMIN_PASSWORD);
        console.postWithoutToken("/console/tenants/" + slug + "/status", Map.of("status", "SUSPENDED"))
                .then().statusCode(400).contentType("text/html").body(containsString("Reload the page"));
        asAdmin().get("/api/admin/tenants/" + slug).then().body("status", equalTo("ACTIVE"));

        console.post("/console/tenants/" + slug + "/status", Map.of("status", "SUSPENDED")).then().statusCode(303);
        asAdmin().get("/api/admin/tenants/" + slug).then().body("status", equalTo("SUSPENDED"));
    }

    /** The console's token cookie is for its forms: the admin API's answers set none, the console's pages do. */
    @Test
    void theAdminApiSetsNoCookies() {
        String slug = createTenant(uniqueSlug("apicookie"));
        for (String path : List.of("/api/admin/tenants", "/api/admin/tenants/" + slug, "/api/admin/prices")) {
            asAdmin().get(path).then().statusCode(200).header("Set-Cookie", nullValue());
        }
        asAdmin().get("/api/admin/tenants/no-such-tenant").then().statusCode(404).header("Set-Cookie", nullValue());
        ConsoleSession console = ConsoleSession.login(ADMIN, ADMIN_PASSWORD);
        console.get("/console/tenants/" + slug).then().statusCode(200)
                .header("Set-Cookie", containsString("csrf-token="));
    }

    @Test
    void aConsolePostThatIsNotAFormIsRefusedAndChangesNothing() throws Exception {
        String slug = createTenant(uniqueSlug("noform"));
        String publicId = issueKey(slug).split("-")[1];
        ConsoleSession console = ConsoleSession.login(ADMIN, ADMIN_PASSWORD);
        // What a cross-site fetch(url, {method: 'POST', credentials: 'include'}) sends: no body and no Content-Type,
        // so no CSRF token check runs, and a revocation needs no field at all.
        HttpResponse<String> bare = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        base.toURI().resolve("/console/tenants/" + slug + "/keys/" + publicId + "/revoke"))
                .header("Cookie", console.cookieHeader()).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(415, bare.statusCode(), bare.body());
        // a form type in other letters is not one the CSRF filter checks either
        console.request().contentType("Application/x-www-form-urlencoded").body("")
                .post("/console/tenants/" + slug + "/keys/" + publicId + "/revoke").then().statusCode(415);
        asAdmin().get("/api/admin/tenants/" + slug + "/keys/" + publicId).then().body("status", equalTo("ACTIVE"));
        // the admin API's posts without a body are not console posts
        asAdmin().post("/api/admin/tenants/" + slug + "/suspend").then().statusCode(200);
    }

    @Test
    void anotherSiteCannotUseABrowsersSavedAdminApiLogin() {
        String slug = createTenant(uniqueSlug("xsite"));
        // a form on another site posted to the API: the browser adds the Basic credentials it was once given
        asAdmin().header("Sec-Fetch-Site", "cross-site").post("/api/admin/tenants/" + slug + "/suspend")
                .then().statusCode(403).contentType("application/problem+json");
        asAdmin().header("Sec-Fetch-Site", "same-site").post("/api/admin/tenants/" + slug + "/suspend")
                .then().statusCode(403);
        asAdmin().get("/api/admin/tenants/" + slug).then().body("status", equalTo("ACTIVE"));
        // the same request from the page itself, or from a client that is not a browser, goes through
        asAdmin().header("Sec-Fetch-Site", "same-origin").post("/api/admin/tenants/" + slug + "/suspend")
                .then().statusCode(200);
        asAdmin().post("/api/admin/tenants/" + slug + "/reactivate").then().statusCode(200);
    }

    /** The token's cookie must outlive neither more nor less than a login: a form of a long session must still send. */
    @Test
    void theTokenCookieLastsAsLongAsALogin() {
        ConsoleSession console = ConsoleSession.login(ADMIN, ADMIN_PASSWORD);
        io.restassured.http.Cookie cookie = console.get("/console/tenants/new").detailedCookie("csrf-token");
        assertEquals(8 * 3600, cookie.getMaxAge(), cookie.toString());
    }

    @Test
    void aForgedTokenIsRefused() {
        ConsoleSession console = ConsoleSession.login(ADMIN, ADMIN_PASSWORD);
        String slug = uniqueSlug("forged");
        console.request().contentType("application/x-www-form-urlencoded")
                .formParams(Map.of("slug", slug, "displayName", "Forged", "csrf-token", "not-the-token"))
                .post("/console/tenants").then().statusCode(400);
        asAdmin().get("/api/admin/tenants/" + slug).then().statusCode(404);
    }
}
