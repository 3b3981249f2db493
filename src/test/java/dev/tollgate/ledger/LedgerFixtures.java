package dev.tollgate.ledger;

import dev.tollgate.pricing.CallCost;
import dev.tollgate.pricing.TokenClass;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import javax.sql.DataSource;

/** Entries, settings and row counts shared by the ledger tests. */
final class LedgerFixtures {

    static final Instant RECEIVED = Instant.parse("2026-05-14T09:30:00.123456Z");

    private LedgerFixtures() {
    }

    /** A typical successful, priced, non-streamed attempt. */
    static LedgerEntry entry(String requestId, int attempt, Instant receivedAt) {
        return LedgerEntry.builder(requestId, attempt, 7, 11, "deepseek-chat", receivedAt)
                .aliasUsed("deepseek-chat")
                .modelServed("deepseek-v4-flash")
                .upstream("simulator")
                .thinkingMode("disabled")
                .firstByteAt(receivedAt.plusMillis(120))
                .finishedAt(receivedAt.plusMillis(900))
                .httpStatus(200)
                .finishReason("stop")
                .tokens(1200, 1024, 176, 300, 0)
                .cost(cost(receivedAt, "0.000028672", "0.00004928", "0.000084"))
                .clientRequestId("trace-7")
                .userId("end-user-1")
                .tags(List.of("team=search", "feature=autocomplete"))
                .build();
    }

    static LedgerEntry entry(String requestId) {
        return entry(requestId, 1, RECEIVED);
    }

    /** A cost with the given line amounts (rates and entry ids made up), total their exact sum. */
    static CallCost cost(Instant receivedAt, String hit, String miss, String output) {
        BigDecimal h = new BigDecimal(hit);
        BigDecimal m = new BigDecimal(miss);
        BigDecimal o = new BigDecimal(output);
        return new CallCost("deepseek-v4-flash", receivedAt,
                new CallCost.Line(TokenClass.INPUT_CACHE_HIT, 1024, new BigDecimal("0.028"), h, 101),
                new CallCost.Line(TokenClass.INPUT_CACHE_MISS, 176, new BigDecimal("0.28"), m, 102),
                new CallCost.Line(TokenClass.OUTPUT, 300, new BigDecimal("0.42"), o, 103),
                h.add(m).add(o));
    }

    /** Settings for an engine run in a test; callers adjust what they exercise. */
    static LedgerSettings settings(Path spool) {
        return new LedgerSettings(spool, 16 * 1024 * 1024, Duration.ofSeconds(1), 500, Duration.ofMillis(20), 10_000,
                Duration.ofMillis(20), Duration.ofMillis(500));
    }

    static LedgerSettings settings(Path spool, long segmentBytes, int batchSize, Duration flushInterval, int memoryQueue) {
        return new LedgerSettings(spool, segmentBytes, Duration.ofSeconds(1), batchSize, flushInterval, memoryQueue,
                Duration.ofMillis(20), Duration.ofMillis(500));
    }

    static long count(DataSource ds, String sql, Object... args) throws SQLException {
        try (Connection c = ds.getConnection()) {
            return count(c, sql, args);
        }
    }

    static long count(String url, String user, String password, String sql, Object... args) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, user, password)) {
            return count(c, sql, args);
        }
    }

    private static long count(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Spool segment files in a directory. */
    static long segments(Path spool) throws java.io.IOException {
        try (Stream<Path> files = Files.list(spool)) {
            return files.filter(f -> f.getFileName().toString().matches("ledger-\\d{19}\\.spool")).count();
        }
    }
}
