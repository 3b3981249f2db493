package dev.tollgate.tenant;

import static dev.tollgate.testing.TestData.ADMIN;
import static dev.tollgate.testing.TestData.ADMIN_PASSWORD;
import static dev.tollgate.testing.TestData.as;
import static dev.tollgate.testing.TestData.asAdmin;
import static dev.tollgate.testing.TestData.createTenant;
import static dev.tollgate.testing.TestData.createUser;
import static dev.tollgate.testing.TestData.uniqueSlug;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.not;

import dev.tollgate.testing.ConsoleSession;
import dev.tollgate.testing.PostgresResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Bad input gets 400 with the fields named: problem+json on the API, inline errors in the console. */
@QuarkusTest
@QuarkusTestResource(PostgresResource.class)
class BadInputTest {

    @Test
    void invalidSlugIsRefusedWithAFieldError() {
        for (String slug : new String[] {"Has Caps", "-leading", "trailing-", "ü-umlaut", "a", "", "new"}) {
            asAdmin().body(Map.of("slug", slug, "displayName", "X")).post("/api/admin/tenants").then()
                    .statusCode(400).contentType("application/problem+json")
                    .body("status", equalTo(400)).body("errors.field", hasItem("slug"));
        }
    }

    @Test
    void duplicateSlugIsRefused() {
        String slug = createTenant(uniqueSlug("dup"));
        asAdmin().body(Map.of("slug", slug, "displayName", "Again")).post("/api/admin/tenants").then()
                .statusCode(400).body("errors.find { it.field == 'slug' }.message", equalTo("is already taken"));
    }

    @Test
    void overLongFieldsAreRefused() {
        asAdmin().body(Map.of("slug", uniqueSlug("long"), "displayName", "x".repeat(201), "taxId", "9".repeat(65),
                "billingEmail", "not-an-email", "timezone", "Mars/Olympus"))
                .post("/api/admin/tenants").then().statusCode(400)
                .body("errors.field", hasItems("displayName", "taxId", "billingEmail", "timezone"));
    }

    @Test
    void malformedJsonAndWrongTypesAre400NotServerErrors() {
        asAdmin().body("{\"slug\": \"oops\", ").post("/api/admin/tenants").then().statusCode(400)
                .contentType("application/problem+json").body("errors.field", hasItem("body"));
        String slug = createTenant(uniqueSlug("types"));
        asAdmin().body("{\"name\": \"k\", \"expiresAt\": \"next tuesday\"}")
                .post("/api/admin/tenants/" + slug + "/keys").then().statusCode(400)
                .body("errors.field", hasItem("expiresAt"));
        asAdmin().body("{\"name\": \"k\", \"allowedModels\": \"deepseek-v4-flash\"}")
                .post("/api/admin/tenants/" + slug + "/keys").then().statusCode(400);
        asAdmin().body("{\"name\": \"k\", \"allowedModels\": [\"gpt-4o\"]}")
                .post("/api/admin/tenants/" + slug + "/keys").then().statusCode(400)
                .body("errors[0].message", containsString("gpt-4o"));
        asAdmin().get("/api/admin/tenants?status=NOPE").then().statusCode(400).contentType("application/problem+json")
                .body("errors.find { it.field == 'status' }.message", containsString("ACTIVE"));
        asAdmin().get("/api/admin/tenants?status=active").then().statusCode(200);
        asAdmin().get("/api/admin/tenants?page=abc").then().statusCode(400).body("errors.field", hasItem("page"));
        asAdmin().get("/api/admin/audit?size=x").then().statusCode(400).body("errors.field", hasItem("size"));
        asAdmin().body("[1,2]").post("/api/admin/tenants").then().statusCode(400);
        asAdmin().body("").post("/api/admin/tenants").then().statusCode(400);
    }

    @Test
    void aFieldTheRequestDoesNotHaveIsRefusedAndChangesNothing() {
        String slug = createTenant(uniqueSlug("typo"));
        asAdmin().body(Map.of("displayName", "Acme", "legalName", "Acme GmbH")).put("/api/admin/tenants/" + slug)
                .then().statusCode(200);
        // A typo used to be dropped, and the PUT then cleared the field it meant.
        asAdmin().body(Map.of("displayName", "Acme", "legalname", "Acme AG")).put("/api/admin/tenants/" + slug)
                .then().statusCode(400).contentType("application/problem+json")
                .body("errors.find { it.field == 'legalname' }.message", containsString("legalName"));
        asAdmin().get("/api/admin/tenants/" + slug).then().body("legalName", equalTo("Acme GmbH"));
        asAdmin().body(Map.of("name", "k", "expires", "2030-01-01T00:00:00Z")).post("/api/admin/tenants/" + slug
                + "/keys").then().statusCode(400).body("errors.field", hasItem("expires"));
    }

