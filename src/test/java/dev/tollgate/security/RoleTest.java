package dev.tollgate.security;

import static dev.tollgate.testing.TestData.ADMIN;
import static dev.tollgate.testing.TestData.ADMIN_PASSWORD;
import static dev.tollgate.testing.TestData.as;
import static dev.tollgate.testing.TestData.asAdmin;
import static dev.tollgate.testing.TestData.createTenant;
import static dev.tollgate.testing.TestData.createUser;
import static dev.tollgate.testing.TestData.uniqueSlug;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tollgate.testing.ConsoleSession;
import dev.tollgate.testing.PostgresResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Local login mode: who may do what, on the admin API and in the console. */
@QuarkusTest
@QuarkusTestResource(PostgresResource.class)
class RoleTest {

    static final String PASSWORD = "role-test-password";

    @Test
    void financeReadsButCannotCreateKeysOrTenants() {
        String slug = createTenant(uniqueSlug("fin"));
        String finance = "finance-" + slug;
        createUser(finance, PASSWORD, "finance", null);
        as(finance, PASSWORD).get("/api/admin/tenants/" + slug).then().statusCode(200);
        as(finance, PASSWORD).get("/api/admin/tenants/" + slug + "/keys").then().statusCode(200);
        as(finance, PASSWORD).body(Map.of("name", "k")).post("/api/admin/tenants/" + slug + "/keys").then()
                .statusCode(403).contentType("application/problem+json").body("status", equalTo(403));
        as(finance, PASSWORD).body(Map.of("slug", uniqueSlug("x"), "displayName", "X")).post("/api/admin/tenants")
                .then().statusCode(403);
        ConsoleSession console = ConsoleSession.login(finance, PASSWORD);
        console.post("/console/tenants/" + slug + "/keys", Map.of("name", "k")).then().statusCode(403);
        console.get("/console/tenants/" + slug + "/keys/new").then().statusCode(403);
    }

    @Test
    void tenantAdminCannotCreateTenantsOrUsers() {
        String slug = createTenant(uniqueSlug("ta"));
        String tenantAdmin = "ta-" + slug;
        createUser(tenantAdmin, PASSWORD, "tenant-admin", slug);
        as(tenantAdmin, PASSWORD).body(Map.of("slug", uniqueSlug("x"), "displayName", "X"))
                .post("/api/admin/tenants").then().statusCode(403);
        as(tenantAdmin, PASSWORD).body(Map.of("username", "someone", "password", "long-enough-pass", "role", "finance"))
                .post("/api/admin/users").then().statusCode(403);
        as(tenantAdmin, PASSWORD).post("/api/admin/tenants/" + slug + "/suspend").then().statusCode(403);
        ConsoleSession console = ConsoleSession.login(tenantAdmin, PASSWORD);
        console.post("/console/tenants", Map.of("slug", uniqueSlug("x"), "displayName", "X")).then().statusCode(403);
        console.get("/console/users").then().statusCode(403);
        console.get("/console/audit").then().statusCode(403);
    }

    @Test
    void aPasswordLongerThanBcryptReadsIsRefused() {
        String user = "long-" + uniqueSlug("pw");
        // bcrypt reads 72 bytes: a longer password would log in with any ending
        asAdmin().body(Map.of("username", user, "password", "x".repeat(73), "role", "finance"))
                .post("/api/admin/users").then().statusCode(400).body("errors.field", hasItem("password"));
        asAdmin().body(Map.of("username", user, "password", "é".repeat(40), "role", "finance")) // 80 bytes
                .post("/api/admin/users").then().statusCode(400)
                .body("errors.find { it.field == 'password' }.message", containsString("72 bytes"));
        asAdmin().body(Map.of("username", user, "password", "x".repeat(72), "role", "finance"))
                .post("/api/admin/users").then().statusCode(201);
    }

    /** Every field's error in one answer, so that one round trip of the console's form mends them all. */
    @Test
    void aNewUserWithSeveralFaultsGetsThemAllAtOnce() {
        asAdmin().body(Map.of("username", "ab", "password", "short", "role", "tenant-admin")).post("/api/admin/users")
                .then().statusCode(400).body("errors.field", containsInAnyOrder("username", "password", "tenantSlug"));
        asAdmin().body(Map.of("username", ADMIN, "password", PASSWORD, "role", "tenant-admin",
                "tenantSlug", uniqueSlug("nowhere"))).post("/api/admin/users").then().statusCode(400)
                .body("errors.find { it.field == 'username' }.message", containsString("already taken"))
                .body("errors.find { it.field == 'tenantSlug' }.message", equalTo("no such tenant"));
        ConsoleSession console = ConsoleSession.login(ADMIN, ADMIN_PASSWORD);
        console.post("/console/users", Map.of("username", "ab", "password", "short", "role", "tenant-admin",
                "tenantSlug", "")).then().statusCode(400).body(containsString("is required for a tenant-admin"))
                .body(containsString("must be 12 to 72 characters"));
    }

    @Test
    void aPlatformAdminCannotDeleteThemselvesAndTheConsoleSaysSoAsAWarning() {
        String admin = "self-" + uniqueSlug("del");
        createUser(admin, PASSWORD, "platform-admin", null);
        ConsoleSession console = ConsoleSession.login(admin, PASSWORD);
        console.follow(console.post("/console/users/" + admin + "/delete", Map.of())).then().statusCode(200)
                .body(containsString("<div class=\"flash warning\" role=\"alert\">" + admin
                        + " was not deleted: you cannot delete yourself.</div>"));
        as(admin, PASSWORD).get("/api/admin/users").then().statusCode(200);
    }

