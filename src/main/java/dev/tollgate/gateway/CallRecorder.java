package dev.tollgate.gateway;

import dev.tollgate.ledger.LedgerEntry;
import dev.tollgate.ledger.UsageLedger;
import dev.tollgate.pricing.CallCost;
import dev.tollgate.pricing.CostCalculator;
import dev.tollgate.pricing.PriceUnavailableException;
import dev.tollgate.pricing.TokenClass;
import dev.tollgate.pricing.TokenCounts;
import dev.tollgate.upstream.UpstreamEndpoint;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Settle and record: prices each upstream attempt at the instant the request was received and hands it
 * to the usage ledger, which writes it off the response path and never loses it.
 */
@ApplicationScoped
public class CallRecorder {

    private static final Logger LOG = Logger.getLogger(CallRecorder.class);
    /** DeepSeek's own limit for user_id; a longer one is refused upstream anyway. */
    static final int MAX_USER_ID = 512;
    /** finish_reason comes from the upstream: kept short whatever it sends. */
    private static final int MAX_FINISH_REASON = 64;
    /** A refused call's model name is the client's, not one of the catalog's: kept as a row can hold it. */
    static final int MAX_MODEL = 256;

    @Inject
    CostCalculator costs;
    @Inject
    UsageLedger ledger;
    @Inject
    MeterRegistry metrics;

    /**
     * A counter per endpoint, model, status and error (a 200 whose stream broke off is one), found without building
     * and sorting the registry's tags on every call.
     */
    private final Map<AttemptOutcome, Counter> attempts = new ConcurrentHashMap<>();

    private record AttemptOutcome(String endpoint, String model, int status, String error) {
    }

    /**
     * Buckets for upstream and gateway latency, in seconds: an LLM answers in tenths of a second to minutes, so the
     * registry's default buckets (up to 30 s, most of them below 1 s) would say little about the slow end.
     */
    static final Duration[] LATENCY_BUCKETS = Stream.of(0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0,
            30.0, 60.0, 120.0, 300.0, 600.0).map(s -> Duration.ofMillis((long) (s * 1000))).toArray(Duration[]::new);

    /** Each endpoint's latency per model: how long its answers took, and its streams until their first chunk. */
    private final Map<EndpointModel, UpstreamTimers> latency = new ConcurrentHashMap<>();

    private record EndpointModel(String endpoint, String model) {
    }

    private record UpstreamTimers(Timer answer, Timer firstChunk) {
    }

    /** Tokens billed per tenant, model and token class: cache hits are money, and dashboards want them live. */
    private final Map<TenantModel, TokenCounters> tokens = new ConcurrentHashMap<>();

    private record TenantModel(String tenant, String model) {
    }

    private record TokenCounters(Counter cacheHit, Counter cacheMiss, Counter output) {
    }

    void attempt(ChatCall call, UpstreamEndpoint endpoint, int status, String errorType, String finishReason,
            Usage usage) {
        CallCost cost = usage == Usage.NONE ? null : price(call, usage);
        ledger.record(row(call, Math.max(1, call.attempt))
                .modelServed(call.servedModel)
                .upstream(endpoint == null ? null : endpoint.name())
                .thinkingMode(thinkingMode(call))
                .firstByteAt(call.firstByteAt)
                .httpStatus(status == 0 ? null : status)
                .errorType(errorType)
                .finishReason(storable(finishReason, MAX_FINISH_REASON))
                .tokens(usage.promptTokens(), usage.cacheHitTokens(), usage.cacheMissTokens(),
                        usage.completionTokens(), usage.reasoningTokens())
                .usageEstimated(usage.estimated())
                .cost(cost)
                .build());
        call.attemptOpen = false; // only once recorded: a failure before leaves it open, for the defect guard to record
        String endpointName = endpoint == null ? "none" : endpoint.name();
        attempts.computeIfAbsent(new AttemptOutcome(endpointName, call.servedModel, status,
                errorType == null ? "none" : errorType), o -> Counter.builder("tollgate_gateway_attempts")
                .description("Upstream attempts recorded in the usage ledger, by endpoint, model, status and error")
                .tags("endpoint", o.endpoint(), "model", String.valueOf(o.model()),
                        "status", String.valueOf(o.status()), "error", o.error()).register(metrics)).increment();
        if (endpoint != null) {
            timeUpstream(call, endpointName, status == 200 && errorType == null);
        }
        if (usage != Usage.NONE) {
            TokenCounters t = tokens.computeIfAbsent(new TenantModel(call.key.tenantSlug(), call.servedModel),
                    tm -> new TokenCounters(tokenCounter(tm, TokenClass.INPUT_CACHE_HIT),
                            tokenCounter(tm, TokenClass.INPUT_CACHE_MISS), tokenCounter(tm, TokenClass.OUTPUT)));
            t.cacheHit().increment(usage.cacheHitTokens());
            t.cacheMiss().increment(usage.cacheMissTokens());
            t.output().increment(usage.completionTokens()); // reasoning tokens are inside, billed as output
        }
    }

