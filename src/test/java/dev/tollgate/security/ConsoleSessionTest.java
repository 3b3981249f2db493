package dev.tollgate.security;

import static dev.tollgate.testing.TestData.ADMIN;
import static dev.tollgate.testing.TestData.ADMIN_PASSWORD;
import static dev.tollgate.testing.TestData.asAdmin;
import static dev.tollgate.testing.TestData.createTenant;
import static dev.tollgate.testing.TestData.createUser;
import static dev.tollgate.testing.TestData.uniqueSlug;
import static io.restassured.RestAssured.given;
import static io.restassured.matcher.RestAssuredMatchers.detailedCookie;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.platform.Sha256;
import dev.tollgate.testing.ConsoleSession;
import dev.tollgate.testing.PostgresResource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Local login mode: a console session ends on the server, not only in the browser that logged out. */
@QuarkusTest
@QuarkusTestResource(PostgresResource.class)
class ConsoleSessionTest {

    static final String PASSWORD = "session-test-password";

    @Test
    void cookiesCopiedBeforeALogoutAreRefusedAfterIt() {
        String user = "s-" + uniqueSlug("out");
        createUser(user, PASSWORD, "finance", null);
        ConsoleSession browser = ConsoleSession.login(user, PASSWORD);
        ConsoleSession otherBrowser = ConsoleSession.login(user, PASSWORD);
        browser.get("/console/tenants").then().statusCode(200);

        browser.post("/console/logout", Map.of()).then().statusCode(303).header("Location", endsWith("/login"))
                .cookie("tollgate-session", detailedCookie().maxAge(0));

        // the same cookies, replayed as a copy of them would be
        browser.get("/console/tenants").then().statusCode(302).header("Location", containsString("/login"));
        otherBrowser.get("/console/tenants").then().statusCode(200);
    }

    /**
     * A form posted after its session ended leads to the login page; signing in then returns to the page the form
     * was on. It returned to the post's own address with a GET, which no page answers ("not a console request").
     */
    @Test
    void signingInAfterAFormOutlivedItsSessionReturnsToTheFormsPage() {
        String slug = createTenant(uniqueSlug("return"));
        String site = RestAssured.baseURI + ":" + RestAssured.port;
        Response challenge = given().redirects().follow(false).header("Referer", site + "/console/tenants/" + slug)
                .formParam("name", "k").post("/console/tenants/" + slug + "/keys");
        challenge.then().statusCode(302).header("Location", endsWith("/login"));
        String wayBack = challenge.cookie("quarkus-redirect-location");
        given().redirects().follow(false).cookie("quarkus-redirect-location", wayBack)
                .formParam("j_username", ADMIN).formParam("j_password", ADMIN_PASSWORD).post("/j_security_check")
                .then().statusCode(302).header("Location", equalTo(site + "/console/tenants/" + slug));
        // without a page of this site to go back to (no Referer, or another site's), the console's landing page
        for (String referer : new String[] {null, "https://elsewhere.example/console/tenants"}) {
            var post = given().redirects().follow(false);
            if (referer != null) {
                post.header("Referer", referer);
            }
            post.formParam("csrf-token", "x").post("/console/logout").then().statusCode(302)
                    .cookie("quarkus-redirect-location", equalTo(site + "/console"));
        }
        // a page asked for with a GET is returned to as before
        given().redirects().follow(false).get("/console/prices?model=deepseek-v4-pro").then().statusCode(302)
                .cookie("quarkus-redirect-location", equalTo(site + "/console/prices?model=deepseek-v4-pro"));
    }

    @Test
    void aLoginCookieCountsOnlyWithALiveSessionOfItsOwnUser() {
        String user = "s-" + uniqueSlug("alone");
        String other = "s-" + uniqueSlug("other");
        createUser(user, PASSWORD, "finance", null);
        createUser(other, PASSWORD, "finance", null);
        ConsoleSession browser = ConsoleSession.login(user, PASSWORD);
        ConsoleSession othersBrowser = ConsoleSession.login(other, PASSWORD);

        browser.requestWithSession(null).get("/console/tenants").then().statusCode(302)
                .header("Location", containsString("/login"));
        browser.requestWithSession(othersBrowser.sessionCookie()).get("/console/tenants").then().statusCode(302)
                .header("Location", containsString("/login"));
        browser.requestWithSession(browser.sessionCookie()).get("/console/tenants").then().statusCode(200);
    }

    @Test
    void aSessionUnusedForTheIdleTimeoutIsOverAndItsRowGoesAtTheNextSignIn() {
        String user = "s-" + uniqueSlug("idle");
        createUser(user, PASSWORD, "finance", null);
        ConsoleSession recent = ConsoleSession.login(user, PASSWORD);
        ConsoleSession idle = ConsoleSession.login(user, PASSWORD);
        lastUsed(recent, Instant.now().minus(Duration.ofMinutes(6)));
        lastUsed(idle, Instant.now().minus(Duration.ofHours(9))); // the login cookie's idle timeout is 8 h

        recent.get("/console/tenants").then().statusCode(200);
        assertTrue(lastUsed(recent).isAfter(Instant.now().minus(Duration.ofMinutes(1))), "the use is written down");
        idle.get("/console/tenants").then().statusCode(302).header("Location", containsString("/login"));

        assertNotNull(lastUsed(idle));
        ConsoleSession.login(user, PASSWORD);
        assertNull(lastUsed(idle), "deleted at the next sign-in");
    }

    @Test
    void aDeletedUsersSessionDoesNotPassToANewUserOfTheSameName() {
        String user = "s-" + uniqueSlug("reused");
        createUser(user, PASSWORD, "finance", null);
        ConsoleSession finance = ConsoleSession.login(user, PASSWORD);
        asAdmin().delete("/api/admin/users/" + user).then().statusCode(204);
        createUser(user, "another-" + PASSWORD, "platform-admin", null);

        finance.get("/console/users").then().statusCode(302).header("Location", containsString("/login"));
        ConsoleSession.login(user, "another-" + PASSWORD).get("/console/users").then().statusCode(200);
    }

    /** The session's row is the entity of this package, not the test's {@link ConsoleSession} of the same name. */
    private static void lastUsed(ConsoleSession browser, Instant at) {
        QuarkusTransaction.requiringNew().run(() -> dev.tollgate.security.ConsoleSession.update(
                "lastSeenAt = ?1 where tokenHash = ?2", at, Sha256.hex(browser.sessionCookie())));
    }

    private static Instant lastUsed(ConsoleSession browser) {
        return QuarkusTransaction.requiringNew().call(() -> dev.tollgate.security.ConsoleSession
                .<dev.tollgate.security.ConsoleSession>findByIdOptional(Sha256.hex(browser.sessionCookie()))
                .map(s -> s.lastSeenAt).orElse(null));
    }
}
