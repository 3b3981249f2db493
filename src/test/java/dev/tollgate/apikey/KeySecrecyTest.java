package dev.tollgate.apikey;

import static dev.tollgate.testing.TestData.asAdmin;
import static dev.tollgate.testing.TestData.createTenant;
import static dev.tollgate.testing.TestData.issueKey;
import static dev.tollgate.testing.TestData.uniqueSlug;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.testing.PostgresResource;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The full key is shown once and then exists nowhere: not in any table, not in the log, not on a later page. */
@QuarkusTest
@QuarkusTestResource(PostgresResource.class)
class KeySecrecyTest {

    @Inject
    AgroalDataSource dataSource;

    @Test
    void noColumnAndNoLogLineContainsTheSecret() throws Exception {
        String slug = createTenant(uniqueSlug("secret"));
        String key = issueKey(slug);
        String rotated = asAdmin().body("{}").post("/api/admin/tenants/" + slug + "/keys/" + key.split("-")[1] + "/rotate")
                .then().statusCode(200).extract().path("key");
        given().header("Authorization", "Bearer " + rotated).get("/v1/models").then().statusCode(200);
        given().header("Authorization", "Bearer " + key).get("/v1/models").then().statusCode(401);

        for (String full : List.of(key, rotated)) {
            String secret = full.substring(full.lastIndexOf('-') + 1);
            String secretHexOfText = HexFormat.of().formatHex(secret.getBytes());
            List<String> hits = columnsContaining(secret, secretHexOfText);
            assertTrue(hits.isEmpty(), "secret found in " + hits);
            // every log file, the rotated ones too: the file may have rolled over since the key was issued
            try (var logs = Files.newDirectoryStream(Path.of("target"), "quarkus-test.log*")) {
                for (Path file : logs) {
                    assertFalse(Files.readString(file, java.nio.charset.StandardCharsets.ISO_8859_1).contains(secret),
                            "secret found in " + file);
                }
            }
            String keysPage = asAdmin().get("/api/admin/tenants/" + slug + "/keys").asString();
            assertFalse(keysPage.contains(secret), "secret shown again by the admin API");
        }
    }

    @Test
    void answersThatCarryTheFullKeyMayNotBeCached() {
        String slug = createTenant(uniqueSlug("nostore"));
        String key = asAdmin().body(java.util.Map.of("name", "k")).post("/api/admin/tenants/" + slug + "/keys")
                .then().statusCode(201).header("Cache-Control", "no-store").extract().path("key");
        asAdmin().body("{}").post("/api/admin/tenants/" + slug + "/keys/" + key.split("-")[1] + "/rotate")
                .then().statusCode(200).header("Cache-Control", "no-store");
    }

    @Test
    void theStoredHashIsTheSha256OfTheSecret() throws Exception {
        String key = issueKey(createTenant(uniqueSlug("hash")));
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("select secret_sha256 from api_key where public_id = ?")) {
            ps.setString(1, key.split("-")[1]);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                assertEquals(HexFormat.of().formatHex(KeyFormat.sha256(key.split("-")[2])),
                        HexFormat.of().formatHex(rs.getBytes(1)));
            }
        }
        assertEquals(84, key.length(), "tg- + 16 hex public id + - + 64 hex (256-bit) secret");
    }

    /** Every column of every table, read as text (bytea as hex), searched for the secret. */
    private List<String> columnsContaining(String secret, String secretHex) throws Exception {
        List<String> hits = new ArrayList<>();
        try (Connection c = dataSource.getConnection()) {
            List<String[]> columns = new ArrayList<>();
            try (ResultSet rs = c.createStatement().executeQuery("""
                    select table_name, column_name from information_schema.columns
                    where table_schema = 'public'""")) {
                while (rs.next()) {
                    columns.add(new String[] {rs.getString(1), rs.getString(2)});
                }
            }
            for (String[] col : columns) {
                String sql = "select count(*) from \"" + col[0] + "\" where \"" + col[1] + "\"::text like ? or \""
                        + col[1] + "\"::text like ?";
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    ps.setString(1, "%" + secret + "%");
                    ps.setString(2, "%" + secretHex + "%");
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        if (rs.getLong(1) > 0) {
                            hits.add(col[0] + "." + col[1]);
                        }
                    }
                }
            }
        }
        return hits;
    }
}
