package dev.tollgate.pricing;

import io.agroal.api.AgroalDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.UUID;

/** Test models and future instants for price book tests; real DeepSeek models keep their seeded history. */
public final class PricingFixtures {

    private PricingFixtures() {
    }

    /** A model row of its own (disabled, so /v1/models stays as it is). */
    public static String createModel(AgroalDataSource dataSource, String prefix) {
        String id = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "insert into model (id, owned_by, enabled, sort_order) values (?, 'test', false, 99)")) {
            ps.setString(1, id);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return id;
    }

    /** 00:00 UTC, some days ahead: well beyond the lead time a change needs. */
    public static Instant midnightInDays(int days) {
        return LocalDate.now(ZoneOffset.UTC).plusDays(days).atStartOfDay(ZoneOffset.UTC).toInstant();
    }
}
