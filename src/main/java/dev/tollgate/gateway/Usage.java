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
        long prompt = usage.path("prompt_tokens").asLong(0);
        long hit = usage.has("prompt_cache_hit_tokens") ? usage.path("prompt_cache_hit_tokens").asLong(0)
                : usage.path("prompt_tokens_details").path("cached_tokens").asLong(0);
        long miss = usage.has("prompt_cache_miss_tokens") ? usage.path("prompt_cache_miss_tokens").asLong(0)
                : Math.max(0, prompt - hit);
        return new Usage(prompt, hit, miss, usage.path("completion_tokens").asLong(0),
                usage.path("completion_tokens_details").path("reasoning_tokens").asLong(0), false);
    }

    /**
     * After an abort: the whole prompt counts as a cache miss (the dearer class) and output as streamed, at four
     * bytes of UTF-8 answer text a token, the unit of the prompt's estimate too.
     */
    static Usage estimate(long promptTokens, long answerBytes) {
        long completion = (answerBytes + 3) / 4;
        return new Usage(promptTokens, 0, promptTokens, completion, 0, true);
    }
}
