package dev.tollgate.platform;

import static dev.tollgate.testing.TestData.asAdmin;
import static dev.tollgate.testing.TestData.createTenant;
import static dev.tollgate.testing.TestData.issueKey;
import static dev.tollgate.testing.TestData.uniqueSlug;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tollgate.testing.PostgresResource;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * A change committed by another instance (here: plain SQL, which is how its commit looks from this one) applies
 * here at once, although this instance's caches would keep the old state for an hour.
 */
@QuarkusTest
@QuarkusTestResource(PostgresResource.class)
@TestProfile(ChangesMadeElsewhereTest.HourLongCaches.class)
class ChangesMadeElsewhereTest {

    public static class HourLongCaches implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("tollgate.keys.cache-ttl", "1h", "tollgate.aliases.reload-every", "1h");
        }
    }

    private static final String CHAT = "{\"model\":\"deepseek-chat\",\"max_tokens\":4,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    @Inject
    AgroalDataSource dataSource;

    @Test
    void aKeyRevokedElsewhereIsRefusedHere() throws Exception {
        String key = issueKey(createTenant(uniqueSlug("elsewhere-key")));
        assertEquals(200, models(key)); // now cached here
        sql("update api_key set revoked_at = now() where public_id = ?", publicId(key));
        assertEquals(401, awaitStatus(() -> models(key), 401));
    }

    @Test
    void aTenantSuspendedElsewhereIsRefusedHere() throws Exception {
        String slug = createTenant(uniqueSlug("elsewhere-tenant"));
        String key = issueKey(slug);
        assertEquals(200, models(key));
        sql("update tenant set status = 'SUSPENDED' where slug = ?", slug);
        assertEquals(401, awaitStatus(() -> models(key), 401));
    }

    @Test
    void anAliasModeSetElsewhereAppliesHere() throws Exception {
        String slug = createTenant(uniqueSlug("elsewhere-alias"));
        String key = issueKey(slug);
        asAdmin().contentType("application/json").body("{\"mode\":\"rewrite\"}")
                .put("/api/admin/tenants/" + slug + "/alias-overrides/deepseek-chat").then().statusCode(200);
        assertEquals(200, chat(key));
        sql("update alias_tenant_override set mode = 'reject-after-sunset'"
                + " where alias = 'deepseek-chat' and tenant_id = (select id from tenant where slug = ?)", slug);
        assertEquals(410, awaitStatus(() -> chat(key), 410), "deepseek-chat's sunset has passed");
    }

    private static int models(String key) {
        return bearer(key).get("/v1/models").statusCode();
    }

    private static int chat(String key) {
        return bearer(key).contentType("application/json").body(CHAT).post("/v1/chat/completions").statusCode();
    }

    private static RequestSpecification bearer(String key) {
        return given().header("Authorization", "Bearer " + key);
    }

    /** The change travels through the database: a moment, not the hour the caches would wait. */
    private static int awaitStatus(Supplier<Integer> call, int expected) throws InterruptedException {
        int status = call.get();
        for (int i = 0; i < 100 && status != expected; i++) {
            Thread.sleep(100);
            status = call.get();
        }
        return status;
    }

    private static String publicId(String key) {
        return key.split("-")[1];
    }

    private void sql(String statement, String parameter) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(statement)) {
            ps.setString(1, parameter);
            assertEquals(1, ps.executeUpdate(), statement);
        }
    }
}
