package dev.tollgate.apikey;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tollgate.gateway.OpenAiException;
import dev.tollgate.ledger.TestPostgres;
import dev.tollgate.platform.DataChanged;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the key cache does with the changes the database announces, with a cache TTL of an hour. */
class KeyCacheChangesTest {

    private TestPostgres db;
    private long tenant;

    @BeforeEach
    void start() throws SQLException {
        db = TestPostgres.start();
        try (Connection c = connect(); ResultSet rs = c.createStatement()
                .executeQuery("insert into tenant (slug, display_name) values ('cache', 'Cache') returning id")) {
            rs.next();
            tenant = rs.getLong(1);
        }
    }

    @AfterEach
    void stop() {
        db.close();
    }

    /** A read that saw the tenant before its suspension committed, and landed after it was announced. */
    @Test
    void aKeyReadUnderWayWhenItsTenantChangesIsNotKept() throws Exception {
        String key = issue();
        Queue<Runnable> held = new ConcurrentLinkedQueue<>();
        AtomicBoolean holding = new AtomicBoolean(true);
        ApiKeyAuthenticator keys = authenticator(task -> {
            if (holding.get()) {
                held.add(task);
            } else {
                task.run();
            }
        });

        CompletableFuture<?> reading = keys.lookup(publicId(key)); // the read is queued
        keys.onDataChanged(new DataChanged("tenant", String.valueOf(tenant))); // the change is heard meanwhile
        holding.set(false);
        held.remove().run(); // the read: the tenant as it was before that change
        reading.join();
        sql("update tenant set status = 'SUSPENDED' where id = " + tenant); // what the change was

        OpenAiException refused = assertThrows(OpenAiException.class, () -> keys.authenticate("Bearer " + key, null),
                "the read under way was not kept for the cache's hour");
        assertEquals(401, refused.status());
    }

    /** The feed came back (DataChanged.EVERYTHING): keys are read again, but not forgotten. */
    @Test
    void keysReadAgainWhenTheFeedReturnsKeepTheirLastKnownStateThroughAnOutage() throws Exception {
        String revoked = issue();
        String kept = issue();
        ApiKeyAuthenticator keys = authenticator(Runnable::run);
        keys.authenticate("Bearer " + revoked, null);
        keys.authenticate("Bearer " + kept, null);
        sql("update api_key set revoked_at = now() where public_id = '" + publicId(revoked) + "'");

        keys.onDataChanged(DataChanged.EVERYTHING);
        assertEquals(401, assertThrows(OpenAiException.class, () -> keys.authenticate("Bearer " + revoked, null))
                .status(), "read again at its next use");

        keys.onDataChanged(DataChanged.EVERYTHING);
        db.stop(); // the database fails again
        assertEquals(publicId(kept), keys.authenticate("Bearer " + kept, null).publicId(),
                "a key read before keeps its state for the outage grace, not a 503");
    }

    private ApiKeyAuthenticator authenticator(Executor executor) {
        ApiKeyAuthenticator keys = new ApiKeyAuthenticator(Duration.ofHours(1), Duration.ofMinutes(10), executor,
                new SimpleMeterRegistry());
        keys.dataSource = db.pool();
        keys.usage = new KeyUsageTracker();
        return keys;
    }

    private String issue() throws SQLException {
        KeyFormat.Generated g = KeyFormat.generate();
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement("insert into api_key"
                + " (tenant_id, public_id, secret_sha256, name, created_by) values (?, ?, ?, 'k', 'test')")) {
            ps.setLong(1, tenant);
            ps.setString(2, g.publicId());
            ps.setBytes(3, g.secretSha256());
            ps.executeUpdate();
        }
        return g.fullKey();
    }

    private static String publicId(String key) {
        return KeyFormat.parse(key).orElseThrow().publicId();
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(db.url(), TestPostgres.USER, TestPostgres.PASSWORD);
    }

    private void sql(String statement) throws SQLException {
        try (Connection c = connect()) {
            c.createStatement().execute(statement);
        }
    }
}
