package dev.tollgate.simulator;

import static dev.tollgate.simulator.SimulatorHarness.chat;
import static dev.tollgate.simulator.SimulatorHarness.textOfTokens;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The context-cache model: 64-token units, per model and user_id, expiring when unused. */
class PrefixCacheTest {

    @RegisterExtension
    static final SimulatorHarness sim = SimulatorHarness.zeroLatency();

    @Test
    void aRepeatedPromptHitsItsWhole64TokenUnits() {
        ObjectNode body = chat("deepseek-v4-flash", textOfTokens("river", 200)); // 200 + 6 markup tokens
        JsonNode first = usage(body);
        assertEquals(206, first.get("prompt_tokens").asInt());
        assertEquals(0, first.get("prompt_cache_hit_tokens").asInt());
        assertEquals(206, first.get("prompt_cache_miss_tokens").asInt());

        JsonNode second = usage(body);
        assertEquals(192, second.get("prompt_cache_hit_tokens").asInt(), "three whole units of 64");
        assertEquals(14, second.get("prompt_cache_miss_tokens").asInt());
        assertEquals(192, second.get("prompt_tokens_details").get("cached_tokens").asInt());
        assertEquals(206, second.get("prompt_tokens").asInt());
    }

    @Test
    void promptsUnder64TokensAreNeverCached() {
        ObjectNode body = chat("deepseek-v4-flash", textOfTokens("stone", 50));
        usage(body);
        assertEquals(0, usage(body).get("prompt_cache_hit_tokens").asInt());
    }

    @Test
    void aGrowingConversationHitsItsEarlierTurns() {
        ObjectNode turn1 = conversation(textOfTokens("system", 150), "first question");
        JsonNode u1 = usage(turn1);
        JsonNode answer = sim.complete(turn1).get("choices").get(0).get("message");

        ObjectNode turn2 = turn1.deepCopy();
        ArrayNode messages = (ArrayNode) turn2.get("messages");
        messages.addObject().put("role", "assistant").put("content", answer.get("content").asText());
        messages.addObject().put("role", "user").put("content", "second question");
        int firstPromptUnits = u1.get("prompt_tokens").asInt() / 64;
        assertEquals(firstPromptUnits * 64, usage(turn2).get("prompt_cache_hit_tokens").asInt());
    }

    @Test
    void aConversationAlsoHitsTheAnswerItSendsBack() {
        String system = textOfTokens("system", 180).substring(0, 718);
        ObjectNode turn1 = conversation(system, "first question");
        turn1.putObject("thinking").put("type", "disabled");
        String prompt1 = "<|system|>" + system + "<|user|>first question<|assistant|>";
        assertEquals(763, prompt1.length(), "5 characters short of a third whole unit");
        String answer = sim.complete(turn1).get("choices").get(0).get("message").get("content").asText();

        ObjectNode turn2 = turn1.deepCopy();
        ArrayNode messages = (ArrayNode) turn2.get("messages");
        messages.addObject().put("role", "assistant").put("content", answer);
        messages.addObject().put("role", "user").put("content", "second question");
        assertEquals((prompt1.length() + answer.length()) / 256 * 64, usage(turn2).get("prompt_cache_hit_tokens").asInt(),
                "the end of the model's output is a persisted unit");
    }

    @Test
    void anAgentLoopHitsTheToolCallTurnItSendsBackWithItsReasoning() {
        ObjectNode tool = SimulatorHarness.JSON.createObjectNode().put("type", "function");
        tool.putObject("function").put("name", "lookup").putObject("parameters").put("type", "object")
                .putObject("properties").putObject("q").put("type", "string");
        String head = "<|tool|>" + tool.get("function") + "<|user|>use tool please ";
        String question = "use tool please " + "x".repeat(Math.floorMod(250 - head.length() - 13, 256));
        ObjectNode turn1 = chat("deepseek-v4-flash", question);
        turn1.putArray("tools").add(tool);
        String prompt1 = "<|tool|>" + tool.get("function") + "<|user|>" + question + "<|assistant|>";
        assertEquals(250, prompt1.length() % 256);
        JsonNode call = sim.complete(turn1).get("choices").get(0).get("message");
        JsonNode function = call.get("tool_calls").get(0).get("function");

        ObjectNode turn2 = turn1.deepCopy();
        ArrayNode messages = (ArrayNode) turn2.get("messages");
        messages.add(call);
        messages.addObject().put("role", "tool").put("tool_call_id", call.get("tool_calls").get(0).get("id").asText())
                .put("content", "42");
        String generated = call.get("reasoning_content").asText() + "<|/think|><|call|>" + function.get("name").asText()
                + function.get("arguments").asText();
        assertEquals((prompt1.length() + generated.length()) / 256 * 64,
                usage(turn2).get("prompt_cache_hit_tokens").asInt());
    }

    @Test
    void promptsThatDifferOnlyAfterTheirLastWholeUnitHitTheSameUnits() {
        String system = textOfTokens("shared", 150); // 150 + 4 markup tokens: two whole units, the questions in neither
        usage(conversation(system, "question A"));
        assertEquals(128, usage(conversation(system, "a different question B")).get("prompt_cache_hit_tokens").asInt());
    }

