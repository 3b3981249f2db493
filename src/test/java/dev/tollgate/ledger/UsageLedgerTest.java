package dev.tollgate.ledger;

import static dev.tollgate.ledger.LedgerFixtures.entry;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.testing.Management;
import dev.tollgate.testing.PostgresResource;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The ledger inside the app, on a real PostgreSQL: counts rows, reads them back, checks the table's guards.
 * Also run against an external PostgreSQL server (tag external-db); passes on PostgreSQL 15 and 17.
 */
@QuarkusTest
@Tag("external-db")
@QuarkusTestResource(PostgresResource.class)
class UsageLedgerTest {

    @Inject
    UsageLedger ledger;

    @Inject
    AgroalDataSource dataSource;

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID() + "-";
    }

    private long rows(String requestIdPrefix) throws SQLException {
        return LedgerFixtures.count(dataSource, "select count(*) from usage_ledger where request_id like ?",
                requestIdPrefix + "%");
    }

    @Test
    void twentyThreadsRecordingFiveHundredEachLandExactlyTenThousandRows() throws Exception {
        String prefix = unique("concurrent");
        int threads = 20;
        int perThread = 500;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            done.add(pool.submit(() -> {
                go.await();
                for (int i = 0; i < perThread; i++) {
                    ledger.record(entry(prefix + thread + "-" + i));
                }
                return null;
            }));
        }
        go.countDown();
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
        ledger.flush();

        assertEquals(threads * perThread, rows(prefix));
        assertEquals(threads * perThread, LedgerFixtures.count(dataSource,
                "select count(distinct request_id) from usage_ledger where request_id like ?", prefix + "%"));
    }

    @Test
    void theSameRequestAndAttemptRecordedAgainLandsOnce() throws Exception {
        String prefix = unique("twice");
        LedgerEntry first = entry(prefix + "a", 1, LedgerFixtures.RECEIVED);
        ledger.record(first);
        ledger.record(first); // same batch
        ledger.flush();
        ledger.record(first); // a later batch
        ledger.record(LedgerEntry.builder(prefix + "a", 1, 7, 11, "deepseek-chat", LedgerFixtures.RECEIVED)
                .httpStatus(500).build()); // a different write of the same attempt: the first one wins
        ledger.record(entry(prefix + "a", 2, LedgerFixtures.RECEIVED)); // the retry is its own row
        ledger.flush();

        assertEquals(2, rows(prefix));
        assertEquals(1, LedgerFixtures.count(dataSource,
                "select count(*) from usage_ledger where request_id = ? and attempt = 1 and http_status = 200",
                prefix + "a"));
    }

    @Test
    void everyFieldRoundTripsAndCostsStayExact() throws Exception {
        String id = unique("exact") + "x";
        Instant received = Instant.parse("2026-05-20T23:59:59.999999Z");
        LedgerEntry e = LedgerEntry.builder(id, 2, 42, 43, "deepseek-reasoner", received)
                .aliasUsed("deepseek-reasoner").modelServed("deepseek-v4-flash").upstream("https://api.deepseek.com")
                .streamed(true).thinkingMode("high").firstByteAt(received.plusNanos(1_500_000))
                .finishedAt(received.plusSeconds(3)).httpStatus(200).errorType("client_abort").finishReason("length")
                .tokens(5000, 4096, 904, 777, 512).usageEstimated(true)
                .cost(LedgerFixtures.cost(received, "0.0034567876", "0.000000000001", "123.4567890123456789"))
                .clientRequestId("agent-run-9:step-3")
                .userId("user_1").tags(List.of("team=search", "quote\"d", "comma,inside")).build();
        LedgerEntry unpriced = LedgerEntry.builder(id + "-unpriced", 1, 42, 43, "deepseek-v4-pro", received).build();
        ledger.record(e);
        ledger.record(unpriced);
        ledger.flush();

        Map<String, Object> row = row(id);
        assertEquals(2, row.get("attempt"));
        assertEquals(42L, row.get("tenant_id"));
        assertEquals(43L, row.get("key_id"));
        assertEquals("deepseek-reasoner", row.get("model_requested"));
        assertEquals("deepseek-reasoner", row.get("alias_used"));
        assertEquals("deepseek-v4-flash", row.get("model_served"));
        assertEquals("https://api.deepseek.com", row.get("upstream"));
        assertEquals(true, row.get("streamed"));
        assertEquals("high", row.get("thinking_mode"));
        assertEquals(received, instant(row.get("received_at")));
        assertEquals(received.plusNanos(1_500_000), instant(row.get("first_byte_at")));
        assertEquals(received.plusSeconds(3), instant(row.get("finished_at")));
        assertEquals(200, row.get("http_status"));
        assertEquals("client_abort", row.get("error_type"));
        assertEquals("length", row.get("finish_reason"));
        assertEquals(List.of(5000L, 4096L, 904L, 777L, 512L), List.of(row.get("prompt_tokens"),
                row.get("prompt_cache_hit_tokens"), row.get("prompt_cache_miss_tokens"), row.get("completion_tokens"),
                row.get("reasoning_tokens")));
        assertEquals(true, row.get("usage_estimated"));
        // equals, not compareTo: same digits, same scale, nothing rounded
        assertEquals(new BigDecimal("0.0034567876"), row.get("input_cache_hit_cost"));
        assertEquals(new BigDecimal("0.000000000001"), row.get("input_cache_miss_cost"));
        assertEquals(new BigDecimal("123.4567890123456789"), row.get("output_cost"));
        assertEquals(new BigDecimal("123.4602457999466789"), row.get("total_cost"));
        assertEquals(List.of(101L, 102L, 103L), List.of(row.get("input_cache_hit_price_entry_id"),
                row.get("input_cache_miss_price_entry_id"), row.get("output_price_entry_id")));
        assertEquals("agent-run-9:step-3", row.get("client_request_id"));
        assertEquals("user_1", row.get("user_id"));
        assertEquals(List.of("team=search", "quote\"d", "comma,inside"), row.get("tags"));

        Map<String, Object> bare = row(id + "-unpriced");
        assertNull(bare.get("total_cost"));
        assertNull(bare.get("output_price_entry_id"));
        assertNull(bare.get("http_status"));
        assertEquals(List.of(), bare.get("tags"));
        assertEquals(false, bare.get("streamed"));
    }

    @Test
    void partitionsExistForThisMonthAndTheNextTwo() throws Exception {
        ledger.maintainPartitions(); // as the hourly job does: a run crossing midnight at a month's end needs it
        YearMonth now = YearMonth.now(ZoneOffset.UTC);
        for (int i = 0; i <= 2; i++) {
            assertTrue(partitions().contains(partitionName(now.plusMonths(i))), "partition for " + now.plusMonths(i));
        }
        assertTrue(partitions().contains("usage_ledger_default"));
    }

    @Test
    void rowsLandInTheirMonthsPartitionEvenForMonthsWithoutOneYet() throws Exception {
        String prefix = unique("months");
        YearMonth now = YearMonth.now(ZoneOffset.UTC);
        Map<String, String> expected = new HashMap<>();
        List<Instant> instants = List.of(
                now.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC), // first microsecond of this month
                now.plusMonths(1).atEndOfMonth().atTime(23, 59, 59, 999_999_000).toInstant(ZoneOffset.UTC),
                now.minusMonths(7).atDay(15).atStartOfDay().toInstant(ZoneOffset.UTC), // a replay of an old spool
                now.plusYears(4).atDay(3).atStartOfDay().toInstant(ZoneOffset.UTC));
        for (int i = 0; i < instants.size(); i++) {
            ledger.record(entry(prefix + i, 1, instants.get(i)));
            expected.put(prefix + i, partitionName(YearMonth.from(instants.get(i).atOffset(ZoneOffset.UTC))));
        }
        ledger.flush();

        Map<String, String> actual = new HashMap<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "select request_id, tableoid::regclass::text from usage_ledger where request_id like ?")) {
            ps.setString(1, prefix + "%");
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    actual.put(rs.getString(1), rs.getString(2));
                }
            }
        }
        assertEquals(expected, actual);
    }

    @Test
    void rowsCaughtByTheDefaultPartitionMoveToTheirMonthWhenItIsCreated() throws Exception {
        String id = unique("stranded") + "x";
        YearMonth month = YearMonth.now(ZoneOffset.UTC).plusYears(9);
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                insert into usage_ledger (request_id, attempt, tenant_id, key_id, model_requested, streamed, received_at,
                    prompt_tokens, prompt_cache_hit_tokens, prompt_cache_miss_tokens, completion_tokens, reasoning_tokens,
                    usage_estimated)
                values (?, 1, 1, 1, 'deepseek-chat', false, ?, 0, 0, 0, 0, 0, false)""")) {
            ps.setString(1, id);
            ps.setObject(2, OffsetDateTime.of(month.atDay(9).atTime(12, 0), ZoneOffset.UTC));
            ps.executeUpdate();
        }
        assertEquals("usage_ledger_default", partitionOf(id));

        ledger.maintainPartitions();

        assertEquals(partitionName(month), partitionOf(id));
        assertEquals(1, rows(id));
    }

    @Test
    void theLedgerRefusesUpdatesDeletesAndTruncation() throws Exception {
        String id = unique("appendonly") + "x";
        ledger.record(entry(id));
        ledger.flush();
        String partition = partitionName(YearMonth.from(LedgerFixtures.RECEIVED.atOffset(ZoneOffset.UTC)));
        for (String sql : List.of("update usage_ledger set http_status = 500 where request_id = '" + id + "'",
                "delete from usage_ledger where request_id = '" + id + "'",
                "update " + partition + " set total_cost = 0 where request_id = '" + id + "'",
                "delete from " + partition + " where request_id = '" + id + "'",
                "truncate usage_ledger", "truncate " + partition, "truncate usage_ledger_default")) {
            SQLException e = assertThrows(SQLException.class, () -> rolledBack(sql), sql);
            assertTrue(e.getMessage().contains("append-only"), e.getMessage());
        }
        assertEquals(1, rows(id));
    }

    @Test
    void metricsAreExposed() throws Exception {
        ledger.record(entry(unique("metrics") + "x"));
        ledger.flush();
        Management.given().get("/q/metrics").then().statusCode(200)
                .body(containsString("tollgate_ledger_queue_depth"))
                .body(containsString("tollgate_ledger_queue_memory"))
                .body(containsString("tollgate_ledger_spool_size_bytes"))
                .body(containsString("tollgate_ledger_rows_recorded_total"))
                .body(containsString("tollgate_ledger_rows_written_total"))
                .body(containsString("tollgate_ledger_rows_duplicate_total"))
                .body(containsString("tollgate_ledger_rows_rejected_total"))
                .body(containsString("tollgate_ledger_write_failures_total"))
                .body(containsString("tollgate_ledger_spool_failures_total"));
    }

    private void rolledBack(String sql) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.executeUpdate(sql);
            } finally {
                c.rollback();
            }
        }
    }

    private static String partitionName(YearMonth m) {
        return String.format("usage_ledger_%04d_%02d", m.getYear(), m.getMonthValue());
    }

    private List<String> partitions() throws SQLException {
        List<String> names = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("select inhrelid::regclass::text from pg_inherits"
                        + " where inhparent = 'usage_ledger'::regclass")) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }

    private String partitionOf(String requestId) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "select tableoid::regclass::text from usage_ledger where request_id = ?")) {
            ps.setString(1, requestId);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next(), requestId);
                return rs.getString(1);
            }
        }
    }

    private Map<String, Object> row(String requestId) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("select * from usage_ledger where request_id = ?")) {
            ps.setString(1, requestId);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next(), requestId);
                Map<String, Object> row = new HashMap<>();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    Object v = rs.getObject(i);
                    if (v instanceof Array a) {
                        v = List.of((Object[]) a.getArray());
                    }
                    row.put(rs.getMetaData().getColumnName(i), v);
                }
                return row;
            }
        }
    }

    private static Instant instant(Object timestamp) {
        return ((java.sql.Timestamp) timestamp).toInstant();
    }
}
