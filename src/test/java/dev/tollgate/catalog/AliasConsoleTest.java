package dev.tollgate.catalog;

import static dev.tollgate.catalog.AliasFixtures.uniqueAlias;
import static dev.tollgate.testing.TestData.ADMIN;
import static dev.tollgate.testing.TestData.ADMIN_PASSWORD;
import static dev.tollgate.testing.TestData.asAdmin;
import static dev.tollgate.testing.TestData.createTenant;
import static dev.tollgate.testing.TestData.createUser;
import static dev.tollgate.testing.TestData.issueKey;
import static dev.tollgate.testing.TestData.uniqueSlug;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import dev.tollgate.ledger.UsageLedger;
import dev.tollgate.testing.ConsoleSession;
import dev.tollgate.testing.PostgresResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Year;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The alias pages and the tenant page's override, driven over HTTP as the browser would, CSRF token included. */
@QuarkusTest
@QuarkusTestResource(PostgresResource.class)
class AliasConsoleTest {

    static final String PASSWORD = "alias-console-password";
    /** A day ahead whenever the suite runs, so that "before sunset" stays true. */
    static final String SUNSET_DAY = (Year.now(ZoneOffset.UTC).getValue() + 2) + "-01-31";

    @Inject
    UsageLedger ledger;

    @AfterEach
    void removeTestAliases() {
        AliasFixtures.deleteTestAliases();
    }

    static Map<String, String> form(String alias) {
        Map<String, String> form = new HashMap<>();
        form.put("alias", alias);
        form.put("targetModel", "deepseek-v4-flash");
        form.put("impliedParams", "{\"thinking\": {\"type\": \"enabled\"}}");
        form.put("deprecatedAt", "2026-04-24T00:00");
        form.put("sunsetAt", SUNSET_DAY + "T12:00");
        form.put("mode", "reject-after-sunset");
        form.put("replacementModel", "");
        form.put("migrationGuide", "");
        form.put("note", "made in the console");
        return form;
    }

    @Test
    void theListShowsEachAliasWithItsSunsetStatus() {
        ConsoleSession console = ConsoleSession.login(ADMIN, ADMIN_PASSWORD);
        console.get("/console/tenants").then().statusCode(200).body(containsString("href=\"/console/aliases\""));
        console.get("/console/aliases").then().statusCode(200)
                .body(containsString("<code>deepseek-chat</code>"))
                .body(containsString("2026-07-24 15:59 UTC"))
                .body(containsString("Past sunset, still served"))
                .body(containsString("New alias"));
    }

    @Test
    void createShowsErrorsInlineKeepsWhatWasTypedThenSaves() {
        ConsoleSession console = ConsoleSession.login(ADMIN, ADMIN_PASSWORD);
        console.get("/console/aliases/new").then().statusCode(200).body(containsString("name=\"csrf-token\""));
        String name = uniqueAlias("console");
        Map<String, String> bad = form("deepseek-v4-pro");
        bad.put("impliedParams", "{thinking: off");
        bad.put("sunsetAt", "someday");
        bad.put("note", "my typed note");
        console.post("/console/aliases", bad).then().statusCode(400)
                .body(containsString("Please correct the fields marked below."))
                .body(containsString("id=\"e-impliedParams\">is not valid JSON"))
                .body(containsString("id=\"e-sunsetAt\">must be a date and time"))
                .body(containsString("my typed note"))
                .body(containsString("{thinking: off"));
        console.post("/console/aliases", form("deepseek-v4-pro")).then().statusCode(400)
                .body(containsString("id=\"e-alias\">is the id of a catalog model"));

        console.post("/console/aliases", form(name)).then().statusCode(303)
                .header("Location", endsWith("/console/aliases"));
        console.get("/console/aliases").then().statusCode(200)
                .body(containsString("<code>" + name + "</code>"))
                .body(containsString("Deprecated, before sunset"));
        asAdmin().get("/api/admin/aliases/" + name).then().statusCode(200)
                .body("impliedParams.thinking.type", equalTo("enabled"))
                .body("sunsetAt", equalTo(SUNSET_DAY + "T12:00:00Z"))
                .body("mode", equalTo("reject-after-sunset"))
                .body("replacementModel", equalTo("deepseek-v4-flash"))
                .body("note", equalTo("made in the console"));

        console.get("/console/aliases/" + name + "/edit").then().statusCode(200)
                .body(containsString("value=\"" + SUNSET_DAY + "T12:00\""))
                .body(containsString("<option value=\"reject-after-sunset\" selected>"));
        Map<String, String> edit = form(name);
        edit.put("mode", "rewrite");
        edit.put("replacementModel", "deepseek-v4-pro");
        console.post("/console/aliases/" + name + "/edit", edit).then().statusCode(303);
        asAdmin().get("/api/admin/aliases/" + name).then().statusCode(200)
                .body("mode", equalTo("rewrite")).body("replacementModel", equalTo("deepseek-v4-pro"));
        edit.put("mode", "sometimes");
        console.post("/console/aliases/" + name + "/edit", edit).then().statusCode(400)
                .body(containsString("id=\"e-mode\">must be one of rewrite, rewrite-and-warn, reject-after-sunset"));

        console.postWithoutToken("/console/aliases/" + name + "/delete", Map.of()).then().statusCode(400);
        console.post("/console/aliases/" + name + "/delete", Map.of()).then().statusCode(303);
        asAdmin().get("/api/admin/aliases/" + name).then().statusCode(404);
    }

