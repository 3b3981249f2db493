package dev.tollgate.pricing;

import static dev.tollgate.pricing.PricingFixtures.createModel;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.testing.PostgresResource;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * The database's own guard, for writes that bypass the service (a console bug, a hand-written SQL fix):
 * what an entry said about the past never changes. Every statement runs in a transaction rolled back.
 */
@QuarkusTest
@QuarkusTestResource(PostgresResource.class)
class PriceEntryDatabaseGuardTest {

    /** Seeded Pro output at the promotion price, ended 2026-05-31 15:59 UTC. */
    static final String ENDED = "(select id from price_entry where model = 'deepseek-v4-pro' and token_class = 'output'"
            + " and valid_from = '2026-04-24 00:00+00')";
    /** Seeded Flash cache miss, in force since launch and open-ended. */
    static final String OPEN = "(select id from price_entry where model = 'deepseek-v4-flash'"
            + " and token_class = 'input_cache_miss' and valid_from = '2026-04-24 00:00+00')";

    @Inject
    AgroalDataSource dataSource;

    private int run(String... sql) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                int rows = 0;
                for (String q : sql) {
                    rows += s.executeUpdate(q);
                }
                return rows;
            } finally {
                c.rollback();
            }
        }
    }

    private void refused(String sql, String message) {
        SQLException e = assertThrows(SQLException.class, () -> run(sql), sql);
        assertTrue(e.getMessage().contains(message), e.getMessage());
        assertTrue(e.getSQLState().startsWith("23"), "an integrity violation, state " + e.getSQLState());
    }

    @Test
    void anEntryThatWasInForceCannotBeRepricedOrRewritten() {
        refused("update price_entry set usd_per_million_tokens = 0 where id = " + ENDED, "has been in force since");
        refused("update price_entry set usd_per_million_tokens = 0 where id = " + OPEN, "has been in force since");
        refused("update price_entry set note = 'edited' where id = " + OPEN, "has been in force since");
        refused("update price_entry set valid_from = '2026-05-01 00:00+00' where id = " + OPEN, "has been in force since");
        refused("update price_entry set window_start = '16:30', window_end = '00:30' where id = " + OPEN,
                "has been in force since");
    }

    @Test
    void anEntryThatWasInForceCannotBeDeletedOrTruncated() {
        refused("delete from price_entry where id = " + ENDED, "never deleted");
        refused("delete from price_entry where id = " + OPEN, "never deleted");
        refused("truncate price_entry", "cannot be truncated");
    }

    @Test
    void itsEndMayOnlyMoveWithinTheFuture() throws SQLException {
        // Closing an open-ended entry in force at a future instant is how a price is superseded.
        assertEquals(1, run("update price_entry set valid_until = now() + interval '1 day' where id = " + OPEN));
        refused("update price_entry set valid_until = now() - interval '1 second' where id = " + OPEN,
                "its end may only move between future instants");
        refused("update price_entry set valid_until = '2026-06-01 00:00+00' where id = " + OPEN,
                "its end may only move between future instants");
        // An entry that already ended stays ended, and keeps its end.
        refused("update price_entry set valid_until = now() + interval '1 day' where id = " + ENDED,
                "its end may only move between future instants");
        refused("update price_entry set valid_until = null where id = " + ENDED,
                "its end may only move between future instants");
    }

    @Test
    void newEntriesMustStartInTheFuture() throws SQLException {
        String model = createModel(dataSource, "guard");
        refused("insert into price_entry (model, token_class, usd_per_million_tokens, valid_from, note, created_by)"
                + " values ('" + model + "', 'output', 1, now() - interval '1 second', 'backdated', 'test')",
                "must start in the future");
        assertEquals(1, run("insert into price_entry (model, token_class, usd_per_million_tokens, valid_from, note,"
                + " created_by) values ('" + model + "', 'output', 1, now() + interval '1 hour', 'scheduled', 'test')"));
    }

    @Test
    void aScheduledEntryMayChangeButNotMoveIntoThePast() throws SQLException {
        String model = createModel(dataSource, "guard");
        String insert = "insert into price_entry (model, token_class, usd_per_million_tokens, valid_from, note,"
                + " created_by) values ('" + model + "', 'output', 1, now() + interval '1 hour', 'scheduled', 'test')";
        String id = "(select id from price_entry where model = '" + model + "')";
        assertEquals(2, run(insert, "update price_entry set usd_per_million_tokens = 2 where id = " + id));
        assertEquals(2, run(insert, "delete from price_entry where id = " + id));
        SQLException e = assertThrows(SQLException.class,
                () -> run(insert, "update price_entry set valid_from = now() - interval '1 day' where id = " + id));
        assertTrue(e.getMessage().contains("cannot be moved to start in the past"), e.getMessage());
    }

    @Test
    void aTransactionOpenedBeforeAnEntryStartedCannotChangeItOnceItHas() throws SQLException {
        String model = createModel(dataSource, "guard");
        String id = "(select id from price_entry where model = '" + model + "')";
        try (Connection held = dataSource.getConnection(); Connection other = dataSource.getConnection();
                Statement inHeld = held.createStatement(); Statement inOther = other.createStatement()) {
            held.setAutoCommit(false);
            inHeld.executeQuery("select now()").close(); // the held transaction's now() is this instant
            // A hand-written fix, past the service's lead time: an entry starting half a second from now.
            inOther.executeUpdate("insert into price_entry (model, token_class, usd_per_million_tokens, valid_from,"
                    + " note, created_by) values ('" + model + "', 'output', 1, clock_timestamp() + interval '0.5 s',"
                    + " 'starts soon', 'test')");
            try {
                inHeld.execute("select pg_sleep(1)"); // now it is in force, and may have priced calls
                for (String sql : new String[] {"update price_entry set usd_per_million_tokens = 99 where id = " + id,
                        "delete from price_entry where id = " + id}) {
                    inHeld.execute("savepoint s");
                    SQLException e = assertThrows(SQLException.class, () -> inHeld.executeUpdate(sql), sql);
                    assertTrue(e.getMessage().contains("has been in force since"), e.getMessage());
                    inHeld.execute("rollback to savepoint s");
                }
            } finally {
                held.rollback();
            }
        }
    }

    @Test
    void overlappingEntriesAreRefused() {
        String model = createModel(dataSource, "guard");
        String values = "insert into price_entry (model, token_class, usd_per_million_tokens, valid_from, valid_until,"
                + " window_start, window_end, note, created_by) values ";
        SQLException plain = assertThrows(SQLException.class, () -> run(
                values + "('" + model + "', 'output', 1, now() + interval '1 day', null, null, null, 'a', 't')",
                values + "('" + model + "', 'output', 2, now() + interval '2 days', null, null, null, 'b', 't')"));
        assertEquals("23P01", plain.getSQLState());
        SQLException windows = assertThrows(SQLException.class, () -> run(
                values + "('" + model + "', 'output', 1, now() + interval '1 day', null, '16:30', '00:30', 'a', 't')",
                values + "('" + model + "', 'output', 2, now() + interval '1 day', null, '00:00', '01:00', 'b', 't')"));
        assertEquals("23P01", windows.getSQLState());
    }

    @Test
    void nonOverlappingEntriesAreAccepted() throws SQLException {
        String model = createModel(dataSource, "guard");
        String values = "insert into price_entry (model, token_class, usd_per_million_tokens, valid_from, valid_until,"
                + " window_start, window_end, note, created_by) values ";
        assertEquals(4, run(
                values + "('" + model + "', 'output', 1, now() + interval '1 day', now() + interval '2 days', null, null, 'a', 't')",
                values + "('" + model + "', 'output', 2, now() + interval '2 days', null, null, null, 'b', 't')",
                values + "('" + model + "', 'output', 1, now() + interval '1 day', null, '16:30', '00:30', 'c', 't')",
                values + "('" + model + "', 'output', 1, now() + interval '1 day', null, '00:30', '16:30', 'd', 't')"));
    }

    @Test
    void theSeededHistoryIsComplete() throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("select count(*), count(distinct note) from price_entry"
                        + " where created_by = 'migration V011'")) {
            rs.next();
            assertEquals(11, rs.getInt(1));
            assertEquals(11, rs.getInt(2), "every seeded row names its own source");
        }
    }
}
