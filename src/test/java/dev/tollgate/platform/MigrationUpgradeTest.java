package dev.tollgate.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
            execute(db, "alter table price_entry drop column supersedes_entry_id",
                    "delete from flyway_schema_history where script like 'V013%'");
            migrate(db);
            try (Connection c = DriverManager.getConnection(db.url(), TestPostgres.USER, TestPostgres.PASSWORD);
                    Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("select count(*) from information_schema.columns"
                            + " where table_name = 'price_entry' and column_name = 'supersedes_entry_id'")) {
                assertTrue(rs.next());
                assertEquals(1, rs.getInt(1), "V013 applied on the upgrade");
            }
        }
    }

    /** V032 makes alias names unique ignoring case; a database that already breaks that is told which pair. */
    @Test
    void aliasesDifferingOnlyInCapitalsStopTheUpgradeNamingThem() throws Exception {
        try (TestPostgres db = TestPostgres.start()) {
            execute(db, "drop index model_alias_name_ignoring_case_key",
                    "delete from flyway_schema_history where script like 'V032%'",
                    "insert into model_alias (alias, target_model, deprecated_at, sunset_at, mode,"
                            + " replacement_model) values ('Deepseek-Chat', 'deepseek-v4-flash', now(), now(), 'rewrite',"
                            + " 'deepseek-v4-flash')");
            Exception refused = assertThrows(Exception.class, () -> migrate(db));
            assertTrue(String.valueOf(refused.getMessage()).contains(
                    "Model aliases that differ only in capitals: Deepseek-Chat and deepseek-chat."), refused.getMessage());
        }
    }

    /** Turns the freshly migrated database into an older one. */
    private static void execute(TestPostgres db, String... statements) throws Exception {
        try (Connection c = DriverManager.getConnection(db.url(), TestPostgres.USER, TestPostgres.PASSWORD);
                Statement st = c.createStatement()) {
            for (String sql : statements) {
                st.execute(sql);
            }
        }
    }

    /** Flyway as application.properties configures it for the app. */
    private void migrate(TestPostgres db) throws Exception {
        Properties app = new Properties();
        try (InputStream in = getClass().getResourceAsStream("/application.properties")) {
            app.load(in);
        }
        Flyway.configure().dataSource(db.url(), TestPostgres.USER, TestPostgres.PASSWORD)
                .locations("classpath:db/migration")
                .outOfOrder(Boolean.parseBoolean(app.getProperty("quarkus.flyway.out-of-order", "false")))
                .load().migrate();
    }
}