    @Test
    void aUsernameThatWouldPassForAnotherInTheAuditLogIsRefused() {
        // logins are case-sensitive, so "Admin" would be a second account that the audit log shows as the admin
        asAdmin().body(Map.of("username", "Admin", "password", PASSWORD, "role", "platform-admin"))
                .post("/api/admin/users").then().statusCode(400).body("errors.field", hasItem("username"));
        // "system" is who the audit log names for Tollgate's own changes
        asAdmin().body(Map.of("username", "System", "password", PASSWORD, "role", "platform-admin"))
                .post("/api/admin/users").then().statusCode(400).body("errors.field", hasItem("username"));
        asAdmin().get("/api/admin/users").then().statusCode(200)
                .body("username", org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasItems("Admin")))
                .body("username", org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasItems("System")));
    }

    /** Two admins creating "Dana" and "dana" at the same moment: one account, never both. */
    @Test
    void namesDifferingOnlyInCapitalsCannotBothBeCreatedAtOnce() throws Exception {
        String name = uniqueSlug("dana");
        List<String> variants = List.of(name, name.toUpperCase(Locale.ROOT), "D" + name.substring(1));
        ExecutorService admins = Executors.newFixedThreadPool(variants.size());
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Integer>> answers = new ArrayList<>();
            for (String variant : variants) {
                answers.add(admins.submit(() -> {
                    go.await();
                    return asAdmin().body(Map.of("username", variant, "password", PASSWORD, "role", "finance"))
                            .post("/api/admin/users").statusCode();
                }));
            }
            go.countDown();
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> a : answers) {
                statuses.add(a.get(60, TimeUnit.SECONDS));
            }
            assertEquals(List.of(201, 400, 400),
                    statuses.stream().sorted().toList(), statuses.toString());
        } finally {
            admins.shutdown();
        }
    }

    @Inject
    BootstrapAdmin bootstrapAdmin;

    @Test
    void aDeletedBootstrapAdminDoesNotComeBackAtTheNextStart() {
        String successor = "successor-" + uniqueSlug("admin");
        createUser(successor, PASSWORD, "platform-admin", null);
        try {
            as(successor, PASSWORD).delete("/api/admin/users/" + ADMIN).then().statusCode(204);
            bootstrapAdmin.onStart(null); // what the next start runs
            as(ADMIN, ADMIN_PASSWORD).get("/api/admin/tenants").then().statusCode(401);
            as(successor, PASSWORD).get("/api/admin/users/" + ADMIN).then().statusCode(404);
        } finally { // the other tests log in as admin
            as(successor, PASSWORD).body(Map.of("username", ADMIN, "password", ADMIN_PASSWORD, "role", "platform-admin"))
                    .post("/api/admin/users").then().statusCode(201);
        }
    }

    @Test
    void unauthenticatedCallsAreRedirectedInTheConsoleAndRefusedOnTheApi() {
        given().redirects().follow(false).get("/console/tenants").then().statusCode(302)
                .header("Location", endsWith("/login"));
        // the API's 401 is a problem like its other errors, and keeps the challenge that tells a client what to send
        given().get("/api/admin/tenants").then().statusCode(401)
                .contentType("application/problem+json").header("WWW-Authenticate", equalTo("Basic realm=\"Tollgate\", charset=\"UTF-8\""))
                .body("status", equalTo(401)).body("detail", containsString("HTTP Basic"));
        given().auth().preemptive().basic("admin", "wrong-password").get("/api/admin/tenants").then().statusCode(401)
                .contentType("application/problem+json").body("instance", equalTo("/api/admin/tenants"))
                .header("WWW-Authenticate", startsWith("Basic"));
        for (String credential : new String[] {"Bearer tg-not-for-the-admin-api", "Basic ", "Basic !!!"}) {
            given().header("Authorization", credential).get("/api/admin/tenants").then()
                    .statusCode(401).contentType("application/problem+json");
        }
    }

    @Test
    void aPathWithSegmentParametersIsNotFound() {
        // no route has them; the console's answer to one used to be none at all
        asAdmin().urlEncodingEnabled(false).get("/api/admin;x=y/users").then().statusCode(404)
                .contentType("application/problem+json");
        given().urlEncodingEnabled(false).redirects().follow(false).get("/console;x=y/tenants").then().statusCode(404);
        ConsoleSession.login(ADMIN, ADMIN_PASSWORD).request().urlEncodingEnabled(false).get("/console/users;x=y")
                .then().statusCode(404);
        // an OpenAI client is answered in its own error format
        given().urlEncodingEnabled(false).get("/v1/models;x=y").then().statusCode(404).contentType("application/json")
                .body("error.type", equalTo("invalid_request_error"));
    }

    @Test
    void wrongPasswordOnTheLoginFormShowsTheError() {
        given().redirects().follow(false).formParam("j_username", "admin").formParam("j_password", "nope")
                .post("/j_security_check").then().statusCode(302).header("Location", containsString("/login?error"));
        given().get("/login?error=true").then().statusCode(200).body(containsString("Wrong username or password"));
    }
}
