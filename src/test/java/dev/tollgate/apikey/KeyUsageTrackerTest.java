package dev.tollgate.apikey;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tollgate.ledger.TestPostgres;
import io.agroal.api.AgroalDataSource;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** "Last used" survives a database that is away when it is written: it is written once the database is back. */
class KeyUsageTrackerTest {

    @Test
    void aLastUseTheDatabaseMissedIsWrittenAtTheNextFlush() throws Exception {
        TestPostgres db = TestPostgres.start();
        try (db) {
            long keyId = insertKey(db);
            KeyUsageTracker tracker = new KeyUsageTracker();
            tracker.dataSource = (AgroalDataSource) Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {AgroalDataSource.class}, (proxy, method, args) -> {
                        throw new SQLException("database away", "08006");
                    });
            Instant used = Instant.now().truncatedTo(ChronoUnit.MICROS);
            tracker.markUsed(keyId, used);
            tracker.flush(); // fails

            tracker.dataSource = db.pool();
            tracker.flush();
            assertEquals(used, lastUsed(db.pool(), keyId));
        }
    }

    private static long insertKey(TestPostgres db) throws SQLException {
        try (Connection c = db.pool().getConnection(); Statement st = c.createStatement()) {
            String slug = "usage-" + UUID.randomUUID().toString().substring(0, 8);
            st.execute("insert into tenant (slug, display_name) values ('" + slug + "', 'Usage')");
            try (ResultSet rs = st.executeQuery("insert into api_key (tenant_id, public_id, secret_sha256, name,"
                    + " created_by) select id, '" + UUID.randomUUID().toString().replace("-", "").substring(0, 16)
                    + "', '\\x00', 'k', 'test' from tenant where slug = '" + slug + "' returning id")) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static Instant lastUsed(DataSource ds, long keyId) throws SQLException {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select last_used_at from api_key where id = " + keyId)) {
            rs.next();
            return rs.getTimestamp(1).toInstant();
        }
    }
}