    /**
     * A call Tollgate answered itself before any upstream attempt (a 400, 403, 404 or 410 once its model was read, a
     * 503 with no endpoint to try, or a 500 of a defect): its one row, attempt 1 with no upstream, no tokens and no
     * cost, keeps the call in the ledger, so that whoever still sends a retired name or a model their key may not use
     * is seen.
     */
    void refused(ChatCall call, int status, String errorCode) {
        ledger.record(row(call, 1).httpStatus(status).errorType(errorCode).build());
    }

    /** What every row of the call has: who called, with what, and when it ended. */
    private static LedgerEntry.Builder row(ChatCall call, int attempt) {
        return LedgerEntry.builder(call.requestId, attempt, call.key.tenantId(), call.key.keyId(),
                        storable(call.requestedModel, MAX_MODEL), call.receivedAt)
                .aliasUsed(call.aliasUsed)
                .streamed(call.stream)
                .finishedAt(Instant.now())
                .clientRequestId(call.clientRequestId)
                .userId(storable(call.userId, MAX_USER_ID))
                .tags(call.tags);
    }

    /**
     * The endpoint's latency from the attempt's start: to the whole answer (a complete one only: a stream the
     * client left, or a failure, says nothing about it), and for a stream to its first chunk, the time to first
     * token, however the stream ended.
     */
    private void timeUpstream(ChatCall call, String endpoint, boolean complete) {
        long now = System.nanoTime();
        UpstreamTimers t = latency.computeIfAbsent(new EndpointModel(endpoint, String.valueOf(call.servedModel)),
                em -> new UpstreamTimers(
                        latencyTimer("tollgate.upstream.answer", em, "Time from sending a call to an upstream endpoint"
                                + " to its complete 200 answer"),
                        latencyTimer("tollgate.upstream.first.chunk", em, "Time from sending a streamed call to an"
                                + " upstream endpoint to the first chunk of its answer (time to first token)")));
        if (complete) {
            t.answer().record(now - call.attemptStartedNanos, TimeUnit.NANOSECONDS);
        }
        if (call.relay != null && call.relay.answerBegun) {
            t.firstChunk().record(call.relay.firstChunkNanos - call.attemptStartedNanos, TimeUnit.NANOSECONDS);
        }
    }

    private Timer latencyTimer(String name, EndpointModel em, String description) {
        return Timer.builder(name).description(description).tags("endpoint", em.endpoint(), "model", em.model())
                .serviceLevelObjectives(LATENCY_BUCKETS).register(metrics);
    }

    private Counter tokenCounter(TenantModel tm, TokenClass tokenClass) {
        return Counter.builder("tollgate.gateway.tokens").baseUnit("tokens")
                .description("Tokens of the calls recorded in the usage ledger (estimates included), by price class")
                .tags("tenant", tm.tenant(), "model", String.valueOf(tm.model()), "class", tokenClass.wireName())
                .register(metrics);
    }

    // Reasoning tokens are part of completion_tokens and billed as output.
    private CallCost price(ChatCall call, Usage usage) {
        try {
            return costs.cost(call.servedModel, call.receivedAt,
                    new TokenCounts(usage.cacheHitTokens(), usage.cacheMissTokens(), usage.completionTokens()));
        } catch (PriceUnavailableException e) {
            LOG.errorf("No price in force for %s at %s: call %s recorded without cost", call.servedModel,
                    call.receivedAt, call.requestId);
            countUnpriced(call);
            return null;
        } catch (RuntimeException e) { // a price book never loaded (its database away since the start): keep the row
            LOG.errorf("Price book unavailable (%s): call %s recorded without cost", e.getMessage(), call.requestId);
            countUnpriced(call);
            return null;
        }
    }

    private void countUnpriced(ChatCall call) {
        Counter.builder("tollgate_gateway_unpriced_attempts")
                .description("Attempts recorded without a cost: no price in force for the model, or no price book")
                .tag("model", String.valueOf(call.servedModel)).register(metrics).increment();
    }

    /**
     * Text from the client or the upstream, as a ledger row can hold it: PostgreSQL text cannot hold a NUL,
     * and a row the database refuses is set aside unbilled, so a client could otherwise make its own calls
     * free. Bounded too, since rows wait in memory while the database is away: in characters as PostgreSQL and
     * people count them, and cut between two, never inside an emoji (half of one is stored as "?").
     */
    static String storable(String text, int maxChars) {
        if (text == null) {
            return null;
        }
        String bounded = text.length() <= maxChars || text.codePointCount(0, text.length()) <= maxChars ? text
                : text.substring(0, text.offsetByCodePoints(0, maxChars));
        return bounded.indexOf('\0') < 0 ? bounded : bounded.replace('\0', '\uFFFD');
    }

    private static String thinkingMode(ChatCall call) {
        if (!call.thinking) {
            return "disabled";
        }
        String effort = call.reasoningEffort == null ? "high" : call.reasoningEffort;
        return effort.equals("max") || effort.equals("xhigh") ? "max" : "high";
    }
}