    @Test
    void aTenantAsReadCanBeEditedAndPutBack() {
        String slug = createTenant(uniqueSlug("trip"));
        Map<String, Object> tenant = asAdmin().get("/api/admin/tenants/" + slug).then().extract().as(Map.class);
        tenant.put("legalName", "Round Trip Ltd");
        asAdmin().body(tenant).put("/api/admin/tenants/" + slug).then().statusCode(200)
                .body("legalName", equalTo("Round Trip Ltd")).body("status", equalTo("ACTIVE"));
        // status is shown, not set here (suspend has its own call): sending another value changes nothing
        tenant.put("status", "SUSPENDED");
        tenant.remove("version");
        asAdmin().body(tenant).put("/api/admin/tenants/" + slug).then().statusCode(200).body("status", equalTo("ACTIVE"));
    }

    @Test
    void valuesTheDatabaseCannotStoreAndPagesPastTheEndAreNotServerErrors() {
        String slug = createTenant(uniqueSlug("store"));
        // PostgreSQL text cannot hold a NUL character, nor its timestamps a year past 294276
        asAdmin().body(Map.of("displayName", "Ac\u0000me")).put("/api/admin/tenants/" + slug).then()
                .statusCode(400).contentType("application/problem+json")
                .body("errors.find { it.field == 'displayName' }.message", equalTo("must not contain NUL characters"));
        asAdmin().body(Map.of("name", "k", "expiresAt", "+300000-01-01T00:00:00Z"))
                .post("/api/admin/tenants/" + slug + "/keys").then().statusCode(400)
                .contentType("application/problem+json")
                .body("errors.find { it.field == 'expiresAt' }.message", containsString("294276"));
        // a page past the end is empty, however far past
        asAdmin().get("/api/admin/tenants?page=50000000").then().statusCode(200).body("items.size()", equalTo(0));
        asAdmin().get("/api/admin/audit?page=30000000").then().statusCode(200).body("size()", equalTo(0));
        ConsoleSession console = ConsoleSession.login(ADMIN, ADMIN_PASSWORD);
        console.get("/console/tenants?page=50000000").then().statusCode(200);
        console.get("/console/audit?page=50000000").then().statusCode(200);
    }

    /**
     * In the console a page past the end is the last page: it said "No tenants match" under "124 tenants", and
     * "Page 1000000 of 3" with a link back to page 999999.
     */
    @Test
    void theConsoleShowsTheLastPageForAPagePastTheEnd() {
        String tag = uniqueSlug("last-page");
        createTenant(tag + "-a");
        createTenant(tag + "-b");
        ConsoleSession console = ConsoleSession.login(ADMIN, ADMIN_PASSWORD);
        for (String page : new String[] {"1", "999999", "50000000"}) {
            console.get("/console/tenants?q=" + tag + "&page=" + page).then().statusCode(200)
                    .body(containsString("Page 1 of 1")).body(containsString(tag + "-a"))
                    .body(not(containsString("No tenants match"))).body(not(containsString("Previous")));
        }
        console.get("/console/audit?page=999999").then().statusCode(200)
                .body(not(containsString("No changes recorded yet"))).body(not(containsString("Older")));
    }

    /** A search is for the text typed: a % or _ in it is that character, not a wildcard. */
    @Test
    void aSearchTakesPercentAndUnderscoreLiterally() {
        String tag = uniqueSlug("literal");
        for (String[] t : new String[][] {{tag + "-a", tag + " 100% a_b"}, {tag + "-b", tag + " 100x axb"}}) {
            asAdmin().body(Map.of("slug", t[0], "displayName", t[1])).post("/api/admin/tenants").then().statusCode(201);
        }
        asAdmin().queryParam("q", tag + " 100% a_b").get("/api/admin/tenants").then().statusCode(200)
                .body("total", equalTo(1)).body("items[0].slug", equalTo(tag + "-a"));
        asAdmin().queryParam("q", tag + "%").get("/api/admin/tenants").then().body("total", equalTo(0));
        asAdmin().queryParam("q", tag + " 100_").get("/api/admin/tenants").then().body("total", equalTo(0));
        ConsoleSession console = ConsoleSession.login(ADMIN, ADMIN_PASSWORD);
        console.request().queryParam("q", tag + "%").get("/console/tenants").then().statusCode(200)
                .body(containsString("No tenants match"));
    }

