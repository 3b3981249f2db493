package dev.tollgate.tenant;

import static dev.tollgate.testing.TestData.as;
import static dev.tollgate.testing.TestData.asAdmin;
import static dev.tollgate.testing.TestData.createTenant;
import static dev.tollgate.testing.TestData.createUser;
import static dev.tollgate.testing.TestData.issueKey;
import static dev.tollgate.testing.TestData.uniqueSlug;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.testing.ConsoleSession;
import dev.tollgate.testing.PostgresResource;
import dev.tollgate.testing.Routes;
import dev.tollgate.testing.Routes.Route;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A tenant-admin of tenant A tries every admin-API route and every console route on tenant B's objects.
 * Each must answer 404 or 403, show nothing of B, and change nothing of B.
 */
@QuarkusTest
@QuarkusTestResource(PostgresResource.class)
class TenantIsolationTest {

    static final String PASSWORD = "tenant-admin-password";
    static final Map<String, Object> FORM = Map.of("displayName", "Hijacked", "name", "hijack", "status", "SUSPENDED",
            "username", "hijacker", "password", "hijacker-password", "role", "platform-admin", "graceUntil", "");

    String slugA;
    String slugB;
    String userA;
    String userB;
    String keyB;
    String nameB;

    @BeforeEach
    void twoTenants() {
        slugA = createTenant(uniqueSlug("iso-a"));
        slugB = uniqueSlug("iso-b");
        nameB = "Secret Corp " + java.util.UUID.randomUUID();
        asAdmin().body(Map.of("slug", slugB, "displayName", nameB, "billingEmail", "ap@secret.test"))
                .post("/api/admin/tenants").then().statusCode(201);
        userA = "admin-of-" + slugA;
        userB = "admin-of-" + slugB;
        createUser(userA, PASSWORD, "tenant-admin", slugA);
        createUser(userB, PASSWORD, "tenant-admin", slugB);
        issueKey(slugA);
        keyB = issueKey(slugB).split("-")[1];
    }

    @Test
    void everyAdminApiRouteRefusesTheOtherTenant() {
        List<Route> routes = Routes.under("/api/admin");
        assertTrue(routes.size() >= 15, "expected the whole admin API, found " + routes);
        List<String> failures = new ArrayList<>();
        for (Route r : routes) {
            String path = target(r);
            Response res = as(userA, PASSWORD).body(bodyFor(r)).request(r.method(), path);
            boolean scoped = r.path().contains("{");
            boolean refused = res.statusCode() == 404 || res.statusCode() == 403;
            if ((scoped && !refused) || leaks(res)) {
                failures.add(r + " -> " + res.statusCode() + " " + res.asString());
            }
        }
        assertTrue(failures.isEmpty(), "tenant B leaked or changed through: " + failures);
        assertTenantBUntouched();
    }

    @Test
    void everyConsoleRouteRefusesTheOtherTenant() {
        List<Route> routes = Routes.under("/console");
        assertTrue(routes.size() >= 15, "expected every console page, found " + routes);
        ConsoleSession session = ConsoleSession.login(userA, PASSWORD);
        List<String> failures = new ArrayList<>();
        for (Route r : routes) {
            if (r.path().equals("/console/logout")) {
                continue; // names no tenant, and would end the session the other routes are called with
            }
            String path = target(r);
            Response res = r.method().equals("GET") ? session.get(path) : session.post(path, FORM);
            boolean scoped = r.path().contains("{");
            boolean refused = res.statusCode() == 404 || res.statusCode() == 403;
            if ((scoped && !refused) || leaks(res)) {
                failures.add(r + " -> " + res.statusCode());
            }
        }
        assertTrue(failures.isEmpty(), "tenant B leaked or changed through: " + failures);
        assertTenantBUntouched();
    }

    @Test
    void theTenantAdminSeesAndManagesItsOwnTenant() {
        as(userA, PASSWORD).get("/api/admin/tenants").then().statusCode(200)
                .body("items", hasSize(1)).body("items[0].slug", equalTo(slugA));
        as(userA, PASSWORD).body(Map.of("name", "own key")).post("/api/admin/tenants/" + slugA + "/keys")
                .then().statusCode(201);
        ConsoleSession session = ConsoleSession.login(userA, PASSWORD);
        String page = session.get("/console/tenants").asString();
        assertTrue(page.contains(slugA));
        assertFalse(page.contains(slugB));
        session.get("/console/tenants/" + slugA).then().statusCode(200);
    }

    /** B's data that A never sent: its name and billing email (the slug A typed into the URL may be echoed). */
    private boolean leaks(Response res) {
        String body = res.asString();
        return body.contains(nameB) || body.contains("ap@secret.test");
    }

    /**
     * A body the route takes (it refuses fields it does not have), so that a refusal is the tenant check's and
     * not the body's: a 400 counts as a failure.
     */
    private static Map<String, Object> bodyFor(Route r) {
        String path = r.path();
        if (path.endsWith("/keys")) {
            return Map.of("name", "hijack");
        }
        if (path.contains("/alias-overrides/")) {
            return Map.of("mode", "rewrite");
        }
        if (path.startsWith("/api/admin/users")) {
            return Map.of("username", "hijacker", "password", "hijacker-password", "role", "platform-admin");
        }
        if (path.startsWith("/api/admin/tenants") && !path.contains("/keys/")) {
            return Map.of("slug", "hijack", "displayName", "Hijacked");
        }
        return Map.of(); // rotate (no grace), and the platform-admin-only aliases and prices
    }

    private String target(Route r) {
        return r.with("slug", slugB).replace("{publicId}", keyB).replace("{username}", userB)
                .replaceAll("\\{[^}]+}", "1");
    }

    private void assertTenantBUntouched() {
        asAdmin().get("/api/admin/tenants/" + slugB).then().statusCode(200)
                .body("displayName", equalTo(nameB)).body("status", equalTo("ACTIVE"));
        asAdmin().get("/api/admin/tenants/" + slugB + "/keys").then().statusCode(200)
                .body("", hasSize(1)).body("[0].status", equalTo("ACTIVE"));
        asAdmin().get("/api/admin/users/" + userB).then().statusCode(200);
        asAdmin().get("/api/admin/users/hijacker").then().statusCode(404);
    }
}
