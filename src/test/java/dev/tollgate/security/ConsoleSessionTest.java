package dev.tollgate.security;

import static dev.tollgate.testing.TestData.asAdmin;
import static dev.tollgate.testing.TestData.createUser;
import static dev.tollgate.testing.TestData.uniqueSlug;
import static io.restassured.matcher.RestAssuredMatchers.detailedCookie;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;

import dev.tollgate.testing.ConsoleSession;
import dev.tollgate.testing.PostgresResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
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

    @Test
    void theLoginCookieAloneSignsNobodyIn() {
        String user = "s-" + uniqueSlug("alone");
        createUser(user, PASSWORD, "finance", null);
        ConsoleSession browser = ConsoleSession.login(user, PASSWORD);

        browser.requestWithLoginCookieOnly().get("/console/tenants").then().statusCode(302)
                .header("Location", containsString("/login"));
        browser.get("/console/tenants").then().statusCode(200);
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
}
