package dev.tollgate.simulator;

import static dev.tollgate.simulator.SimulatorHarness.chat;
import static dev.tollgate.simulator.SimulatorHarness.chunks;
import static dev.tollgate.simulator.SimulatorHarness.sseLines;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class StreamingTest {

    @RegisterExtension
    static final SimulatorHarness sim = SimulatorHarness.zeroLatency();

    static ObjectNode streaming(String text, boolean includeUsage) {
        ObjectNode body = chat("deepseek-v4-flash", text).put("stream", true);
        if (includeUsage) {
            body.putObject("stream_options").put("include_usage", true);
        }
        return body;
    }

    @Test
    void thinkingStreamGoesRoleThenReasoningThenContentAndEndsWithUsageAndDone() {
        HttpResponse<String> response = sim.post("/chat/completions", streaming("Why is the sky blue?", true));
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Type").orElseThrow().startsWith("text/event-stream"));
        List<String> lines = sseLines(response.body());
        assertEquals("data: [DONE]", lines.get(lines.size() - 1));
        List<JsonNode> chunks = chunks(response.body());

        JsonNode first = chunks.get(0);
        assertEquals("chat.completion.chunk", first.get("object").asText());
        assertEquals("deepseek-v4-flash", first.get("model").asText());
        JsonNode firstDelta = first.get("choices").get(0).get("delta");
        assertEquals("assistant", firstDelta.get("role").asText());
        assertTrue(firstDelta.get("content").isNull());
        assertEquals("", firstDelta.get("reasoning_content").asText());

        StringBuilder reasoning = new StringBuilder();
        StringBuilder content = new StringBuilder();
        boolean contentStarted = false;
        for (int i = 1; i < chunks.size() - 1; i++) {
            JsonNode chunk = chunks.get(i);
            assertEquals(first.get("id"), chunk.get("id"), "one id for the whole stream");
            assertTrue(chunk.get("usage").isNull(), "usage is null on every chunk but the last");
            assertTrue(chunk.get("choices").get(0).get("finish_reason").isNull());
            JsonNode delta = chunk.get("choices").get(0).get("delta");
            if (delta.get("content").isNull()) {
                assertFalse(contentStarted, "no reasoning after the answer began");
                reasoning.append(delta.get("reasoning_content").asText());
            } else {
                contentStarted = true;
                assertTrue(delta.get("reasoning_content").isNull());
                content.append(delta.get("content").asText());
            }
        }
        JsonNode last = chunks.get(chunks.size() - 1);
        assertEquals("stop", last.get("choices").get(0).get("finish_reason").asText());
        JsonNode usage = last.get("usage");
        assertEquals(usage.get("prompt_tokens").asInt() + usage.get("completion_tokens").asInt(),
                usage.get("total_tokens").asInt());

        // the same request without streaming says the same thing with the same usage
        ObjectNode plain = chat("deepseek-v4-flash", "Why is the sky blue?");
        JsonNode whole = sim.complete(plain);
        JsonNode message = whole.get("choices").get(0).get("message");
        assertEquals(message.get("reasoning_content").asText(), reasoning.toString());
        assertEquals(message.get("content").asText(), content.toString());
        assertEquals(whole.get("usage").get("completion_tokens"), usage.get("completion_tokens"));
        assertEquals(whole.get("usage").get("completion_tokens_details"), usage.get("completion_tokens_details"));
        // one streamed event per token
        assertEquals(usage.get("completion_tokens").asInt(), chunks.size() - 2);
    }

    @Test
    void withoutThinkingTheFirstDeltaCarriesEmptyContentOnly() {
        ObjectNode body = streaming("Hi", true);
        body.putObject("thinking").put("type", "disabled");
        List<JsonNode> chunks = chunks(sim.post("/chat/completions", body).body());
        JsonNode firstDelta = chunks.get(0).get("choices").get(0).get("delta");
        assertEquals("assistant", firstDelta.get("role").asText());
        assertEquals("", firstDelta.get("content").asText());
        assertFalse(firstDelta.has("reasoning_content"));
        assertFalse(chunks.get(chunks.size() - 1).get("usage").has("completion_tokens_details"));
    }

    @Test
    void documentedUsageFormAddsAFinalChunkWithEmptyChoices() {
        for (String[] headers : new String[][] {{SimulatorSettings.UsageForm.HEADER, "documented"}, {}}) {
            ObjectNode body = streaming(headers.length == 0 ? "Hi [[sim:usage=documented]]" : "Hi", true);
            List<JsonNode> chunks = chunks(sim.post("/chat/completions", body, headers).body());
            JsonNode finish = chunks.get(chunks.size() - 2);
            assertEquals("stop", finish.get("choices").get(0).get("finish_reason").asText());
            assertTrue(finish.get("usage").isNull());
            JsonNode last = chunks.get(chunks.size() - 1);
            assertEquals(0, last.get("choices").size());
            assertTrue(last.get("usage").get("prompt_tokens").asInt() > 0);
        }
    }

    @Test
    void withoutIncludeUsageNoChunkHasUsage() {
        List<JsonNode> chunks = chunks(sim.post("/chat/completions", streaming("Hi", false)).body());
        chunks.forEach(c -> assertFalse(c.has("usage")));
        assertEquals("stop", chunks.get(chunks.size() - 1).get("choices").get(0).get("finish_reason").asText());
    }

    @Test
    void keepAliveCommentsComeBeforeTheFirstChunkWhenAskedFor() {
        List<String> lines = sseLines(sim.post("/chat/completions", streaming("Hi", true),
                Fault.HEADER, "keep-alive").body());
        assertEquals(": keep-alive", lines.get(0));
        assertEquals(": keep-alive", lines.get(2));
        assertTrue(lines.get(3).startsWith("data: {"));
    }

    @Test
    void keepAliveCommentsFillTheWaitForTheFirstToken() {
        try (SimulatorHarness slow = new SimulatorHarness(SimulatorSettings.builder().latency("250/1000")
                .keepAliveInterval(java.time.Duration.ofMillis(100)).build())) {
            List<String> lines = sseLines(slow.post("/chat/completions", streaming("Hi", true)).body());
            // at least one: a loaded machine may run the first token's timer before a second keep-alive's
            long keepAlives = lines.stream().takeWhile(l -> !l.startsWith("data:")).filter(": keep-alive"::equals).count();
            assertTrue(keepAlives >= 1, "keep-alives before the first token: " + lines);
            assertTrue(lines.stream().dropWhile(l -> !l.startsWith("data:")).noneMatch(": keep-alive"::equals),
                    "none once tokens flow: " + lines);
            String plain = slow.post("/chat/completions", chat("deepseek-v4-flash", "Hi")).body();
            assertTrue(plain.startsWith("\n") && plain.strip().startsWith("{"),
                    "blank lines hold a non-streaming response open");
        }
    }

    @Test
    void toolCallsStreamAsNameFirstThenArgumentFragments() {
        ObjectNode body = streaming("Please get_weather for Paris", true);
        ObjectNode params = body.putArray("tools").addObject().put("type", "function").putObject("function")
                .put("name", "get_weather").putObject("parameters").put("type", "object");
        params.putObject("properties").putObject("city").put("type", "string");
        List<JsonNode> chunks = chunks(sim.post("/chat/completions", body).body());
        JsonNode start = null;
        StringBuilder arguments = new StringBuilder();
        for (JsonNode chunk : chunks) {
            JsonNode calls = chunk.get("choices").size() == 0 ? null : chunk.get("choices").get(0).get("delta")
                    .get("tool_calls");
            if (calls == null) {
                continue;
            }
            JsonNode call = calls.get(0);
            assertEquals(0, call.get("index").asInt());
            if (start == null) {
                start = call;
                assertTrue(call.get("id").asText().startsWith("call_00_"));
                assertEquals("function", call.get("type").asText());
                assertEquals("get_weather", call.get("function").get("name").asText());
            } else {
                assertFalse(call.has("id"));
                assertFalse(call.get("function").has("name"));
                arguments.append(call.get("function").get("arguments").asText());
            }
        }
        assertTrue(start != null);
        assertTrue(SimulatorHarness.parse(arguments.toString()).get("city").isTextual());
        assertEquals("tool_calls", chunks.get(chunks.size() - 1).get("choices").get(0).get("finish_reason").asText());
    }

    @Test
    void countsStreamsAndTheirCompletion() {
        sim.post("/chat/completions", streaming("Hi", true));
        SimulatorStats.Snapshot stats = sim.simulator.stats().snapshot();
        assertEquals(1, stats.streamed());
        assertEquals(1, stats.completed());
        assertEquals(0, stats.inFlightTotal());
    }
}