    /**
     * The admin API takes JSON. A form post (curl's -d) met the console's CSRF check, which answered a bare 400;
     * and text after the JSON value was dropped while the object before it was acted on.
     */
    @Test
    void theAdminApiRefusesFormsAndTextAfterTheJson() {
        String slug = createTenant(uniqueSlug("forms"));
        given().auth().preemptive().basic(ADMIN, ADMIN_PASSWORD).contentType("application/x-www-form-urlencoded")
                .body("").post("/api/admin/tenants/" + slug + "/suspend").then().statusCode(415)
                .contentType("application/problem+json").body("detail", containsString("application/json"));
        given().auth().preemptive().basic(ADMIN, ADMIN_PASSWORD).multiPart("slug", uniqueSlug("multi"))
                .post("/api/admin/tenants").then().statusCode(415).contentType("application/problem+json");
        // JSON sent as text (curl's --data-binary with a wrong header) hears what to send, not the framework's words
        String asText = uniqueSlug("text");
        given().auth().preemptive().basic(ADMIN, ADMIN_PASSWORD).contentType("text/plain")
                .body("{\"slug\": \"" + asText + "\", \"displayName\": \"T\"}").post("/api/admin/tenants").then()
                .statusCode(415).contentType("application/problem+json")
                .body("detail", containsString("Content-Type: application/json"));
        asAdmin().get("/api/admin/tenants/" + asText).then().statusCode(404);
        asAdmin().get("/api/admin/tenants/" + slug).then().body("status", equalTo("ACTIVE"));
        // a read has no body: a client's default Content-Type on it is no reason to refuse it
        given().auth().preemptive().basic(ADMIN, ADMIN_PASSWORD).contentType("text/html")
                .get("/api/admin/tenants/" + slug).then().statusCode(200).body("status", equalTo("ACTIVE"));
        String trailing = uniqueSlug("trailing");
        asAdmin().body("{\"slug\": \"" + trailing + "\", \"displayName\": \"T\"} garbage").post("/api/admin/tenants")
                .then().statusCode(400).contentType("application/problem+json").body("errors.field", hasItem("body"));
        asAdmin().body("{\"slug\": \"" + trailing + "\", \"displayName\": \"T\"}{\"slug\": \"x\"}")
                .post("/api/admin/tenants").then().statusCode(400);
        asAdmin().get("/api/admin/tenants/" + trailing).then().statusCode(404);
    }

    /** A form with more fields than the form reader takes is a console page saying so, not a 500. */
    @Test
    void aFormWithTooManyFieldsIsAConsolePage() {
        ConsoleSession console = ConsoleSession.login(ADMIN, ADMIN_PASSWORD);
        Map<String, Object> form = new HashMap<>();
        for (int i = 0; i < 1000; i++) {
            form.put("extra" + i, "x");
        }
        form.put("slug", uniqueSlug("fields"));
        form.put("displayName", "Fields");
        console.post("/console/tenants", form).then().statusCode(413).contentType("text/html")
                .body(containsString("<title>Too large")).body(containsString("too many fields"));
    }

