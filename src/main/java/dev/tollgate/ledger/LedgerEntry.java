package dev.tollgate.ledger;

import dev.tollgate.pricing.CallCost;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;

/**
 * One upstream attempt (or a call refused before any), as the usage ledger keeps it: one row of
 * {@code usage_ledger}. Build it with {@link #builder}; see docs/ledger.md for what each field means.
 *
 * <p>{@code (requestId, attempt)} identifies the row: recording it again is harmless, the first write
 * wins. {@code receivedAt} is the instant Tollgate received the client's request, the same for every
 * attempt of that request and for every write of one attempt; it picks the month partition and is part
 * of the database key. Timestamps are kept to the microsecond, as PostgreSQL stores them.
 *
 * @param cost the exact cost from {@code CostCalculator}, or null when the attempt could not be priced
 * @param tags the request's tags ({@code X-Tollgate-Tags}), in order; never null
 */
public record LedgerEntry(
        String requestId,
        int attempt,
        long tenantId,
        long keyId,
        String modelRequested,
        String aliasUsed,
        String modelServed,
        String upstream,
        boolean streamed,
        String thinkingMode,
        Instant receivedAt,
        Instant firstByteAt,
        Instant finishedAt,
        Integer httpStatus,
        String errorType,
        String finishReason,
        long promptTokens,
        long promptCacheHitTokens,
        long promptCacheMissTokens,
        long completionTokens,
        long reasoningTokens,
        boolean usageEstimated,
        CallCost cost,
        String clientRequestId,
        String userId,
        List<String> tags) {

    /** The database's limit; request ids are made by Tollgate, so a longer one is a bug. */
    public static final int MAX_REQUEST_ID_LENGTH = 200;

    public LedgerEntry {
        Objects.requireNonNull(requestId, "requestId");
        if (requestId.isEmpty() || requestId.length() > MAX_REQUEST_ID_LENGTH) {
            throw new IllegalArgumentException("requestId must have 1 to " + MAX_REQUEST_ID_LENGTH + " characters");
        }
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt counts from 1, got " + attempt);
        }
        Objects.requireNonNull(modelRequested, "modelRequested");
        Objects.requireNonNull(receivedAt, "receivedAt");
        if (promptTokens < 0 || promptCacheHitTokens < 0 || promptCacheMissTokens < 0 || completionTokens < 0
                || reasoningTokens < 0) {
            throw new IllegalArgumentException("Token counts cannot be negative");
        }
        receivedAt = micros(receivedAt);
        firstByteAt = micros(firstByteAt);
        finishedAt = micros(finishedAt);
        tags = tags == null ? List.of() : List.copyOf(tags);
    }

    /** The month partition and the idempotency key need the stored value to be the value recorded. */
    private static Instant micros(Instant t) {
        return t == null ? null : t.truncatedTo(ChronoUnit.MICROS);
    }

    /**
     * Starts an entry with what every attempt has; everything else defaults to null, zero or false.
     *
     * @param attempt 1 for the first upstream attempt of the request, 2 for its first retry, ...
     * @param receivedAt when Tollgate received the client's request (not when this attempt started)
     */
    public static Builder builder(String requestId, int attempt, long tenantId, long keyId, String modelRequested,
            Instant receivedAt) {
        return new Builder(requestId, attempt, tenantId, keyId, modelRequested, receivedAt);
    }

    /** Fills an entry field by field, so that the many strings of an attempt cannot be swapped by position. */
    public static final class Builder {
        private final String requestId;
        private final int attempt;
        private final long tenantId;
        private final long keyId;
        private final String modelRequested;
        private final Instant receivedAt;
        private String aliasUsed;
        private String modelServed;
        private String upstream;
        private boolean streamed;
        private String thinkingMode;
        private Instant firstByteAt;
        private Instant finishedAt;
        private Integer httpStatus;
        private String errorType;
        private String finishReason;
        private long promptTokens;
        private long promptCacheHitTokens;
        private long promptCacheMissTokens;
        private long completionTokens;
        private long reasoningTokens;
        private boolean usageEstimated;
        private CallCost cost;
        private String clientRequestId;
        private String userId;
        private List<String> tags = List.of();

        private Builder(String requestId, int attempt, long tenantId, long keyId, String modelRequested,
                Instant receivedAt) {
            this.requestId = requestId;
            this.attempt = attempt;
            this.tenantId = tenantId;
            this.keyId = keyId;
            this.modelRequested = modelRequested;
            this.receivedAt = receivedAt;
        }

        /** The alias the client named, when {@code modelRequested} was one (e.g. {@code deepseek-chat}). */
        public Builder aliasUsed(String alias) {
            this.aliasUsed = alias;
            return this;
        }

        public Builder modelServed(String model) {
            this.modelServed = model;
            return this;
        }

        /** The endpoint's name or base URL; never anything secret. */
        public Builder upstream(String endpoint) {
            this.upstream = endpoint;
            return this;
        }

        public Builder streamed(boolean streamed) {
            this.streamed = streamed;
            return this;
        }

        /** e.g. {@code disabled}, {@code high} or {@code max} (thinking enabled at that effort). */
        public Builder thinkingMode(String mode) {
            this.thinkingMode = mode;
            return this;
        }

        public Builder firstByteAt(Instant at) {
            this.firstByteAt = at;
            return this;
        }

        public Builder finishedAt(Instant at) {
            this.finishedAt = at;
            return this;
        }

        /** The upstream's HTTP status for this attempt; null when none came (connect error, timeout). */
        public Builder httpStatus(Integer status) {
            this.httpStatus = status;
            return this;
        }

        public Builder errorType(String type) {
            this.errorType = type;
            return this;
        }

        public Builder finishReason(String reason) {
            this.finishReason = reason;
            return this;
        }

        /** DeepSeek's usage fields; reasoning tokens are part of the completion tokens. */
        public Builder tokens(long prompt, long cacheHit, long cacheMiss, long completion, long reasoning) {
            this.promptTokens = prompt;
            this.promptCacheHitTokens = cacheHit;
            this.promptCacheMissTokens = cacheMiss;
            this.completionTokens = completion;
            this.reasoningTokens = reasoning;
            return this;
        }

        /** True when usage was estimated (client abort, mid-stream failure) rather than reported upstream. */
        public Builder usageEstimated(boolean estimated) {
            this.usageEstimated = estimated;
            return this;
        }

        public Builder cost(CallCost cost) {
            this.cost = cost;
            return this;
        }

        /** The caller's own id for the request ({@code X-Client-Request-Id}), kept beside Tollgate's. */
        public Builder clientRequestId(String id) {
            this.clientRequestId = id;
            return this;
        }

        /** The client's {@code user_id}. */
        public Builder userId(String userId) {
            this.userId = userId;
            return this;
        }

        public Builder tags(List<String> tags) {
            this.tags = tags;
            return this;
        }

        public LedgerEntry build() {
            return new LedgerEntry(requestId, attempt, tenantId, keyId, modelRequested, aliasUsed, modelServed,
                    upstream, streamed, thinkingMode, receivedAt, firstByteAt, finishedAt, httpStatus, errorType,
                    finishReason, promptTokens, promptCacheHitTokens, promptCacheMissTokens, completionTokens,
                    reasoningTokens, usageEstimated, cost, clientRequestId, userId, tags);
        }
    }
}
