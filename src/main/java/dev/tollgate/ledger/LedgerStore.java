package dev.tollgate.ledger;

import dev.tollgate.pricing.CallCost;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import javax.sql.DataSource;

/**
 * The ledger's SQL. A batch is one statement: each column travels as an array and {@code unnest} turns
 * the arrays back into rows, so 500 rows cost one round trip and one plan whatever the batch size.
 * {@code ON CONFLICT ... DO NOTHING} on the primary key makes every write idempotent.
 */
final class LedgerStore {

    private static final String INSERT = """
            insert into usage_ledger (request_id, attempt, tenant_id, key_id, model_requested, alias_used,
                model_served, upstream, streamed, thinking_mode, received_at, first_byte_at, finished_at, http_status,
                error_type, finish_reason, prompt_tokens, prompt_cache_hit_tokens, prompt_cache_miss_tokens,
                completion_tokens, reasoning_tokens, usage_estimated, input_cache_hit_cost, input_cache_miss_cost,
                output_cost, total_cost, input_cache_hit_price_entry_id, input_cache_miss_price_entry_id,
                output_price_entry_id, client_request_id, user_id, tags)
            select request_id, attempt, tenant_id, key_id, model_requested, alias_used,
                model_served, upstream, streamed, thinking_mode, received_at, first_byte_at, finished_at, http_status,
                error_type, finish_reason, prompt_tokens, prompt_cache_hit_tokens, prompt_cache_miss_tokens,
                completion_tokens, reasoning_tokens, usage_estimated, input_cache_hit_cost, input_cache_miss_cost,
                output_cost, total_cost, input_cache_hit_price_entry_id, input_cache_miss_price_entry_id,
                output_price_entry_id, client_request_id, user_id, array(select jsonb_array_elements_text(tags))
            from unnest(?::text[], ?::int4[], ?::int8[], ?::int8[], ?::text[], ?::text[],
                ?::text[], ?::text[], ?::bool[], ?::text[], ?::timestamptz[], ?::timestamptz[], ?::timestamptz[], ?::int4[],
                ?::text[], ?::text[], ?::int8[], ?::int8[], ?::int8[],
                ?::int8[], ?::int8[], ?::bool[], ?::numeric[], ?::numeric[],
                ?::numeric[], ?::numeric[], ?::int8[], ?::int8[],
                ?::int8[], ?::text[], ?::text[], ?::jsonb[])
                as r(request_id, attempt, tenant_id, key_id, model_requested, alias_used,
                model_served, upstream, streamed, thinking_mode, received_at, first_byte_at, finished_at, http_status,
                error_type, finish_reason, prompt_tokens, prompt_cache_hit_tokens, prompt_cache_miss_tokens,
                completion_tokens, reasoning_tokens, usage_estimated, input_cache_hit_cost, input_cache_miss_cost,
                output_cost, total_cost, input_cache_hit_price_entry_id, input_cache_miss_price_entry_id,
                output_price_entry_id, client_request_id, user_id, tags)
            on conflict (request_id, attempt, received_at) do nothing""";

    /** A hung server must not hold the writer forever; a statement of 500 rows takes milliseconds. */
    private static final int STATEMENT_TIMEOUT_SECONDS = 30;
    /**
     * The statement timeout works by asking the server to cancel, which a vanished host never answers, and
     * a commit has no timeout at all: past this the connection is given up and the batch retried on another.
     */
    private static final int NETWORK_TIMEOUT_MILLIS = 60_000;
    private static final int MAINTENANCE_NETWORK_TIMEOUT_MILLIS = 600_000;
    /** How long creating a partition waits for the table's lock (held by any long read of the ledger). */
    private static final int LOCK_TIMEOUT_SECONDS = 2;

    private final DataSource dataSource;

    LedgerStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Inserts the rows not already there, in one statement; returns how many were new. */
    int insert(List<LedgerEntry> rows) throws SQLException {
        int n = rows.size();
        String[] requestId = new String[n];
        Integer[] attempt = new Integer[n];
        Long[] tenantId = new Long[n];
        Long[] keyId = new Long[n];
        String[] modelRequested = new String[n];
        String[] aliasUsed = new String[n];
        String[] modelServed = new String[n];
        String[] upstream = new String[n];
        Boolean[] streamed = new Boolean[n];
        String[] thinkingMode = new String[n];
        String[] receivedAt = new String[n];
        String[] firstByteAt = new String[n];
        String[] finishedAt = new String[n];
        Integer[] httpStatus = new Integer[n];
        String[] errorType = new String[n];
        String[] finishReason = new String[n];
        Long[] promptTokens = new Long[n];
        Long[] cacheHitTokens = new Long[n];
        Long[] cacheMissTokens = new Long[n];
        Long[] completionTokens = new Long[n];
        Long[] reasoningTokens = new Long[n];
        Boolean[] estimated = new Boolean[n];
        String[] hitCost = new String[n];
        String[] missCost = new String[n];
        String[] outputCost = new String[n];
        String[] totalCost = new String[n];
        Long[] hitEntry = new Long[n];
        Long[] missEntry = new Long[n];
        Long[] outputEntry = new Long[n];
        String[] clientRequestId = new String[n];
        String[] userId = new String[n];
        String[] tags = new String[n];
        for (int i = 0; i < n; i++) {
            LedgerEntry e = rows.get(i);
            requestId[i] = e.requestId();
            attempt[i] = e.attempt();
            tenantId[i] = e.tenantId();
            keyId[i] = e.keyId();
            modelRequested[i] = e.modelRequested();
            aliasUsed[i] = e.aliasUsed();
            modelServed[i] = e.modelServed();
            upstream[i] = e.upstream();
            streamed[i] = e.streamed();
            thinkingMode[i] = e.thinkingMode();
            receivedAt[i] = timestamp(e.receivedAt());
            firstByteAt[i] = timestamp(e.firstByteAt());
            finishedAt[i] = timestamp(e.finishedAt());
            httpStatus[i] = e.httpStatus();
            errorType[i] = e.errorType();
            finishReason[i] = e.finishReason();
            promptTokens[i] = e.promptTokens();
            cacheHitTokens[i] = e.promptCacheHitTokens();
            cacheMissTokens[i] = e.promptCacheMissTokens();
            completionTokens[i] = e.completionTokens();
            reasoningTokens[i] = e.reasoningTokens();
            estimated[i] = e.usageEstimated();
            CallCost c = e.cost();
            if (c != null) {
                hitCost[i] = amount(c.inputCacheHit().cost());
                missCost[i] = amount(c.inputCacheMiss().cost());
                outputCost[i] = amount(c.output().cost());
                totalCost[i] = amount(c.total());
                hitEntry[i] = c.inputCacheHit().priceEntryId();
                missEntry[i] = c.inputCacheMiss().priceEntryId();
                outputEntry[i] = c.output().priceEntryId();
            }
            clientRequestId[i] = e.clientRequestId();
            userId[i] = e.userId();
            tags[i] = jsonArray(e.tags());
        }
        Object[][] columns = {requestId, attempt, tenantId, keyId, modelRequested, aliasUsed, modelServed, upstream,
                streamed, thinkingMode, receivedAt, firstByteAt, finishedAt, httpStatus, errorType, finishReason,
                promptTokens, cacheHitTokens, cacheMissTokens, completionTokens, reasoningTokens, estimated, hitCost,
                missCost, outputCost, totalCost, hitEntry, missEntry, outputEntry, clientRequestId, userId, tags};
        return inTransaction(NETWORK_TIMEOUT_MILLIS, c -> {
            try (Statement durable = c.createStatement(); PreparedStatement ps = c.prepareStatement(INSERT)) {
                // Once this commit returns the spool lets go of the rows, so the commit must be on disk by then,
                // whatever the server's default: an asynchronous commit is lost if PostgreSQL crashes.
                durable.execute("set local synchronous_commit = on");
                ps.setQueryTimeout(STATEMENT_TIMEOUT_SECONDS);
                for (int i = 0; i < columns.length; i++) {
                    ps.setArray(i + 1, c.createArrayOf(sqlType(columns[i]), columns[i]));
                }
                return ps.executeUpdate();
            }
        });
    }

    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /**
     * Runs work in a transaction of its own on a pooled connection, with a network timeout (see
     * {@link #NETWORK_TIMEOUT_MILLIS} for why), and hands the connection back as it was.
     */
    private <T> T inTransaction(int networkTimeoutMillis, Work<T> work) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            int networkTimeout = c.getNetworkTimeout();
            c.setNetworkTimeout(Runnable::run, networkTimeoutMillis);
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c);
                throw e;
            } finally {
                restoreQuietly(c, autoCommit, networkTimeout);
            }
        }
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is most likely gone; the pool discards it
        }
    }

    private static void restoreQuietly(Connection c, boolean autoCommit, int networkTimeout) {
        try {
            c.setAutoCommit(autoCommit);
            c.setNetworkTimeout(Runnable::run, networkTimeout);
        } catch (SQLException ignored) {
            // as above
        }
    }

    /** Creates the partition of the month holding {@code at} if it is missing. */
    void ensurePartition(Instant at) throws SQLException {
        callPartitionFunction("select usage_ledger_ensure_partition(?)",
                ps -> ps.setObject(1, at.atOffset(ZoneOffset.UTC)), NETWORK_TIMEOUT_MILLIS, STATEMENT_TIMEOUT_SECONDS);
    }

    /** Partitions for this month and the next {@code monthsAhead}; moves rows stranded in the default one. */
    void maintain(int monthsAhead) throws SQLException {
        // moving stranded rows may take a while; it runs hourly, off the writer thread
        callPartitionFunction("select usage_ledger_maintain(?)", ps -> ps.setInt(1, monthsAhead),
                MAINTENANCE_NETWORK_TIMEOUT_MILLIS, 0);
    }

    private interface Parameters {
        void set(PreparedStatement ps) throws SQLException;
    }

    /**
     * Runs a partition function bounded like the inserts: a vanished host must not hold the writer thread for
     * ever, and creating a partition, which locks the whole table, gives up (to be retried) rather than queue
     * behind a long report while every insert queues behind it.
     */
    private void callPartitionFunction(String sql, Parameters parameters, int networkTimeoutMillis,
            int queryTimeoutSeconds) throws SQLException {
        inTransaction(networkTimeoutMillis, c -> {
            try (Statement bounded = c.createStatement(); PreparedStatement ps = c.prepareStatement(sql)) {
                bounded.execute("set local lock_timeout = '" + LOCK_TIMEOUT_SECONDS + "s'");
                ps.setQueryTimeout(queryTimeoutSeconds);
                parameters.set(ps);
                return ps.execute();
            }
        });
    }

    /**
     * A partition function gave up waiting: for the table's lock (lock_not_available) or for itself
     * (query_canceled by the statement timeout). The rows can still go to the default partition.
     */
    static boolean waitedTooLong(SQLException e) {
        return "55P03".equals(e.getSQLState()) || "57014".equals(e.getSQLState());
    }

    /**
     * The database refused the data itself (a data exception or a violated constraint): retrying the same
     * rows cannot help, so the writer isolates the refused row instead. Anything else (connection lost,
     * server starting or shutting down, timeouts, missing table) is worth retrying.
     */
    static boolean refusesRows(SQLException e) {
        String state = e.getSQLState();
        return state != null && (state.startsWith("22") || state.startsWith("23"));
    }

    private static String sqlType(Object[] column) {
        if (column instanceof Integer[]) {
            return "int4";
        }
        if (column instanceof Long[]) {
            return "int8";
        }
        if (column instanceof Boolean[]) {
            return "bool";
        }
        return "text";
    }

    /** ISO-8601 in UTC with microseconds at most, which PostgreSQL reads exactly. */
    private static String timestamp(Instant t) {
        return t == null ? null : t.toString();
    }

    private static String amount(BigDecimal v) {
        return v.toPlainString();
    }

    private static String jsonArray(List<String> values) {
        StringBuilder sb = new StringBuilder("[");
        for (String v : values) {
            if (sb.length() > 1) {
                sb.append(',');
            }
            sb.append('"');
            for (int i = 0; i < v.length(); i++) {
                char ch = v.charAt(i);
                switch (ch) {
                    case '"' -> sb.append("\\\"");
                    case '\\' -> sb.append("\\\\");
                    default -> {
                        if (ch < 0x20) {
                            sb.append(String.format("\\u%04x", (int) ch));
                        } else {
                            sb.append(ch);
                        }
                    }
                }
            }
            sb.append('"');
        }
        return sb.append(']').toString();
    }
}