    @Test
    void theConsoleShowsErrorsInlineAndKeepsWhatWasTyped() {
        String taken = createTenant(uniqueSlug("taken"));
        ConsoleSession console = ConsoleSession.login(ADMIN, ADMIN_PASSWORD);
        console.post("/console/tenants", Map.of("slug", taken, "displayName", "My typed name",
                "billingEmail", "bad-email")).then().statusCode(400)
                .body(containsString("is already taken"))
                .body(containsString("must be a well-formed email address"))
                .body(containsString("value=\"My typed name\""));
        // every field's error at once, the date's and the name's, so one round trip fixes the form
        console.post("/console/tenants/" + taken + "/keys", Map.of("name", "", "expiresAt", "someday")).then()
                .statusCode(400).body(containsString("id=\"e-expiresAt\"")).body(containsString("must be a date and time"))
                .body(containsString("id=\"e-name\""));
        // a currency left empty is the default one, as in the API
        String blank = uniqueSlug("blank-currency");
        console.post("/console/tenants", Map.of("slug", blank, "displayName", "Blank", "currency", "", "timezone", ""))
                .then().statusCode(303);
        asAdmin().get("/api/admin/tenants/" + blank).then().body("currency", equalTo("USD")).body("timezone", equalTo("UTC"));
        // the form offers the one currency there is, not a field to type another into
        console.get("/console/tenants/new").then().statusCode(200)
                .body(containsString("name=\"currency\" type=\"text\" value=\"USD\" readonly"));
    }

    /**
     * Text with a NUL character or a date past PostgreSQL's range is refused on its field before the database is
     * asked, and the form keeps what was typed: the database's own refusal named no field and lost the form.
     */
    @Test
    void valuesTheDatabaseCannotStoreAreInlineErrorsOnTheirFields() {
        String slug = createTenant(uniqueSlug("unstorable"));
        ConsoleSession console = ConsoleSession.login(ADMIN, ADMIN_PASSWORD);
        console.post("/console/tenants/" + slug + "/edit", Map.of("displayName", "Ac\u0000me",
                "legalName", "Typed Legal Name", "currency", "USD", "timezone", "UTC")).then().statusCode(400)
                .contentType("text/html")
                .body(containsString("id=\"e-displayName\">must not contain NUL characters"))
                .body(containsString("value=\"Typed Legal Name\""));
        asAdmin().get("/api/admin/tenants/" + slug).then().body("displayName", equalTo("Tenant " + slug));
        String fresh = uniqueSlug("unstorable");
        console.post("/console/tenants", Map.of("slug", fresh, "displayName", "Fresh",
                "postalAddress", "1 Main\u0000St")).then().statusCode(400)
                .body(containsString("aria-describedby=\"e-postalAddress\">1 Main"))
                .body(containsString("id=\"e-postalAddress\">must not contain NUL characters"))
                .body(containsString("value=\"Fresh\""));
        asAdmin().get("/api/admin/tenants/" + fresh).then().statusCode(404);

        console.post("/console/tenants/" + slug + "/keys", Map.of("name", "far future",
                "expiresAt", "+300000-01-01T00:00")).then().statusCode(400).contentType("text/html")
                .body(containsString("id=\"e-expiresAt\">must be a date between 4713 BC and 294276 AD"))
                .body(containsString("value=\"far future\""));
        console.post("/console/tenants/" + slug + "/keys", Map.of("name", "nul\u0000name")).then().statusCode(400)
                .body(containsString("id=\"e-name\">must not contain NUL characters"));
        asAdmin().get("/api/admin/tenants/" + slug + "/keys").then().body("size()", equalTo(0));

        console.post("/console/users", Map.of("username", uniqueSlug("user"), "password", "long-enough-password",
                "role", "tenant-admin", "tenantSlug", "ac\u0000me")).then().statusCode(400).contentType("text/html")
                .body(containsString("id=\"e-tenantSlug\">must not contain NUL characters"));
        console.post("/console/users", Map.of("username", uniqueSlug("user"), "password", "long-enough-password",
                "role", "superuser")).then().statusCode(400)
                .body(containsString("name=\"role\" aria-invalid=\"true\" aria-describedby=\"e-role\""))
                .body(containsString("<p class=\"error\" id=\"e-role\">"));
    }

