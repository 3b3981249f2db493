package dev.tollgate.console;

import static dev.tollgate.testing.TestData.ADMIN;
import static dev.tollgate.testing.TestData.ADMIN_PASSWORD;
import static dev.tollgate.testing.TestData.asAdmin;
import static dev.tollgate.testing.TestData.createTenant;
import static dev.tollgate.testing.TestData.issueKey;
import static dev.tollgate.testing.TestData.uniqueSlug;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;

import dev.tollgate.testing.ConsoleSession;
import dev.tollgate.testing.PostgresResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Two admins editing one tenant: the second save does not silently undo the first. */
@QuarkusTest
@QuarkusTestResource(PostgresResource.class)
class TenantConsoleTest {

    /** How the console shows a message that reports a problem, rather than a success. */
    static final String WARNING = "<div class=\"flash warning\" role=\"alert\">";

    @Test
    void aSaveOverSomeoneElsesChangeIsRefusedAndKeepsWhatWasTyped() {
        String slug = createTenant(uniqueSlug("race"));
        ConsoleSession console = ConsoleSession.login(ADMIN, ADMIN_PASSWORD);
        String page = console.get("/console/tenants/" + slug + "/edit").then().statusCode(200).extract().asString();
        String version = page.replaceAll("(?s).*name=\"version\" value=\"(\\d+)\".*", "$1");

        // another admin renames it meanwhile, through the API, with the version they read
        int current = asAdmin().get("/api/admin/tenants/" + slug).then().extract().path("version");
        Map<String, Object> theirs = Map.of("displayName", "Renamed by B", "version", current);
        asAdmin().body(theirs).put("/api/admin/tenants/" + slug).then().statusCode(200);
        asAdmin().body(theirs).put("/api/admin/tenants/" + slug).then().statusCode(409); // their version is old now

        Map<String, String> mine = new HashMap<>();
        mine.put("slug", slug);
        mine.put("displayName", "Typed by A on the old page");
        mine.put("currency", "USD");
        mine.put("timezone", "UTC");
        mine.put("version", version);
        console.post("/console/tenants/" + slug + "/edit", mine).then().statusCode(409)
                .body(containsString("id=\"e-version\""))
                .body(containsString("Typed by A on the old page"));
        asAdmin().get("/api/admin/tenants/" + slug).then().body("displayName", equalTo("Renamed by B"));

        // opened again, the form carries the new version and saves
        page = console.get("/console/tenants/" + slug + "/edit").asString();
        mine.put("version", page.replaceAll("(?s).*name=\"version\" value=\"(\\d+)\".*", "$1"));
        console.post("/console/tenants/" + slug + "/edit", mine).then().statusCode(303);
        asAdmin().get("/api/admin/tenants/" + slug).then().body("displayName", equalTo("Typed by A on the old page"));
    }

    @Test
    void aStatusChangeForNoSuchTenantIsANotFoundWhateverItsSlug() {
        ConsoleSession console = ConsoleSession.login(ADMIN, ADMIN_PASSWORD);
        // a slug no URL may hold unescaped, and an unknown status: the tenant is looked up first
        console.post("/console/tenants/a%20b%25/status", Map.of("status", "bogus")).then().statusCode(404);
        console.post("/console/tenants/" + uniqueSlug("none") + "/status", Map.of("status", "suspended")).then()
                .statusCode(404);
    }

