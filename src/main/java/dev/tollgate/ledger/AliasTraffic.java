package dev.tollgate.ledger;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;

/**
 * Recent calls through an alias, from the ledger: who a change to it would affect. Rows still in the spool are
 * not counted yet.
 */
@ApplicationScoped
public class AliasTraffic {

    /** Calls (first attempts) naming the alias since an instant, and the tenants that made them. */
    public record Recent(long calls, long tenants) {
    }

    @Inject
    AgroalDataSource dataSource;

    public Recent since(String alias, Instant from) {
        return since(alias, null, from);
    }

    /** {@link #since(String, Instant)} for every alias called since then, by alias. */
    public Map<String, Recent> byAlias(Instant from) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("select alias_used, count(*), count(distinct tenant_id)"
                        + " from usage_ledger where alias_used is not null and received_at >= ? and attempt = 1"
                        + " group by alias_used")) {
            ps.setObject(1, OffsetDateTime.ofInstant(from, ZoneOffset.UTC));
            Map<String, Recent> recent = new HashMap<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    recent.put(rs.getString(1), new Recent(rs.getLong(2), rs.getLong(3)));
                }
            }
            return recent;
        } catch (SQLException e) {
            throw new IllegalStateException("could not count recent calls through aliases", e);
        }
    }

    /** {@link #since(String, Instant)} of one tenant's calls, or every tenant's when {@code tenantId} is null. */
    public Recent since(String alias, Long tenantId, Instant from) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("select count(*), count(distinct tenant_id) from usage_ledger"
                        + " where alias_used = ? and received_at >= ? and attempt = 1"
                        + " and (?::bigint is null or tenant_id = ?::bigint)")) {
            ps.setString(1, alias);
            ps.setObject(2, OffsetDateTime.ofInstant(from, ZoneOffset.UTC));
            ps.setObject(3, tenantId, Types.BIGINT);
            ps.setObject(4, tenantId, Types.BIGINT);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new Recent(rs.getLong(1), rs.getLong(2));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not count recent calls through alias " + alias, e);
        }
    }
}