    /**
     * No name PostgreSQL stores holds a NUL character: a path with one is a 404 like any unknown name, and a search for
     * one finds nothing, where asking the database had it refuse the value (a 400 for a request that sent none).
     */
    @Test
    void aNulCharacterInAPathIsNotFoundAndASearchForOneFindsNothing() {
        String slug = createTenant(uniqueSlug("nul-path"));
        asAdmin().get("/api/admin/tenants/{slug}", "a\u0000b").then().statusCode(404)
                .contentType("application/problem+json");
        asAdmin().body(Map.of("displayName", "x")).put("/api/admin/tenants/{slug}", "a\u0000b").then().statusCode(404);
        asAdmin().post("/api/admin/tenants/{slug}/keys/{id}/revoke", slug, "a\u0000").then().statusCode(404);
        asAdmin().get("/api/admin/aliases/{alias}", "deepseek\u0000").then().statusCode(404);
        asAdmin().delete("/api/admin/users/{user}", "a\u0000").then().statusCode(404);
        asAdmin().queryParam("q", "a\u0000").get("/api/admin/tenants").then().statusCode(200)
                .body("items.size()", equalTo(0)).body("total", equalTo(0));
        asAdmin().queryParam("model", "deepseek\u0000").get("/api/admin/prices").then().statusCode(200)
                .body("size()", equalTo(0));
        ConsoleSession console = ConsoleSession.login(ADMIN, ADMIN_PASSWORD);
        console.request().get("/console/tenants/{slug}/edit", "a\u0000b").then().statusCode(404)
                .contentType("text/html").body(containsString("<title>Not found"));
        console.request().queryParam("q", "a\u0000").get("/console/tenants").then().statusCode(200)
                .body(containsString("No tenants match."));
    }

    /** A login name with a NUL character is a failed login, like any unknown name, not a refused value. */
    @Test
    void aLoginNameWithANulCharacterIsAFailedLogin() {
        given().auth().preemptive().basic("ad\u0000min", ADMIN_PASSWORD).get("/api/admin/tenants").then()
                .statusCode(401).contentType("application/problem+json");
        given().redirects().follow(false).formParam("j_username", "ad\u0000min").formParam("j_password", ADMIN_PASSWORD)
                .post("/j_security_check").then().statusCode(302).header("Location", containsString("/login?error"));
    }

    /**
     * A console field longer than its limit is an inline error with the form as typed, even where its UTF-8 is
     * longer than 2048 bytes (a 1000-character address in Chinese): past that the form used to be refused
     * whole with a "Something went wrong" page.
     */
    @Test
    void aFieldOverItsLengthIsAnInlineErrorHoweverManyBytesItTakes() {
        String slug = createTenant(uniqueSlug("long"));
        ConsoleSession console = ConsoleSession.login(ADMIN, ADMIN_PASSWORD);
        console.post("/console/tenants/" + slug + "/edit", Map.of("displayName", "Ünïcödé".repeat(500),
                "postalAddress", "東".repeat(1001), "legalName", "Typed Legal Name")).then().statusCode(400)
                .contentType("text/html")
                .body(containsString("id=\"e-displayName\">size must be between 0 and 200"))
                .body(containsString("id=\"e-postalAddress\">size must be between 0 and 1000"))
                .body(containsString("value=\"Typed Legal Name\""));
        console.post("/console/tenants/" + slug + "/edit", Map.of("displayName", "x", "postalAddress",
                "東".repeat(1000))).then().statusCode(303);
        asAdmin().get("/api/admin/tenants/" + slug).then().body("postalAddress", equalTo("東".repeat(1000)));
        // past a megabyte the form is refused whole, with a page that says what to do
        console.post("/console/tenants/" + slug + "/edit", Map.of("displayName", "x".repeat(1_100_000))).then()
                .statusCode(413).contentType("text/html").body(containsString("<title>Too large"))
                .body(containsString("shorten the longest field"));
    }

    /** A page number past an int is a page past the end, as one just within it: empty, not "not a whole number". */
    @Test
    void aPageNumberPastAnIntIsAnEmptyPage() {
        asAdmin().get("/api/admin/tenants?page=99999999999&size=99999999999").then().statusCode(200)
                .body("items.size()", equalTo(0)).body("size", equalTo(500));
        asAdmin().get("/api/admin/tenants?page=-99999999999").then().statusCode(200).body("page", equalTo(0));
        asAdmin().get("/api/admin/audit?page=99999999999").then().statusCode(200).body("size()", equalTo(0));
        asAdmin().get("/api/admin/audit?page=1e3").then().statusCode(400).body("errors.field", hasItem("page"));
    }

