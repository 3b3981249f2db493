package dev.tollgate.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** How the relay reads an upstream's SSE bytes, however the network cuts them and however the server frames them. */
class StreamRelayTest {

    private final StringBuilder relayed = new StringBuilder();
    private final ChatCall call = new ChatCall("req-1", null, Instant.now(), null);
    private final StreamRelay relay = new StreamRelay(new ObjectMapper(), call, 1 << 20,
            b -> relayed.append(b.toString(StandardCharsets.UTF_8)));

    private static final String CHUNK = "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"deepseek-v4-flash\","
            + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"你好，世界 👋\"},\"finish_reason\":null}]}\n\n";
    private static final String FINISH = "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"deepseek-v4-flash\","
            + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],"
            + "\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":6,\"total_tokens\":16,"
            + "\"prompt_cache_hit_tokens\":0,\"prompt_cache_miss_tokens\":10}}\n\n";

    @Test
    void aCharacterCutInTwoByTheNetworkReachesTheClientWhole() {
        call.clientWantsUsage = true;
        byte[] bytes = CHUNK.getBytes(StandardCharsets.UTF_8);
        int cut = indexOf(bytes, (byte) 0xE4) + 1; // after the first of the three bytes of 你 (E4 BD A0)
        relay.feed(Buffer.buffer(Arrays.copyOfRange(bytes, 0, cut)));
        relay.feed(Buffer.buffer(Arrays.copyOfRange(bytes, cut, bytes.length)));
        assertEquals(CHUNK, relayed.toString());
        assertEquals("你好，世界 👋".getBytes(StandardCharsets.UTF_8).length, relay.streamedBytes, "counted in UTF-8, as the prompt is");
    }

    @Test
    void eventsWithOtherFieldsAndStrayBlankLinesAreStillRead() {
        call.clientWantsUsage = false; // so the relay must find usage to strip it
        relay.feed(Buffer.buffer("event: message\nid: 1\n" + CHUNK + "\n"));  // an odd blank line after the event
        relay.feed(Buffer.buffer("id: 2\r\n" + FINISH.replace("\n\n", "\r\n\r\n")));
        relay.feed(Buffer.buffer("\ndata: [DONE]\n\n"));

        assertTrue(relay.done, "[DONE] after a stray blank line ends the stream normally");
        assertEquals("stop", relay.finishReason);
        assertEquals(6, relay.usage.completionTokens(), "usage read from an event that starts with an id field");
        assertTrue(!relayed.toString().contains("\"usage\":{"), "usage the client did not ask for is stripped");
        assertTrue(relayed.toString().contains("id: 2\r\n"), "other fields are kept as sent: " + relayed);
        assertTrue(relayed.toString().contains("event: message\nid: 1\n" + CHUNK));
    }

    @Test
    void eventsThatArriveTogetherLeaveInOneWrite() {
        call.clientWantsUsage = true;
        java.util.List<String> writes = new java.util.ArrayList<>();
        StreamRelay relay = new StreamRelay(new ObjectMapper(), call, 1 << 20, b -> writes.add(b.toString(StandardCharsets.UTF_8)));
        relay.feed(Buffer.buffer(CHUNK + ": keep-alive\n\n" + CHUNK + "data: {\"id\":\"c1\""));
        assertEquals(java.util.List.of(CHUNK + ": keep-alive\n\n" + CHUNK), writes, "one write, the incomplete event kept back");
        relay.feed(Buffer.buffer(",\"choices\":[]}\n\ndata: [DONE]\n\n"));
        assertEquals(2, writes.size());
        assertEquals("data: {\"id\":\"c1\",\"choices\":[]}\n\ndata: [DONE]\n\n", writes.get(1));
    }

    @Test
    void theNullUsageOnEveryChunkIsCutOutForAClientThatDidNotAskForUsageAndTheRestIsKeptByteForByte() {
        call.clientWantsUsage = false;
        String[][] chunks = { // as sent, as relayed
            {"{\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"say \\\"usage\\\":null\"}}],\"usage\":null}",
             "{\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"say \\\"usage\\\":null\"}}]}"},
            {"{\"usage\": null, \"id\":\"c2\",\"choices\":[]}", "{ \"id\":\"c2\",\"choices\":[]}"},
            {"{\"id\":\"c3\" , \"usage\" : null , \"model\":\"deepseek-v4-flash\"}",
             "{\"id\":\"c3\"  , \"model\":\"deepseek-v4-flash\"}"},
            {"{\"usage\":null}", "{}"},
        };
        for (String[] chunk : chunks) {
            relayed.setLength(0);
            relay.feed(Buffer.buffer("data: " + chunk[0] + "\n\n"));
            assertEquals("data: " + chunk[1] + "\n\n", relayed.toString());
        }
        assertEquals("say \"usage\":null".length(), relay.streamedBytes, "text that looks like the field is kept");
    }

    @Test
    void anAliasIsRenamedInEveryChunkAndEveryOtherByteIsKept() {
        StreamRelay relay = aliasRelay(true);
        // Numbers, escapes and spacing as a Python server writes them; a JSON tree would write -3.2E-6 and 你.
        String chunk = "data: {\"id\": \"c1\", \"model\": \"deepseek-v4-flash\", \"choices\": [{\"index\": 0, \"delta\": "
                + "{\"content\": \"\\u4f60\"}, \"logprobs\": {\"content\": [{\"token\": \"\\u4f60\", \"logprob\": -3.2e-06}]}, "
                + "\"finish_reason\": null}], \"usage\": null}\n\n";
        relay.feed(Buffer.buffer(chunk));
        assertEquals(chunk.replace("deepseek-v4-flash", "deepseek-chat"), relayed.toString());

        // DeepSeek's usage on the finish chunk becomes a finish chunk and a usage chunk, each renamed, nothing else changed
        relayed.setLength(0);
        relay.feed(Buffer.buffer("data: {\"model\":\"deepseek-v4-flash\",\"choices\":[{\"delta\":{},\"logprobs\":"
                + "{\"content\":[{\"logprob\":-1e-05}]},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":5,"
                + "\"completion_tokens\":2,\"total_tokens\":7}}\n\n"));
        assertEquals("data: {\"model\":\"deepseek-chat\",\"choices\":[{\"delta\":{},\"logprobs\":"
                + "{\"content\":[{\"logprob\":-1e-05}]},\"finish_reason\":\"stop\"}],\"usage\":null}\n\n"
                + "data: {\"model\":\"deepseek-chat\",\"choices\":[],\"usage\":{\"prompt_tokens\":5,"
                + "\"completion_tokens\":2,\"total_tokens\":7}}\n\n", relayed.toString());
        assertEquals(2, relay.usage.completionTokens());
        assertEquals("stop", relay.finishReason);
    }

    @Test
    void aChunkSpreadOverSeveralDataLinesIsRenamedAndKeepsItsLines() {
        StreamRelay relay = aliasRelay(false);
        relay.feed(Buffer.buffer("id: 7\ndata: {\"model\":\"deepseek-v4-flash\",\ndata: \"choices\":[{\"delta\":"
                + "{\"content\":\"hi\"}}],\ndata: \"usage\":null}\n\n"));
        assertEquals("id: 7\ndata: {\"model\":\"deepseek-chat\",\ndata: \"choices\":[{\"delta\":{\"content\":\"hi\"}}]}\n\n",
                relayed.toString());
        assertEquals(2, relay.streamedBytes);
    }

    @Test
    void aChunkWithEmptyChoicesAndNoUsageIsNotTakenForTheUsageChunk() {
        call.clientWantsUsage = false;
        relay.feed(Buffer.buffer("data: {\"id\":\"c0\",\"choices\":[],\"usage\":null,\"prompt_filter_results\":[]}\n\n"));
        assertEquals("data: {\"id\":\"c0\",\"choices\":[],\"prompt_filter_results\":[]}\n\n", relayed.toString());
        relayed.setLength(0);
        relay.feed(Buffer.buffer("data: {\"id\":\"c1\",\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2}}\n\n"));
        assertEquals("", relayed.toString(), "the usage chunk the client did not ask for is dropped");
    }

    @Test
    void anEventThatGrowsPastTheLimitWithoutEndingIsRefusedAndWhatCameBeforeItIsRelayed() {
        call.clientWantsUsage = true;
        StreamRelay relay = new StreamRelay(new ObjectMapper(), call, 64, b -> relayed.append(b.toString(StandardCharsets.UTF_8)));
        String small = "data: {\"id\":\"c1\",\"choices\":[]}\n\n";
        relay.feed(Buffer.buffer(small + "data: {\"id\":\"c2\",\"choices\":[{\"delta\":{\"content\":\""));
        assertEquals(small, relayed.toString());
        assertTrue(!relay.eventTooLarge, "40 bytes held, under the limit");
        relay.feed(Buffer.buffer("x".repeat(30)));
        assertTrue(relay.eventTooLarge, "an event that never ends is not held past the limit");
    }

    @Test
    void anEventTheUpstreamEndsWithoutItsBlankLineIsRelayedEndedWhenTheStreamEnds() {
        call.clientWantsUsage = true;
        relay.feed(Buffer.buffer(FINISH + "data: [DONE]\r\n"));
        assertTrue(!relay.done, "an event is not whole before its blank line, or the stream's end");
        relay.end();
        assertTrue(relay.done && relay.complete());
        assertTrue(relayed.toString().endsWith("data: [DONE]\r\n\n"), relayed.toString());
    }

    @Test
    void aLastEventCutOffMidJsonIsNotRelayedAsIfItWereWhole() {
        relay.feed(Buffer.buffer(CHUNK + "data: {\"id\":\"x\",\"choices\":[{\"delta\":{\"content\":\"hel"));
        relay.end();
        assertTrue(relayed.toString().endsWith(CHUNK), "half an event would fail the client's JSON parser: "
                + relayed);
        assertTrue(!relay.complete());
    }

    @Test
    void aStreamIsWholeWithoutDoneOnlyOnceItsUsageCame() {
        call.clientWantsUsage = true;
        relay.feed(Buffer.buffer(CHUNK));
        relay.end();
        assertTrue(!relay.complete(), "cut off after a token");
        relay.feed(Buffer.buffer(FINISH));
        relay.end();
        assertTrue(relay.complete() && !relay.done, "the finish chunk and its usage: whole, though [DONE] never came");
    }

    /** A relay for a call to deepseek-chat served by Flash. */
    private StreamRelay aliasRelay(boolean clientWantsUsage) {
        call.aliasUsed = "deepseek-chat";
        call.requestedModel = "deepseek-chat";
        call.clientWantsUsage = clientWantsUsage;
        return new StreamRelay(new ObjectMapper(), call, 1 << 20, b -> relayed.append(b.toString(StandardCharsets.UTF_8)));
    }

        private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        throw new AssertionError("byte not found");
    }
}