    /** One save past the sunset would turn every call naming the alias into a 410: the console asks first. */
    @Test
    void retiringAnAliasPastItsSunsetAsksFirstAndSaysWhoStillCallsIt() {
        String name = uniqueAlias("retire");
        Map<String, Object> body = new HashMap<>(form(name));
        body.put("deprecatedAt", "2026-04-24T00:00:00Z");
        body.put("sunsetAt", "2026-07-24T15:59:00Z");
        body.put("mode", "rewrite");
        body.put("impliedParams", Map.of());
        asAdmin().body(body).post("/api/admin/aliases").then().statusCode(201);
        String key = issueKey(createTenant(uniqueSlug("retire")));
        String call = "{\"model\": \"" + name + "\", \"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}]}";
        for (int i = 0; i < 2; i++) {
            given().auth().oauth2(key).contentType("application/json").body(call).post("/v1/chat/completions")
                    .then().statusCode(200);
        }
        // a tenant with a mode of its own keeps it: a change of the alias' mode does not reach its calls
        String keeper = createTenant(uniqueSlug("keeper"));
        asAdmin().body(Map.of("mode", "rewrite")).put("/api/admin/tenants/" + keeper + "/alias-overrides/" + name)
                .then().statusCode(200);
        String keeperKey = issueKey(keeper);
        given().auth().oauth2(keeperKey).contentType("application/json").body(call)
                .post("/v1/chat/completions").then().statusCode(200);
        // and one that has it retired already still sends the name: refused, but counted
        String rejecter = createTenant(uniqueSlug("rejecter"));
        asAdmin().body(Map.of("mode", "reject-after-sunset"))
                .put("/api/admin/tenants/" + rejecter + "/alias-overrides/" + name).then().statusCode(200);
        given().auth().oauth2(issueKey(rejecter)).contentType("application/json").body(call)
                .post("/v1/chat/completions").then().statusCode(410);
        ledger.flush();

        ConsoleSession console = ConsoleSession.login(ADMIN, ADMIN_PASSWORD);
        // the list says who still calls each alias, which is what tells whether retiring it is safe yet
        console.get("/console/aliases").then().statusCode(200)
                .body(containsString("id=\"calls-" + name + "\">4<div class=\"muted small\">3 tenants</div>"));
        Map<String, String> edit = form(name);
        edit.put("sunsetAt", "2026-07-24T15:59");
        console.post("/console/aliases/" + name + "/edit", edit).then().statusCode(200)
                .body(containsString("id=\"retire-warning\""))
                .body(containsString(
                        "<strong>2 calls</strong>\n      naming it in the last 7 days (<strong>1 tenant</strong>)"))
                .body(not(containsString("Tick the box")))
                .body(containsString(">made in the console</textarea>")); // what was typed is kept
        asAdmin().get("/api/admin/aliases/" + name).then().body("mode", equalTo("rewrite"));
        given().auth().oauth2(key).contentType("application/json").body(call).post("/v1/chat/completions")
                .then().statusCode(200);

        // sent again unticked: still not saved, and now the page says why
        edit.put("retireAsked", "yes");
        console.post("/console/aliases/" + name + "/edit", edit).then().statusCode(200)
                .body(containsString("Tick the box to retire it now, or choose another mode."));
        asAdmin().get("/api/admin/aliases/" + name).then().body("mode", equalTo("rewrite"));
        edit.put("retireNow", "yes");
        console.post("/console/aliases/" + name + "/edit", edit).then().statusCode(303);
        asAdmin().get("/api/admin/aliases/" + name).then().body("mode", equalTo("reject-after-sunset"));
        given().auth().oauth2(key).contentType("application/json").body(call).post("/v1/chat/completions")
                .then().statusCode(410);
        given().auth().oauth2(keeperKey).contentType("application/json").body(call).post("/v1/chat/completions")
                .then().statusCode(200);
        // an alias already retired, or one whose sunset is still ahead, saves without asking
        edit.remove("retireNow");
        edit.put("note", "edited after retiring");
        console.post("/console/aliases/" + name + "/edit", edit).then().statusCode(303);
    }