    /** Rotating from the console: the new key is shown once; an already rotated key says why it cannot be again. */
    @Test
    void aKeyIsRotatedOnceAndAnOldRotateFormSaysWhyNotAgain() {
        String slug = createTenant(uniqueSlug("rotate"));
        String publicId = issueKey(slug).split("-")[1];
        ConsoleSession console = ConsoleSession.login(ADMIN, ADMIN_PASSWORD);
        String rotate = "/console/tenants/" + slug + "/keys/" + publicId + "/rotate";
        console.get(rotate).then().statusCode(200).body(containsString("Rotate key"));
        // past the limit its hint gives: the error beside the field, both read out with it by a screen reader
        console.post(rotate, Map.of("graceUntil", "2099-01-01T00:00")).then().statusCode(400)
                .body(containsString("aria-invalid=\"true\" aria-describedby=\"h-graceUntil e-graceUntil\""))
                .body(containsString("id=\"h-graceUntil\">At most 90 days ahead."))
                .body(containsString("id=\"e-graceUntil\">must be within 90 days"));
        String issued = console.post(rotate, Map.of("graceUntil", "")).then().statusCode(200)
                .header("Cache-Control", "no-store").body(containsString("Key rotated")).extract().asString();
        String newKey = issued.replaceAll("(?s).*id=\"new-key\"[^>]*value=\"(tg-[^\"]+)\".*", "$1");
        given().header("Authorization", "Bearer " + newKey).get("/v1/models").then().statusCode(200);

        // the same form again, from a second tab or the browser's history
        Response again = console.get(rotate);
        again.then().statusCode(303).header("Location", endsWith("/console/tenants/" + slug));
        console.follow(again).then().body(containsString(WARNING + "Key tg-" + publicId
                + "-… is already rotated; only an active key can be rotated."));
        // the form sent again (reloading the page that showed the new key): no second rotation, and what to do
        Response resent = console.post(rotate, Map.of("graceUntil", ""));
        resent.then().statusCode(303).header("Location", endsWith("/console/tenants/" + slug));
        console.follow(resent).then().body(containsString(WARNING + "Key tg-" + publicId + "-… is already rotated, so"
                + " it was not rotated again. Its new key was shown once; if it was not copied, revoke the new key and"
                + " issue another."));
        given().header("Authorization", "Bearer " + newKey).get("/v1/models").then().statusCode(200);
    }

    /** Reloading the page that showed a new key (the browser resends the form) issues no second key. */
    @Test
    void aResentIssueFormIssuesNoSecondKey() {
        String slug = createTenant(uniqueSlug("resend"));
        ConsoleSession console = ConsoleSession.login(ADMIN, ADMIN_PASSWORD);
        Map<String, String> sent = Map.of("name", "checkout", "issueToken", issueToken(console, slug));
        console.post("/console/tenants/" + slug + "/keys", sent).then().statusCode(200).body(containsString("Key issued"));
        Response resent = console.post("/console/tenants/" + slug + "/keys", sent);
        resent.then().statusCode(303).header("Location", endsWith("/console/tenants/" + slug));
        console.follow(resent).then().body(containsString(WARNING + "Key tg-"))
                .body(containsString("was already issued from this form; its secret was shown then, once."));
        asAdmin().get("/api/admin/tenants/" + slug + "/keys").then().statusCode(200).body("size()", equalTo(1));
        // a new form is a new key
        console.post("/console/tenants/" + slug + "/keys", Map.of("name", "checkout", "issueToken",
                issueToken(console, slug)))
                .then().statusCode(200);
        asAdmin().get("/api/admin/tenants/" + slug + "/keys").then().body("size()", equalTo(2));
        // a token edited by hand is no error the form could not show: the key is issued
        console.post("/console/tenants/" + slug + "/keys", Map.of("name", "checkout", "issueToken", "x".repeat(300)))
                .then().statusCode(200).body(containsString("Key issued"));
    }

    /** A tenant without keys points to issuing one; bringing a tenant back asks first, as taking it out does. */
    @Test
    void aTenantPageOffersTheNextStepAndAsksBeforeKeysWorkAgain() {
        String slug = createTenant(uniqueSlug("nextstep"));
        ConsoleSession console = ConsoleSession.login(ADMIN, ADMIN_PASSWORD);
        console.get("/console/tenants/" + slug).then().statusCode(200)
                .body(containsString("No keys yet. <a href=\"/console/tenants/" + slug
                        + "/keys/new\">Issue the first key"));
        asAdmin().post("/api/admin/tenants/" + slug + "/suspend").then().statusCode(200);
        console.get("/console/tenants/" + slug).then().statusCode(200)
                .body(containsString("data-confirm=\"Reactivate "))
                .body(containsString("Its keys that are not revoked or expired work again."));
    }

    /** The one-time token of a freshly shown issue form. */
    private static String issueToken(ConsoleSession console, String slug) {
        return console.get("/console/tenants/" + slug + "/keys/new").then().statusCode(200).extract().asString()
                .replaceAll("(?s).*name=\"issueToken\" value=\"([^\"]+)\".*", "$1");
    }
}
