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
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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

    @Inject
    CostCalculator costs;
    @Inject
    UsageLedger ledger;
    @Inject
    MeterRegistry metrics;

    /** A counter per model and status, found without building and sorting the registry's tags on every call. */
    private final Map<AttemptOutcome, Counter> attempts = new ConcurrentHashMap<>();

    private record AttemptOutcome(String model, int status) {
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
        ledger.record(LedgerEntry.builder(call.requestId, Math.max(1, call.attempt), call.key.tenantId(),
                        call.key.keyId(), call.requestedModel, call.receivedAt)
                .aliasUsed(call.aliasUsed)
                .modelServed(call.servedModel)
                .upstream(endpoint == null ? null : endpoint.name())
                .streamed(call.stream)
                .thinkingMode(thinkingMode(call))
                .firstByteAt(call.firstByteAt)
                .finishedAt(Instant.now())
                .httpStatus(status == 0 ? null : status)
                .errorType(errorType)
                .finishReason(storable(finishReason, MAX_FINISH_REASON))
                .tokens(usage.promptTokens(), usage.cacheHitTokens(), usage.cacheMissTokens(),
                        usage.completionTokens(), usage.reasoningTokens())
                .usageEstimated(usage.estimated())
                .cost(cost)
                .clientRequestId(call.clientRequestId)
                .userId(storable(call.userId, MAX_USER_ID))
                .tags(call.tags)
                .build());
        call.attemptOpen = false; // only once recorded: a failure before leaves it open, for the defect guard to record
        attempts.computeIfAbsent(new AttemptOutcome(call.servedModel, status), o -> metrics.counter(
                "tollgate_gateway_attempts", "model", String.valueOf(o.model()), "status", String.valueOf(o.status())))
                .increment();
        if (usage != Usage.NONE) {
            TokenCounters t = tokens.computeIfAbsent(new TenantModel(call.key.tenantSlug(), call.servedModel),
                    tm -> new TokenCounters(tokenCounter(tm, TokenClass.INPUT_CACHE_HIT),
                            tokenCounter(tm, TokenClass.INPUT_CACHE_MISS), tokenCounter(tm, TokenClass.OUTPUT)));
            t.cacheHit().increment(usage.cacheHitTokens());
            t.cacheMiss().increment(usage.cacheMissTokens());
            t.output().increment(usage.completionTokens()); // reasoning tokens are inside, billed as output
        }
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
            metrics.counter("tollgate_gateway_unpriced_attempts", "model", String.valueOf(call.servedModel)).increment();
            return null;
        } catch (RuntimeException e) { // a price book never loaded (its database away since the start): keep the row
            LOG.errorf("Price book unavailable (%s): call %s recorded without cost", e.getMessage(), call.requestId);
            metrics.counter("tollgate_gateway_unpriced_attempts", "model", String.valueOf(call.servedModel)).increment();
            return null;
        }
    }

    /**
     * Text from the client or the upstream, as a ledger row can hold it: PostgreSQL text cannot hold a NUL,
     * and a row the database refuses is set aside unbilled, so a client could otherwise make its own calls
     * free. Bounded too, since rows wait in memory while the database is away.
     */
    static String storable(String text, int maxChars) {
        if (text == null) {
            return null;
        }
        String bounded = text.length() > maxChars ? text.substring(0, maxChars) : text;
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