    @Test
    void savingTheFormAsShownKeepsTheSecondsItDoesNotShow() {
        String name = uniqueAlias("secs");
        Map<String, Object> body = new HashMap<>(form(name));
        body.put("deprecatedAt", "2026-04-24T00:00:15Z");
        body.put("sunsetAt", SUNSET_DAY + "T15:59:30Z");
        body.put("impliedParams", Map.of());
        asAdmin().body(body).post("/api/admin/aliases").then().statusCode(201);
        ConsoleSession console = ConsoleSession.login(ADMIN, ADMIN_PASSWORD);
        console.get("/console/aliases/" + name + "/edit").then().statusCode(200)
                .body(containsString("value=\"" + SUNSET_DAY + "T15:59\""));
        Map<String, String> edit = form(name);
        edit.put("deprecatedAt", "2026-04-24T00:00");
        edit.put("sunsetAt", SUNSET_DAY + "T15:59");
        edit.put("note", "only the note changed");
        console.post("/console/aliases/" + name + "/edit", edit).then().statusCode(303);
        asAdmin().get("/api/admin/aliases/" + name).then().statusCode(200)
                .body("note", equalTo("only the note changed"))
                .body("deprecatedAt", equalTo("2026-04-24T00:00:15Z"))
                .body("sunsetAt", equalTo(SUNSET_DAY + "T15:59:30Z"));
        // a minute changed on purpose is taken as typed
        edit.put("sunsetAt", SUNSET_DAY + "T16:00");
        console.post("/console/aliases/" + name + "/edit", edit).then().statusCode(303);
        asAdmin().get("/api/admin/aliases/" + name).then().body("sunsetAt", equalTo(SUNSET_DAY + "T16:00:00Z"));
    }

    @Test
    void aSaveOverSomeoneElsesChangeIsRefusedAndKeepsWhatWasTyped() {
        String name = uniqueAlias("race");
        ConsoleSession first = ConsoleSession.login(ADMIN, ADMIN_PASSWORD);
        first.post("/console/aliases", form(name)).then().statusCode(303);
        String page = first.get("/console/aliases/" + name + "/edit").then().statusCode(200).extract().asString();
        String version = page.replaceAll("(?s).*name=\"version\" value=\"(\\d+)\".*", "$1");

        // a second admin changes the mode meanwhile, through the API
        int current = asAdmin().get("/api/admin/aliases/" + name).then().extract().path("version");
        Map<String, Object> theirs = new HashMap<>(form(name));
        theirs.put("impliedParams", Map.of());
        theirs.put("deprecatedAt", "2026-04-24T00:00:00Z");
        theirs.put("sunsetAt", SUNSET_DAY + "T12:00:00Z");
        theirs.put("mode", "rewrite");
        theirs.put("version", current);
        asAdmin().body(theirs).put("/api/admin/aliases/" + name).then().statusCode(200);
        asAdmin().body(theirs).put("/api/admin/aliases/" + name).then().statusCode(409); // now stale too

        Map<String, String> mine = form(name);
        mine.put("version", version);
        mine.put("note", "my note, typed on the old page");
        first.post("/console/aliases/" + name + "/edit", mine).then().statusCode(409)
                .body(containsString("id=\"e-version\""))
                .body(containsString("my note, typed on the old page"));
        asAdmin().get("/api/admin/aliases/" + name).then()
                .body("mode", equalTo("rewrite")).body("note", equalTo("made in the console"));
    }

    /** A NUL character or a date PostgreSQL cannot hold is an inline error on its field, as any other. */
    @Test
    void valuesTheDatabaseCannotStoreAreShownOnTheirFieldsAndNothingIsSaved() {
        ConsoleSession console = ConsoleSession.login(ADMIN, ADMIN_PASSWORD);
        String name = uniqueAlias("unstorable");
        Map<String, String> bad = form(name);
        bad.put("note", "typed\u0000note");
        bad.put("sunsetAt", "+300000-01-01T00:00");
        bad.put("impliedParams", "{\"reasoning_effort\": \"high\\u0000\"}");
        console.post("/console/aliases", bad).then().statusCode(400).contentType("text/html")
                .body(containsString("id=\"e-note\">must not contain NUL characters"))
                .body(containsString("id=\"e-sunsetAt\">must be a date between 4713 BC and 294276 AD"))
                .body(containsString("id=\"e-impliedParams\">must not contain NUL characters"))
                .body(containsString("value=\"+300000-01-01T00:00\""));
        asAdmin().get("/api/admin/aliases/" + name).then().statusCode(404);

        console.post("/console/aliases", form(name)).then().statusCode(303);
        Map<String, String> edit = form(name);
        edit.put("deprecatedAt", "-5000-01-01T00:00");
        edit.put("note", "typed on the edit form");
        console.post("/console/aliases/" + name + "/edit", edit).then().statusCode(400)
                .body(containsString("id=\"e-deprecatedAt\">must be a date between 4713 BC and 294276 AD"))
                .body(containsString("typed on the edit form"));
        asAdmin().get("/api/admin/aliases/" + name).then().statusCode(200)
                .body("deprecatedAt", equalTo("2026-04-24T00:00:00Z")).body("note", equalTo("made in the console"));
    }