    /** An error about a list's element names the list: the field a form shows it next to. */
    @Test
    void errorsAboutAListsElementsNameTheList() {
        String slug = createTenant(uniqueSlug("elements"));
        asAdmin().body("{\"name\": \"k\", \"allowedModels\": [\"\", null]}").post("/api/admin/tenants/" + slug + "/keys")
                .then().statusCode(400).body("errors.field", hasItem("allowedModels"))
                .body("errors.find { it.field == 'allowedModels' }.message", equalTo("must not be blank"));
        ConsoleSession console = ConsoleSession.login(ADMIN, ADMIN_PASSWORD);
        console.post("/console/tenants/" + slug + "/keys", Map.of("name", "k", "allowedModels", "")).then()
                .statusCode(400)
                .body(containsString("<p class=\"error\" id=\"e-allowedModels\">must not be blank</p>"));
    }

    /** JSON can escape half of a character, which PostgreSQL would store as a '?': refused on its field. */
    @Test
    void textWithHalfACharacterIsRefusedAndAWholeOneKept() {
        String slug = createTenant(uniqueSlug("surrogate"));
        asAdmin().body("{\"displayName\": \"a\\ud800b\"}").put("/api/admin/tenants/" + slug).then().statusCode(400)
                .body("errors.find { it.field == 'displayName' }.message", containsString("unpaired surrogate"));
        asAdmin().body("{\"displayName\": \"a\\ud83d\\ude00b\"}").put("/api/admin/tenants/" + slug).then()
                .statusCode(200).body("displayName", equalTo("a\ud83d\ude00b"));
    }

    /** A 404 from the admin API says what it did not find, and the same for an object the caller may not see. */
    @Test
    void theApiSaysWhichObjectItDidNotFind() {
        String slug = createTenant(uniqueSlug("named"));
        String nobody = uniqueSlug("nobody");
        Map<String, String> missing = Map.of(
                "/api/admin/tenants/" + nobody, "No tenant `" + nobody + "`.",
                "/api/admin/tenants/" + nobody + "/keys/abc", "No tenant `" + nobody + "`.",
                "/api/admin/tenants/" + slug + "/keys/0123456789abcdef", "No key `0123456789abcdef`.",
                "/api/admin/tenants/" + slug + "/alias-overrides/gpt-4", "No alias `gpt-4`.",
                "/api/admin/aliases/gpt-4", "No alias `gpt-4`.",
                "/api/admin/users/" + nobody, "No user `" + nobody + "`.",
                "/api/admin/prices/987654321", "No price entry `987654321`.");
        missing.forEach((path, detail) -> asAdmin().get(path).then().statusCode(404)
                .contentType("application/problem+json").body("detail", equalTo(detail))
                .body("instance", equalTo(path)));
        asAdmin().delete("/api/admin/users/" + nobody).then().statusCode(404)
                .body("detail", equalTo("No user `" + nobody + "`."));
        // a tenant admin of another tenant learns nothing more than that it is not theirs to see
        String other = createTenant(uniqueSlug("other"));
        String admin = uniqueSlug("other-admin");
        createUser(admin, "other-admin-password", "tenant-admin", other);
        as(admin, "other-admin-password").get("/api/admin/tenants/" + slug).then().statusCode(404)
                .body("detail", equalTo("No tenant `" + slug + "`."));
    }

    /** A flash cookie the console did not set (edited by hand, or another app's) shows nothing, not an error page. */
    @Test
    void aFlashCookieTheConsoleDidNotSetIsIgnored() {
        ConsoleSession console = ConsoleSession.login(ADMIN, ADMIN_PASSWORD);
        console.request().cookie("tollgate-flash", "%zz").get("/console/tenants").then().statusCode(200)
                .body(containsString("<title>Tenants"));
    }

    /** Errors without a form of their own are console pages with a way back, never the browser's bare error page. */
    @Test
    void theConsoleAnswersMistypedAddressesWithItsOwnPages() {
        ConsoleSession console = ConsoleSession.login(ADMIN, ADMIN_PASSWORD);
        console.get("/console/tenants/" + uniqueSlug("nobody")).then().statusCode(404).contentType("text/html")
                .body(containsString("<title>Not found")).body(containsString("href=\"/console\""));
        console.get("/console/audit?page=abc").then().statusCode(200).body(containsString("Audit log"));
        console.get("/console/tenants?page=1.5").then().statusCode(200).body(containsString("Tenants"));
        // a console post that is not a form: the refusal's own words, in the console's page
        console.request().contentType("text/plain").body("x").post("/console/tenants").then().statusCode(415)
                .contentType("text/html").body(containsString("made with the console&#39;s own forms"));
    }
}
