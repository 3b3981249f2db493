package dev.tollgate.security;

import static dev.tollgate.testing.TestData.ADMIN;
import static dev.tollgate.testing.TestData.ADMIN_PASSWORD;
import static dev.tollgate.testing.TestData.as;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Two platform admins deleting each other at the same moment must not leave an instance nobody can
 * administer. Its own profile, so its own database: here the admins below are the only ones.
 */
@QuarkusTest
@TestProfile(LastPlatformAdminTest.OwnDatabase.class)
class LastPlatformAdminTest {

    public static class OwnDatabase implements QuarkusTestProfile {
    }

    @Inject
    AgroalDataSource dataSource;

    @Test
    void twoAdminsDeletingEachOtherAtOnceLeaveOneOfThem() throws Exception {
        assertEquals(List.of(ADMIN), platformAdmins());
        String[] survivor = {ADMIN, ADMIN_PASSWORD};
        ExecutorService clients = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 5; round++) {
                String[] one = survivor;
                String[] other = {"second-admin-" + round, "second-admin-password-" + round};
                as(one[0], one[1]).body(Map.of("username", other[0], "password", other[1], "role", "platform-admin"))
                        .post("/api/admin/users").then().statusCode(201);
                CountDownLatch go = new CountDownLatch(1);
                Future<Integer> oneDeletes = clients.submit(() -> {
                    go.await();
                    return as(one[0], one[1]).delete("/api/admin/users/" + other[0]).statusCode();
                });
                Future<Integer> otherDeletes = clients.submit(() -> {
                    go.await();
                    return as(other[0], other[1]).delete("/api/admin/users/" + one[0]).statusCode();
                });
                go.countDown();
                int first = oneDeletes.get(60, TimeUnit.SECONDS);
                int second = otherDeletes.get(60, TimeUnit.SECONDS);
                // the loser is refused as the last admin (400), or no longer signs in at all (401)
                assertEquals(1, (first == 204 ? 1 : 0) + (second == 204 ? 1 : 0), "statuses " + first + ", " + second);
                survivor = first == 204 ? one : other;
                assertEquals(List.of(survivor[0]), platformAdmins(), "round " + round);
            }
        } finally {
            clients.shutdownNow();
        }
        // alone, the survivor cannot be deleted by anyone: there is nobody else to ask, and not itself
        as(survivor[0], survivor[1]).delete("/api/admin/users/" + survivor[0]).then().statusCode(400);
        // leave the instance as found, for this class's other test whatever the order
        if (!survivor[0].equals(ADMIN)) {
            as(survivor[0], survivor[1]).body(Map.of("username", ADMIN, "password", ADMIN_PASSWORD,
                    "role", "platform-admin")).post("/api/admin/users").then().statusCode(201);
            as(ADMIN, ADMIN_PASSWORD).delete("/api/admin/users/" + survivor[0]).then().statusCode(204);
        }
    }

    @Test
    void theBootstrapAdminsCreationIsAudited() {
        // the first creation of admin, whatever the other test did to it since
        as(ADMIN, ADMIN_PASSWORD).get("/api/admin/audit?entityType=user&entityId=admin&size=100").then().statusCode(200)
                .body("findAll { it.action == 'user.create' }.last().actor", equalTo("system"))
                .body("findAll { it.action == 'user.create' }.last().after.role", equalTo("platform-admin"));
    }

    private List<String> platformAdmins() throws Exception {
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select username from app_user where role = 'platform-admin'")) {
            List<String> names = new ArrayList<>();
            while (rs.next()) {
                names.add(rs.getString(1));
            }
            return names;
        }
    }
}
