package dev.tollgate.ledger;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;

/**
 * Recent calls through aliases, from the ledger: who still sends an old name, and so who a change to its alias would
 * affect. Counted on first attempts only (one per call). Rows still in the spool are not counted yet.
 */
@ApplicationScoped
public class AliasTraffic {

    /** Calls naming an alias over the last {@link #WINDOW}, and the tenants that made them. */
    public record Recent(long calls, long tenants) {
    }

    /** How far back calls are counted: long enough to include a weekly job, short enough to be news. */
    public static final Duration WINDOW = Duration.ofDays(7);

    // Each query is written out whole rather than with optional parts, so that PostgreSQL plans it for what it asks.
    private static final String BY_ALIAS = "select alias_used, count(*), count(distinct tenant_id) from usage_ledger"
            + " where alias_used is not null and attempt = 1 and received_at >= ? group by alias_used";
    private static final String OF_TENANTS_FOLLOWING_IT = "select count(*), count(distinct tenant_id) from usage_ledger"
            + " where alias_used = ? and attempt = 1 and received_at >= ?"
            + " and tenant_id not in (select tenant_id from alias_tenant_override where alias = ?)";
    private static final String OF_ONE_TENANT = "select count(*), count(distinct tenant_id) from usage_ledger"
            + " where alias_used = ? and attempt = 1 and received_at >= ? and tenant_id = ?";

    @Inject
    AgroalDataSource dataSource;

    /** Every alias called in the window, by alias. */
    public Map<String, Recent> byAlias() {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(BY_ALIAS)) {
            ps.setObject(1, windowStart());
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

    /**
     * The calls of the tenants that follow the alias' own mode (no mode of their own for it): those a change of that
     * mode reaches.
     */
    public Recent followingItsMode(String alias) {
        return count(OF_TENANTS_FOLLOWING_IT, alias, ps -> ps.setString(3, alias));
    }

    /** One tenant's calls naming the alias. */
    public Recent ofTenant(String alias, long tenantId) {
        return count(OF_ONE_TENANT, alias, ps -> ps.setLong(3, tenantId));
    }

    private interface Binding {
        void bind(PreparedStatement ps) throws SQLException;
    }

    private Recent count(String sql, String alias, Binding more) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, alias);
            ps.setObject(2, windowStart());
            more.bind(ps);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new Recent(rs.getLong(1), rs.getLong(2));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not count recent calls through alias " + alias, e);
        }
    }

    private static OffsetDateTime windowStart() {
        return OffsetDateTime.ofInstant(Instant.now().minus(WINDOW), ZoneOffset.UTC);
    }
}
