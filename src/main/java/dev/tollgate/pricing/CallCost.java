package dev.tollgate.pricing;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * The exact cost of one call: per token class tokens × rate / 1,000,000 in USD, unrounded, and the
 * price entry each line used. Amounts have no trailing zeros and never a negative scale.
 */
public record CallCost(String model, Instant receivedAt, Line inputCacheHit, Line inputCacheMiss, Line output,
        BigDecimal total) {

    /** One token class: how many tokens, at which rate (from which price entry), costing how much. */
    public record Line(TokenClass tokenClass, long tokens, BigDecimal usdPerMillionTokens, BigDecimal cost,
            long priceEntryId) {
    }

    /** The three lines in token-class order: cache hit, cache miss, output. */
    public List<Line> lines() {
        return List.of(inputCacheHit, inputCacheMiss, output);
    }

    public Line line(TokenClass c) {
        return switch (c) {
            case INPUT_CACHE_HIT -> inputCacheHit;
            case INPUT_CACHE_MISS -> inputCacheMiss;
            case OUTPUT -> output;
        };
    }

    /** The ids of the price entries used, in token-class order (hit, miss, output). */
    public List<Long> priceEntryIds() {
        return List.of(inputCacheHit.priceEntryId(), inputCacheMiss.priceEntryId(), output.priceEntryId());
    }
}
