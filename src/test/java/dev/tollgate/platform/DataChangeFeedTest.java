package dev.tollgate.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.ledger.TestPostgres;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What one instance hears of changes made through another (here: plain SQL, as another instance's commits
 * look from this one), and that it keeps hearing after its connection or the database goes away.
 */
class DataChangeFeedTest {

    private TestPostgres db;
    private final BlockingQueue<DataChanged> heard = new LinkedBlockingQueue<>();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private DataChangeFeed feed;

    /** A database of its own and a feed on it: only for the tests that need one, since each takes seconds to start. */
    private void startFeed() throws Exception {
        db = TestPostgres.start();
        feed = new DataChangeFeed(() -> DriverManager.getConnection(db.url(), TestPostgres.USER, TestPostgres.PASSWORD),
                heard::add, registry);
        feed.start();
        assertSame(DataChanged.EVERYTHING, next(), "a new connection cannot know what changed before it");
    }

    @AfterEach
    void stopFeed() {
        if (feed != null) {
            feed.stop();
            db.close();
        }
    }

    @Test
    void committedChangesToKeysTenantsAliasesAndPricesAreHeardAndNothingElse() throws Exception {
        startFeed();
        long tenant = insert("insert into tenant (slug, display_name) values ('feed', 'Feed') returning id");
        sql("insert into api_key (tenant_id, public_id, secret_sha256, name, created_by)"
                + " values (" + tenant + ", 'feedkey', '\\x00', 'k', 'test')");
        assertEquals(new DataChanged("api_key", "feedkey"), next());

        // what the key check does not read is written back every few seconds: no instance needs to hear of it
        sql("update api_key set last_used_at = now() where public_id = 'feedkey'");
        // nor of a change that is rolled back
        try (Connection c = connect(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.execute("update api_key set revoked_at = now() where public_id = 'feedkey'");
            c.rollback();
        }
        sql("update api_key set revoked_at = now() where public_id = 'feedkey'");
        assertEquals(new DataChanged("api_key", "feedkey"), next(), "the revocation, and nothing before it");

        // an update as the app makes it writes every column: only a changed status or slug counts
        sql("update tenant set display_name = 'Renamed', status = status, slug = slug where id = " + tenant);
        sql("update api_key set name = 'renamed', revoked_at = revoked_at, expires_at = expires_at"
                + " where public_id = 'feedkey'");
        sql("update tenant set status = 'SUSPENDED' where id = " + tenant);
        assertEquals(new DataChanged("tenant", String.valueOf(tenant)), next(), "the suspension, not the new name");

        sql("insert into alias_tenant_override (tenant_id, alias, mode, set_by)"
                + " values (" + tenant + ", 'deepseek-chat', 'reject-after-sunset', 'test')");
        assertEquals(new DataChanged("alias_tenant_override", null), next());
        sql("update model_alias set note = 'read again' where alias = 'deepseek-reasoner'");
        assertEquals(new DataChanged("model_alias", null), next());
        sql("update price_entry set valid_until = now() + interval '1 day'"
                + " where model = 'deepseek-v4-pro' and token_class = 'output' and valid_until is null");
        assertEquals(new DataChanged("price_entry", null), next());
        assertEquals(1.0, registry.get("tollgate.change.feed.connected").gauge().value());

        // by hand: a key given a new public id leaves its old one known nowhere, and an emptied table
        sql("update api_key set public_id = 'renamed' where public_id = 'feedkey'");
        assertEquals(Set.of(new DataChanged("api_key", "feedkey"), new DataChanged("api_key", "renamed")),
                Set.of(next(), next()));
        sql("truncate api_key cascade");
        assertEquals(new DataChanged("api_key", null), next());
    }

    @Test
    void aFeedThatIsOffOnPurposeRaisesNoAlarm() {
        SimpleMeterRegistry off = new SimpleMeterRegistry();
        new DataChangeFeed(() -> {
            throw new SQLException("never asked");
        }, heard::add, off);
        assertNull(off.find("tollgate.change.feed.connected").gauge(), "no 0 to alert on where the feed is off");
    }

    @Test
    void aLostFeedLogsNoPasswordItsDriverQuotes() {
        String message = DataChangeFeed.withoutCredentials(
                "No suitable driver found for postgresql://tollgate:s3cret@db:5432/tollgate?sslmode=require&password=s3cret");
        assertFalse(message.contains("s3cret"), message);
        assertTrue(message.contains("db:5432/tollgate"), "still says where: " + message);
    }

    @Test
    void aFeedCutOffComesBackAndHasEverythingReadAgain() throws Exception {
        startFeed();
        try (Connection c = connect(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("select pg_terminate_backend(pid) from pg_stat_activity"
                        + " where query = 'LISTEN " + DataChangeFeed.CHANNEL + "'")) {
            assertTrue(rs.next() && rs.getBoolean(1), "the feed's connection was found and cut off");
        }
        assertSame(DataChanged.EVERYTHING, next(), "back, and what changed meanwhile is unknown");
        sql("update model_alias set note = 'after the cut' where alias = 'deepseek-chat'");
        assertEquals(new DataChanged("model_alias", null), next());

        db.stop(); // the database restarts
        assertEquals(0.0, awaitGauge(0.0));
        db.restart();
        assertSame(DataChanged.EVERYTHING, next(), "back after the restart");
        sql("update model_alias set note = 'after the restart' where alias = 'deepseek-chat'");
        assertEquals(new DataChanged("model_alias", null), next());
        assertEquals(1.0, registry.get("tollgate.change.feed.connected").gauge().value());
    }

    private double awaitGauge(double expected) throws InterruptedException {
        double value = -1;
        for (int i = 0; i < 100 && value != expected; i++) {
            value = registry.get("tollgate.change.feed.connected").gauge().value();
            Thread.sleep(100);
        }
        return value;
    }

    private DataChanged next() throws InterruptedException {
        DataChanged change = heard.poll(30, TimeUnit.SECONDS);
        assertNotNull(change, "no change heard within 30 s");
        return change;
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(db.url(), TestPostgres.USER, TestPostgres.PASSWORD);
    }

    private void sql(String statement) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    private long insert(String statement) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(statement)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
