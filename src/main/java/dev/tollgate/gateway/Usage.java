package dev.tollgate.gateway;

import com.fasterxml.jackson.databind.JsonNode;

/** Token usage of one attempt, as reported by the upstream or estimated by Tollgate. */
record Usage(long promptTokens, long cacheHitTokens, long cacheMissTokens, long completionTokens,
        long reasoningTokens, boolean estimated) {

    static final Usage NONE = new Usage(0, 0, 0, 0, 0, false);

    /**
     * Reads DeepSeek's usage object. prompt = hit + miss; when an OpenAI-style server reports only
     * prompt_tokens_details.cached_tokens, the rest of the prompt counts as miss.
     */
    static Usage from(JsonNode usage) {
        long prompt = count(usage.path("prompt_tokens"));
        long hit = count(usage.has("prompt_cache_hit_tokens") ? usage.path("prompt_cache_hit_tokens")
                : usage.path("prompt_tokens_details").path("cached_tokens"));
        long miss = usage.has("prompt_cache_miss_tokens") ? count(usage.path("prompt_cache_miss_tokens"))
                : Math.max(0, prompt - hit);
        return new Usage(prompt, hit, miss, count(usage.path("completion_tokens")),
                count(usage.path("completion_tokens_details").path("reasoning_tokens")), false);
    }

    /**
     * A count as a ledger row can hold it. A broken upstream's negative count is 0 and one past a long's range
     * saturates: a count the ledger refused would leave the attempt with no row at all, and its client waiting.
     */
    private static long count(JsonNode n) {
        if (n.isBigInteger() && !n.canConvertToLong()) {
            return n.bigIntegerValue().signum() > 0 ? Long.MAX_VALUE : 0;
        }
        return Math.max(0, n.asLong(0));
    }

    /**
     * After an abort: the whole prompt counts as a cache miss (the dearer class) and output as streamed, at four
     * bytes of UTF-8 answer text a token, the unit of the prompt's estimate too.
     */
    static Usage estimate(long promptTokens, long answerBytes) {
        return estimate(promptTokens, answerBytes, 0);
    }

    /** As above, with the reasoning among the answer's bytes counted as reasoning tokens, as DeepSeek counts them. */
    static Usage estimate(long promptTokens, long answerBytes, long reasoningBytes) {
        long completion = (answerBytes + 3) / 4;
        long reasoning = Math.min(completion, (reasoningBytes + 3) / 4);
        return new Usage(promptTokens, 0, promptTokens, completion, reasoning, true);
    }
}
