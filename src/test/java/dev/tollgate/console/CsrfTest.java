package dev.tollgate.console;

import static dev.tollgate.testing.TestData.ADMIN;
import static dev.tollgate.testing.TestData.ADMIN_PASSWORD;
import static dev.tollgate.testing.TestData.asAdmin;
import static dev.tollgate.testing.TestData.createTenant;
import static dev.tollgate.testing.TestData.uniqueSlug;
import static org.hamcrest.Matchers.equalTo;

import dev.tollgate.testing.ConsoleSession;
import dev.tollgate.testing.PostgresResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(PostgresResource.class)
class CsrfTest {

    @Test
    void aFormPostWithoutTheTokenIsRefusedAndChangesNothing() {
        String slug = createTenant(uniqueSlug("csrf"));
        ConsoleSession console = ConsoleSession.login(ADMIN, ADMIN_PASSWORD);
        console.postWithoutToken("/console/tenants/" + slug + "/status", Map.of("status", "SUSPENDED"))
                .then().statusCode(400);
        asAdmin().get("/api/admin/tenants/" + slug).then().body("status", equalTo("ACTIVE"));

        console.post("/console/tenants/" + slug + "/status", Map.of("status", "SUSPENDED")).then().statusCode(303);
        asAdmin().get("/api/admin/tenants/" + slug).then().body("status", equalTo("SUSPENDED"));
    }

    @Test
    void aForgedTokenIsRefused() {
        ConsoleSession console = ConsoleSession.login(ADMIN, ADMIN_PASSWORD);
        String slug = uniqueSlug("forged");
        console.request().contentType("application/x-www-form-urlencoded")
                .formParams(Map.of("slug", slug, "displayName", "Forged", "csrf-token", "not-the-token"))
                .post("/console/tenants").then().statusCode(400);
        asAdmin().get("/api/admin/tenants/" + slug).then().statusCode(404);
    }
}
