package dev.tollgate.apikey;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tollgate.ledger.TestPostgres;
import io.agroal.api.AgroalDataSource;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
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
            tracker.dataSource = failingBatches(db.pool());
            Instant used = Instant.now().truncatedTo(ChronoUnit.MICROS);
            tracker.markUsed(keyId, used);
            tracker.flush(); // the batch is sent and fails, as when the connection drops under it

            tracker.dataSource = db.pool();
            tracker.flush();
            assertEquals(used, lastUsed(db.pool(), keyId));
        }
    }

    /** Real connections whose batch executions fail. */
    private static AgroalDataSource failingBatches(AgroalDataSource real) {
        ClassLoader loader = KeyUsageTrackerTest.class.getClassLoader();
        return (AgroalDataSource) Proxy.newProxyInstance(loader, new Class<?>[] {AgroalDataSource.class},
                (ds, dsMethod, dsArgs) -> {
                    Object result = invoke(dsMethod, real, dsArgs);
                    if (!(result instanceof Connection c)) {
                        return result;
                    }
                    return Proxy.newProxyInstance(loader, new Class<?>[] {Connection.class}, (conn, cMethod, cArgs) -> {
                        Object r = invoke(cMethod, c, cArgs);
                        if (!(r instanceof PreparedStatement ps)) {
                            return r;
                        }
                        return Proxy.newProxyInstance(loader, new Class<?>[] {PreparedStatement.class},
                                (stmt, sMethod, sArgs) -> {
                                    if (sMethod.getName().equals("executeBatch")) {
                                        throw new SQLException("connection lost", "08006");
                                    }
                                    return invoke(sMethod, ps, sArgs);
                                });
                    });
                });
    }

    private static Object invoke(Method method, Object target, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
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