    @Test
    void aTenantAdminSeesTheListAndSetsOnlyItsOwnOverride() {
        String own = createTenant(uniqueSlug("alias-c-own"));
        String other = createTenant(uniqueSlug("alias-c-other"));
        String user = uniqueSlug("alias-c-ta");
        createUser(user, PASSWORD, "tenant-admin", own);
        ConsoleSession console = ConsoleSession.login(user, PASSWORD);
        console.get("/console/aliases").then().statusCode(200)
                .body(containsString("deepseek-chat")).body(not(containsString("New alias")))
                .body(not(containsString("Calls, last 7 days"))); // other tenants' traffic is not theirs to see
        console.get("/console/aliases/new").then().statusCode(403);
        console.post("/console/aliases", form(uniqueAlias("ta"))).then().statusCode(403);
        console.post("/console/aliases/deepseek-chat/delete", Map.of()).then().statusCode(403);

        console.get("/console/tenants/" + own).then().statusCode(200)
                .body(containsString("Model aliases"))
                .body(containsString("action=\"/console/tenants/" + own + "/alias-overrides/deepseek-chat\""));
        String key = issueKey(own);
        String call = "{\"model\": \"deepseek-chat\", \"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}]}";
        for (int i = 0; i < 2; i++) {
            given().auth().oauth2(key).contentType("application/json").body(call).post("/v1/chat/completions")
                    .then().statusCode(200);
        }
        ledger.flush();
        // past the sunset that retires the alias for this tenant at once: the console asks first, with its calls
        console.post("/console/tenants/" + own + "/alias-overrides/deepseek-chat", Map.of("mode", "reject-after-sunset"))
                .then().statusCode(200).body(containsString("id=\"retire-warning\""))
                .body(containsString("<strong>2 calls</strong> naming it"));
        asAdmin().get("/api/admin/tenants/" + own + "/alias-overrides/deepseek-chat").then().statusCode(200)
                .body("mode", equalTo("rewrite-and-warn")).body("override", nullValue());
        console.post("/console/tenants/" + own + "/alias-overrides/deepseek-chat",
                Map.of("mode", "reject-after-sunset", "retireNow", "yes"))
                .then().statusCode(303).header("Location", endsWith("/console/tenants/" + own));
        given().auth().oauth2(key).contentType("application/json").body(call).post("/v1/chat/completions")
                .then().statusCode(410);
        console.get("/console/tenants/" + own).then().statusCode(200)
                .body(containsString("<option value=\"reject-after-sunset\" selected>"))
                .body(containsString("Retired: 410"));
        asAdmin().get("/api/admin/tenants/" + own + "/alias-overrides/deepseek-chat").then()
                .body("override", equalTo("reject-after-sunset"));
        console.post("/console/tenants/" + own + "/alias-overrides/deepseek-chat", Map.of("mode", "")).then()
                .statusCode(303);
        asAdmin().get("/api/admin/tenants/" + own + "/alias-overrides/deepseek-chat").then()
                .body("override", nullValue());

        console.post("/console/tenants/" + other + "/alias-overrides/deepseek-chat", Map.of("mode", "rewrite"))
                .then().statusCode(404);
        asAdmin().get("/api/admin/tenants/" + other + "/alias-overrides/deepseek-chat").then()
                .body("override", nullValue());
    }

    @Test
    void financeSeesTheOverridesButCannotChangeThem() {
        String slug = createTenant(uniqueSlug("alias-c-fin"));
        String user = uniqueSlug("alias-c-fin");
        createUser(user, PASSWORD, "finance", null);
        ConsoleSession console = ConsoleSession.login(user, PASSWORD);
        console.get("/console/tenants/" + slug).then().statusCode(200)
                .body(containsString("Model aliases"))
                .body(not(containsString("/alias-overrides/")));
        console.post("/console/tenants/" + slug + "/alias-overrides/deepseek-chat", Map.of("mode", "rewrite"))
                .then().statusCode(403);
    }
}
