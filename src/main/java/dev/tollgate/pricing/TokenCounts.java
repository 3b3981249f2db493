package dev.tollgate.pricing;

/**
 * The billed tokens of one call, as DeepSeek reports them: {@code prompt_cache_hit_tokens},
 * {@code prompt_cache_miss_tokens} and {@code completion_tokens} (reasoning tokens included).
 */
public record TokenCounts(long cacheHit, long cacheMiss, long output) {

    public TokenCounts {
        if (cacheHit < 0 || cacheMiss < 0 || output < 0) {
            throw new IllegalArgumentException(
                    "Token counts cannot be negative: hit " + cacheHit + ", miss " + cacheMiss + ", output " + output);
        }
    }

    public long of(TokenClass c) {
        return switch (c) {
            case INPUT_CACHE_HIT -> cacheHit;
            case INPUT_CACHE_MISS -> cacheMiss;
            case OUTPUT -> output;
        };
    }
}
