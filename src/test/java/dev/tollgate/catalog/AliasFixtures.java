package dev.tollgate.catalog;

import static dev.tollgate.testing.TestData.asAdmin;

import io.agroal.api.AgroalDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Aliases of the tests' own (named test-…), removed after each test so /v1/models stays as seeded. */
final class AliasFixtures {

    static final String PREFIX = "test-";

    private AliasFixtures() {
    }

    static String uniqueAlias(String name) {
        return PREFIX + name + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static Map<String, Object> alias(String alias, String mode, Instant sunsetAt) {
        Map<String, Object> body = new HashMap<>();
        body.put("alias", alias);
        body.put("targetModel", "deepseek-v4-flash");
        body.put("impliedParams", Map.of("thinking", Map.of("type", "disabled")));
        body.put("deprecatedAt", sunsetAt.minusSeconds(86_400 * 90).toString());
        body.put("sunsetAt", sunsetAt.toString());
        body.put("mode", mode);
        return body;
    }

    static String create(Map<String, Object> body) {
        asAdmin().body(body).post("/api/admin/aliases").then().statusCode(201);
        return (String) body.get("alias");
    }

    static void deleteTestAliases() {
        List<String> aliases = asAdmin().get("/api/admin/aliases").then().statusCode(200).extract().path("alias");
        aliases.stream().filter(a -> a.startsWith(PREFIX))
                .forEach(a -> asAdmin().delete("/api/admin/aliases/" + a).then().statusCode(204));
    }

    static long tenantId(AgroalDataSource dataSource, String slug) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("select id from tenant where slug = ?")) {
            ps.setString(1, slug);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
