package dev.tollgate.testing;

import static io.restassured.RestAssured.given;

import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.util.Map;
import java.util.UUID;

/** Helpers that set up tenants, keys and users through the admin API, as an admin would. */
public final class TestData {

    public static final String ADMIN = "admin";
    public static final String ADMIN_PASSWORD = "test-admin-password";

    private TestData() {
    }

    public static RequestSpecification asAdmin() {
        return as(ADMIN, ADMIN_PASSWORD);
    }

    public static RequestSpecification as(String user, String password) {
        return given().auth().preemptive().basic(user, password).contentType(ContentType.JSON);
    }

    public static String uniqueSlug(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    public static String createTenant(String slug) {
        asAdmin().body(Map.of("slug", slug, "displayName", "Tenant " + slug, "billingEmail", "billing@" + slug + ".test"))
                .post("/api/admin/tenants").then().statusCode(201);
        return slug;
    }

    /** Issues a key and returns the full key, shown only in this answer. */
    public static String issueKey(String slug, Map<String, Object> body) {
        return asAdmin().body(body).post("/api/admin/tenants/" + slug + "/keys")
                .then().statusCode(201).extract().path("key");
    }

    public static String issueKey(String slug) {
        return issueKey(slug, Map.of("name", "test key"));
    }

    public static void createUser(String username, String password, String role, String tenantSlug) {
        Map<String, Object> body = tenantSlug == null
                ? Map.of("username", username, "password", password, "role", role)
                : Map.of("username", username, "password", password, "role", role, "tenantSlug", tenantSlug);
        asAdmin().body(body).post("/api/admin/users").then().statusCode(201);
    }
}
