package dev.tollgate.security;

import static dev.tollgate.testing.TestData.as;
import static dev.tollgate.testing.TestData.asAdmin;
import static dev.tollgate.testing.TestData.createTenant;
import static dev.tollgate.testing.TestData.createUser;
import static dev.tollgate.testing.TestData.uniqueSlug;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tollgate.testing.Management;
import dev.tollgate.testing.PostgresResource;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Local mode's password check: bcrypt once, then the remembered check, never past a change of the user. */
@QuarkusTest
@QuarkusTestResource(PostgresResource.class)
class PasswordCheckTest {

    static final String PASSWORD = "password-check-test";

    @Inject
    AgroalDataSource dataSource;

    @Test
    void aPasswordIsCheckedWithBcryptOnceAndThenRemembered() {
        String slug = createTenant(uniqueSlug("pwc"));
        String user = "fin-" + slug;
        createUser(user, PASSWORD, "finance", null);
        Map<String, Double> before = checks();
        for (int i = 0; i < 3; i++) {
            as(user, PASSWORD).get("/api/admin/tenants/" + slug).then().statusCode(200);
        }
        Map<String, Double> after = checks();
        assertEquals(1, after.get("verified") - before.get("verified"), "bcrypt checks");
        assertEquals(2, after.get("remembered") - before.get("remembered"), "remembered checks");
    }

    @Test
    void aWrongPasswordIsRefusedEveryTimeEvenRightAfterTheRightOne() {
        String user = "fin-" + uniqueSlug("pwc");
        createUser(user, PASSWORD, "finance", null);
        Map<String, Double> before = checks();
        as(user, PASSWORD).get("/api/admin/tenants").then().statusCode(200);
        as(user, PASSWORD + "x").get("/api/admin/tenants").then().statusCode(401);
        as(user, PASSWORD.substring(1)).get("/api/admin/tenants").then().statusCode(401);
        as(user, PASSWORD + "x").get("/api/admin/tenants").then().statusCode(401);
        as(user, PASSWORD).get("/api/admin/tenants").then().statusCode(200);
        Map<String, Double> after = checks();
        assertEquals(3, after.get("refused") - before.get("refused"), "refused checks");
        assertEquals(1, after.get("remembered") - before.get("remembered"), "remembered checks");
    }

    @Test
    void aNameNoUserHasIsRefusedAfterAFullCheck() {
        Map<String, Double> before = checks();
        as("nobody-" + uniqueSlug("pwc"), PASSWORD).get("/api/admin/tenants").then().statusCode(401);
        assertEquals(1, checks().get("refused") - before.get("refused"), "refused checks");
    }

    @Test
    void aRoleChangedWhileThePasswordIsRememberedAppliesAtTheNextCall() throws Exception {
        String mine = createTenant(uniqueSlug("pwc"));
        String other = createTenant(uniqueSlug("pwc"));
        String user = "ta-" + mine;
        createUser(user, PASSWORD, "tenant-admin", mine);
        as(user, PASSWORD).get("/api/admin/tenants/" + other).then().statusCode(404);
        // changed in the database, as another replica or an operator would: the stored hash stays the same
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "update app_user set role = 'finance', tenant_id = null where username = ?")) {
            ps.setString(1, user);
            assertEquals(1, ps.executeUpdate());
        }
        Map<String, Double> before = checks();
        as(user, PASSWORD).get("/api/admin/tenants/" + other).then().statusCode(200);
        assertEquals(1, checks().get("remembered") - before.get("remembered"), "the password was remembered");
    }

    @Test
    void aRememberedPasswordStopsWorkingTheMomentItsUserIsDeletedOrMadeAgain() {
        String mine = createTenant(uniqueSlug("pwc"));
        String other = createTenant(uniqueSlug("pwc"));
        String user = "ta-" + mine;
        createUser(user, PASSWORD, "tenant-admin", mine);
        as(user, PASSWORD).get("/api/admin/tenants/" + mine).then().statusCode(200);
        as(user, PASSWORD).get("/api/admin/tenants/" + other).then().statusCode(404);

        asAdmin().delete("/api/admin/users/" + user).then().statusCode(204);
        as(user, PASSWORD).get("/api/admin/tenants/" + mine).then().statusCode(401);

        // made again with the same password, as finance: a new hash, so bcrypt checks it again
        createUser(user, PASSWORD, "finance", null);
        Map<String, Double> before = checks();
        as(user, PASSWORD).get("/api/admin/tenants/" + other).then().statusCode(200);
        assertEquals(1, checks().get("verified") - before.get("verified"), "checked with bcrypt again");

        // and with a new password: the one remembered a moment ago is refused
        asAdmin().delete("/api/admin/users/" + user).then().statusCode(204);
        createUser(user, PASSWORD + "-new", "finance", null);
        as(user, PASSWORD).get("/api/admin/tenants/" + other).then().statusCode(401);
        as(user, PASSWORD + "-new").get("/api/admin/tenants/" + other).then().statusCode(200);
    }

    private static Map<String, Double> checks() {
        Matcher m = Pattern.compile("(?m)^tollgate_auth_password_checks_total\\{result=\"(\\w+)\"} (\\S+)$")
                .matcher(Management.metrics());
        Map<String, Double> found = new HashMap<>();
        while (m.find()) {
            found.put(m.group(1), Double.parseDouble(m.group(2)));
        }
        assertEquals(3, found.size(), "the three results of tollgate_auth_password_checks_total: " + found);
        return found;
    }
}