    @Test
    void aSharedPrefixMissesOnceThenHitsAsADetectedCommonPrefix() {
        String system = textOfTokens("shared", 150); // two whole units before the questions, four in all
        usage(conversation(system, textOfTokens("alpha", 100)));
        assertEquals(0, usage(conversation(system, textOfTokens("bravo", 100))).get("prompt_cache_hit_tokens").asInt(),
                "A+B then A+C misses: no persisted unit matches in full");
        assertEquals(128, usage(conversation(system, textOfTokens("charlie", 100))).get("prompt_cache_hit_tokens").asInt(),
                "but the second request persisted A, the prefix it shares with the first");
    }

    /**
     * A prompt seen before in full has all of itself in common with the earlier one, which is persisted anyway.
     * Every request persists twice (its prompt, then prompt and answer): when the answer completed no unit, the
     * second found the prompt seen and persisted its unit before the end too, so A+B then A+C hit A.
     */
    @Test
    void aPromptSeenInFullPersistsNoShorterPrefix() {
        PrefixCache cache = new PrefixCache(Duration.ofHours(1), 1000);
        long[] aThenB = {1, 2, 3}; // unit hashes: A is the first two units
        cache.persist("m", null, aThenB);
        cache.persist("m", null, aThenB); // the prompt and a short answer: no whole unit more
        assertEquals(0, cache.hitTokens("m", null, new long[] {1, 2, 4}), "A+B then A+C misses");
        assertEquals(192, cache.hitTokens("m", null, aThenB));
        cache.persist("m", null, new long[] {1, 2, 4});
        assertEquals(128, cache.hitTokens("m", null, new long[] {1, 2, 5}), "A+C persisted A");
    }

    @Test
    void theCacheIsIsolatedPerUserIdAndPerModel() {
        String text = textOfTokens("private", 130);
        usage(chat("deepseek-v4-flash", text).put("user_id", "alice"));
        assertEquals(0, usage(chat("deepseek-v4-flash", text).put("user_id", "bob")).get("prompt_cache_hit_tokens").asInt());
        assertEquals(0, usage(chat("deepseek-v4-flash", text)).get("prompt_cache_hit_tokens").asInt());
        assertEquals(0, usage(chat("deepseek-v4-pro", text).put("user_id", "alice")).get("prompt_cache_hit_tokens").asInt());
        assertEquals(128, usage(chat("deepseek-v4-flash", text).put("user_id", "alice")).get("prompt_cache_hit_tokens").asInt());
    }

    @Test
    void streamedUsageReportsHitsToo() {
        ObjectNode body = chat("deepseek-v4-flash", textOfTokens("flow", 100)).put("stream", true);
        body.putObject("stream_options").put("include_usage", true);
        sim.post("/chat/completions", body);
        var chunks = SimulatorHarness.chunks(sim.post("/chat/completions", body).body());
        assertEquals(64, chunks.get(chunks.size() - 1).get("usage").get("prompt_cache_hit_tokens").asInt());
    }

    /**
     * A twin request that arrives while the first is still in its prefill finds nothing cached: the first persists
     * its units only when its prefill is done. (The lookup was made at the first token, so the twin hit.)
     */
    @Test
    void aTwinArrivingDuringThePrefillMisses() throws Exception {
        ObjectNode body = chat("deepseek-v4-flash", textOfTokens("twin", 130)).put("max_tokens", 2);
        var first = sim.postAsync("/chat/completions", body, "X-Simulator-Latency", "1500/1000");
        SimulatorHarness.eventually(() -> assertEquals(1, sim.simulator.stats().snapshot().inFlightTotal()));
        JsonNode twin = SimulatorHarness.parse(sim.post("/chat/completions", body, "X-Simulator-Latency", "0/1000")
                .body()).get("usage");
        assertEquals(0, twin.get("prompt_cache_hit_tokens").asInt(), "the first one's prefill is not done");
        assertEquals(0, SimulatorHarness.parse(first.get().body()).get("usage").get("prompt_cache_hit_tokens").asInt());
        assertEquals(128, usage(body).get("prompt_cache_hit_tokens").asInt(), "both persisted now");
    }

    @Test
    void unusedEntriesExpire() throws InterruptedException {
        try (SimulatorHarness shortLived = new SimulatorHarness(SimulatorSettings.builder().latency("zero")
                .cacheTtl(Duration.ofSeconds(5)).build())) { // long enough for the second call on a busy machine
            ObjectNode body = chat("deepseek-v4-flash", textOfTokens("brief", 100));
            shortLived.complete(body);
            assertEquals(64, shortLived.complete(body).get("usage").get("prompt_cache_hit_tokens").asInt());
            Thread.sleep(6_000);
            assertEquals(0, shortLived.complete(body).get("usage").get("prompt_cache_hit_tokens").asInt());
        }
    }

    private static JsonNode usage(ObjectNode body) {
        JsonNode usage = sim.complete(body).get("usage");
        assertEquals(usage.get("prompt_tokens").asInt(),
                usage.get("prompt_cache_hit_tokens").asInt() + usage.get("prompt_cache_miss_tokens").asInt());
        return usage;
    }

    private static ObjectNode conversation(String system, String question) {
        ObjectNode body = chat("deepseek-v4-flash", question);
        ArrayNode messages = (ArrayNode) body.get("messages");
        messages.insertObject(0).put("role", "system").put("content", system);
        return body;
    }
}
