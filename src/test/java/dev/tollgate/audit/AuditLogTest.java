package dev.tollgate.audit;

import static dev.tollgate.testing.TestData.ADMIN;
import static dev.tollgate.testing.TestData.ADMIN_PASSWORD;
import static dev.tollgate.testing.TestData.asAdmin;
import static dev.tollgate.testing.TestData.createTenant;
import static dev.tollgate.testing.TestData.issueKey;
import static dev.tollgate.testing.TestData.uniqueSlug;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.testing.ConsoleSession;
import dev.tollgate.testing.PostgresResource;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Tag;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
@Tag("external-db")
@QuarkusTestResource(PostgresResource.class)
class AuditLogTest {

    @Inject
    AgroalDataSource dataSource;

    @Test
    void changesAreRecordedWithWhoWhatBeforeAfterAndIp() {
        String slug = createTenant(uniqueSlug("audited"));
        asAdmin().body(Map.of("displayName", "Renamed Ltd")).put("/api/admin/tenants/" + slug).then().statusCode(200);
        String key = issueKey(slug);

        JsonPath audit = asAdmin().get("/api/admin/audit?size=50").then().statusCode(200).extract().jsonPath();
        List<Map<String, Object>> mine = audit.getList("findAll { it.entityId == '" + slug + "' }");
        assertEquals(List.of("tenant.update", "tenant.create"), mine.stream().map(e -> e.get("action")).toList());
        Map<String, Object> update = mine.get(0);
        assertEquals("admin", update.get("actor"));
        assertTrue(update.get("actorIp").toString().contains("127.0.0.1"));
        assertEquals("Tenant " + slug, ((Map<?, ?>) update.get("before")).get("displayName"));
        assertEquals("Renamed Ltd", ((Map<?, ?>) update.get("after")).get("displayName"));
        String publicId = key.split("-")[1];
        assertEquals("key.issue", audit.getString("find { it.entityId == '" + publicId + "' }.action"));
        // a key's entry says whose key it is: nothing else in it names the tenant
        assertEquals(slug, audit.getString("find { it.entityId == '" + publicId + "' }.tenant"));

        ConsoleSession.login(ADMIN, ADMIN_PASSWORD).get("/console/audit").then().statusCode(200)
                .body(containsString("tenant.update"))
                .body(containsString("<a href=\"/console/tenants/" + slug + "\">" + slug + "</a>"));
    }

    /** "What happened to this tenant?" is one object's history, with each edit's changed fields up front. */
    @Test
    void oneObjectsHistoryIsListedWithWhatEachEditChanged() {
        String slug = createTenant(uniqueSlug("history"));
        asAdmin().body(Map.of("displayName", "Renamed Ltd")).put("/api/admin/tenants/" + slug).then().statusCode(200);
        createTenant(uniqueSlug("other"));
        asAdmin().post("/api/admin/tenants/" + slug + "/suspend").then().statusCode(200);

        asAdmin().queryParam("entityType", "tenant").queryParam("entityId", slug).get("/api/admin/audit")
                .then().statusCode(200)
                .body("action", contains("tenant.suspended", "tenant.update", "tenant.create"));
        asAdmin().queryParam("entityId", slug).queryParam("action", "tenant.up").get("/api/admin/audit")
                .then().statusCode(200).body("action", contains("tenant.update"));
        // a wildcard in the filter is a character to match, not a pattern
        asAdmin().queryParam("action", "%").get("/api/admin/audit").then().statusCode(200).body("size()", is(0));

        String page = ConsoleSession.login(ADMIN, ADMIN_PASSWORD)
                .get("/console/audit?entityType=tenant&entityId=" + slug).then().statusCode(200).extract().asString();
        assertEquals(3, page.split("<tr>").length - 2, "this tenant's three entries, under the header row");
        assertTrue(page.contains("<li><code>displayName</code>: <del>Tenant " + slug
                + "</del> → <ins>Renamed Ltd</ins></li>"), "the edit's one changed field");
        assertTrue(page.contains("<li><code>status</code>: <del>ACTIVE</del> → <ins>SUSPENDED</ins></li>"),
                "suspension");
        assertTrue(page.contains("<summary>Created: full record</summary>"), "the creation");
    }

    @Test
    void theAuditTableRefusesUpdatesAndDeletes() throws SQLException {
        createTenant(uniqueSlug("appendonly"));
        try (Connection c = dataSource.getConnection()) {
            assertThrows(SQLException.class, () -> c.createStatement().executeUpdate("update audit_log set actor = 'x'"));
            assertThrows(SQLException.class, () -> c.createStatement().executeUpdate("delete from audit_log"));
        }
    }
}
