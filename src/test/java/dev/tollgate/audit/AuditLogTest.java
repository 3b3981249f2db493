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

import dev.tollgate.pricing.PricingFixtures;
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
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
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
        assertTrue(page.contains("<li><code>displayName</code>: <ins>Tenant " + slug + "</ins></li>"),
                "what the creation set");
    }

    /**
     * A supersede's record after holds three entries, not one: the row shows how the old entry changed and names the
     * new one; a deletion shows what went.
     */
    @Test
    void aSupersedeAndADeletionShowWhatTheyDid() {
        String model = PricingFixtures.createModel(dataSource, "audit");
        Instant from = PricingFixtures.midnightInDays(10);
        int old = asAdmin().body(Map.of("model", model, "tokenClass", "output", "usdPerMillionTokens", "0.5",
                "validFrom", from.toString(), "note", "audit test")).post("/api/admin/prices").then().statusCode(201)
                .extract().path("id");
        Instant next = from.plus(Duration.ofDays(5));
        int created = asAdmin().body(Map.of("from", next.toString(), "usdPerMillionTokens", "0.75", "note",
                "raise announced 2026-11-30T09:00:00Z"))
                .post("/api/admin/prices/" + old + "/supersede").then().statusCode(201).extract().path("created.id");
        asAdmin().delete("/api/admin/prices/" + created).then().statusCode(200);

        ConsoleSession admin = ConsoleSession.login(ADMIN, ADMIN_PASSWORD);
        String history = admin.get("/console/audit?entityType=price_entry&entityId=" + old).then().statusCode(200)
                .extract().asString();
        String nextText = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC).format(next);
        assertTrue(history.contains("<li><code>validUntil</code>: <span class=\"muted\">—</span> → <ins>" + nextText
                + "</ins></li>"),
                "the supersede ended the old entry: " + history);
        assertTrue(history.contains("<li><code>created</code>: <ins>#" + created + "</ins></li>"), "and made one");
        assertTrue(history.contains("<li><code>usdPerMillionTokens</code>: <ins>0.5</ins></li>"), "its creation");
        // in the order the price book writes an entry, not the database's (by key length: the note first)
        assertTrue(history.indexOf("<code>model</code>: <ins>") < history.indexOf("<code>note</code>: <ins>"),
                "model before note");
        assertTrue(!history.contains("<code>state</code>: <ins>"), "the state follows from the dates: not listed");
        String deleted = admin.get("/console/audit?entityType=price_entry&entityId=" + created).then()
                .statusCode(200).extract().asString();
        assertTrue(deleted.contains("<li><code>usdPerMillionTokens</code>: <del>0.75</del></li>"), "what was deleted");
        // an instant is written as the console writes one; free text is shown as recorded, instants in it included
        assertTrue(deleted.contains("<code>note</code>: <del>raise announced 2026-11-30T09:00:00Z</del>"), deleted);
        assertTrue(deleted.contains("<code>validFrom</code>: <del>" + nextText + "</del>"), "an instant");
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
