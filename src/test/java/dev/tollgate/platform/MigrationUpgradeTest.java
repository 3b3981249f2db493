package dev.tollgate.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.ledger.TestPostgres;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Properties;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/**
 * Migrations are numbered by feature (V010s prices, V020s ledger, V030s aliases), so a feature's new migration
 * can be numbered below one a database already has. A database from before it must still take it at the next
 * start, with Flyway configured as application.properties configures it for the app.
 */
class MigrationUpgradeTest {

    @Test
    void aDatabaseFromBeforeAFeaturesLaterMigrationTakesItAtTheNextStart() throws Exception {
        try (TestPostgres db = TestPostgres.start()) {
            // as a database left by a build without V013, whose V031 is applied
            try (Connection c = DriverManager.getConnection(db.url(), TestPostgres.USER, TestPostgres.PASSWORD);
                    Statement st = c.createStatement()) {
                st.execute("alter table price_entry drop column supersedes_entry_id");
                st.execute("delete from flyway_schema_history where script like 'V013%'");
            }
            Properties app = new Properties();
            try (InputStream in = getClass().getResourceAsStream("/application.properties")) {
                app.load(in);
            }
            Flyway.configure().dataSource(db.url(), TestPostgres.USER, TestPostgres.PASSWORD)
                    .locations("classpath:db/migration")
                    .outOfOrder(Boolean.parseBoolean(app.getProperty("quarkus.flyway.out-of-order", "false")))
                    .load().migrate();
            try (Connection c = DriverManager.getConnection(db.url(), TestPostgres.USER, TestPostgres.PASSWORD);
                    Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("select count(*) from information_schema.columns"
                            + " where table_name = 'price_entry' and column_name = 'supersedes_entry_id'")) {
                assertTrue(rs.next());
                assertEquals(1, rs.getInt(1), "V013 applied on the upgrade");
            }
        }
    }
}
