package dev.tollgate.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The ledger's reading of a non-streamed answer: usage and finish_reason, wherever they sit in the body. */
class ResponseSummaryTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static ResponseSummary read(String body) throws IOException {
        return ResponseSummary.read(JSON, body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void readsDeepSeekUsageAndTheFirstChoicesFinishReason() throws Exception {
        ResponseSummary s = read("""
                {"id":"x","object":"chat.completion","model":"deepseek-v4-pro",
                 "choices":[{"index":0,"message":{"role":"assistant","content":"hi","tool_calls":[{"function":{"arguments":"{\\"a\\":[1,{\\"b\\":2}]}"}}]},
                             "logprobs":{"content":[{"token":"hi","top_logprobs":[]}]},"finish_reason":"tool_calls"},
                            {"index":1,"message":{"content":"other"},"finish_reason":"length"}],
                 "usage":{"prompt_tokens":300,"completion_tokens":40,"total_tokens":340,"prompt_cache_hit_tokens":256,
                          "prompt_cache_miss_tokens":44,"completion_tokens_details":{"reasoning_tokens":12}}}
                """);
        assertEquals(new Usage(300, 256, 44, 40, 12, false), s.usage());
        assertEquals("tool_calls", s.finishReason());
    }

    @Test
    void anAnswerIsReadAndItsModelReplacedWhereItLiesInsideALargerBuffer() throws Exception {
        // as relayed: the upstream's blank lines before it, left in the buffer the answer was read into
        String answer = "{\"id\":\"x\",\"model\":\"deepseek-v4-flash\",\"choices\":[{\"finish_reason\":\"stop\"}],"
                + "\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":2,\"prompt_cache_hit_tokens\":0,"
                + "\"prompt_cache_miss_tokens\":9}}";
        Buffer body = Buffer.buffer("\n\n\n" + answer).slice(3, 3 + answer.length());
        ResponseSummary s = ResponseSummary.read(JSON, body);
        assertEquals(new Usage(9, 0, 9, 2, 0, false), s.usage());
        assertEquals("stop", s.finishReason());
        Buffer renamed = Splice.apply(body.getBytes(),
                List.of(s.model().replacedBy(Splice.jsonString("deepseek-chat"))));
        assertEquals(answer.replace("deepseek-v4-flash", "deepseek-chat"), renamed.toString());
    }

    @Test
    void aUsageKeyInsideTheAnswerIsNotTakenForTheAnswersUsage() throws Exception {
        ResponseSummary s = read("""
                {"usage":{"prompt_tokens":10,"completion_tokens":2,"prompt_cache_hit_tokens":0,"prompt_cache_miss_tokens":10},
                 "choices":[{"message":{"content":"{\\"usage\\":{\\"prompt_tokens\\":999}}","extra":{"usage":{"prompt_tokens":5}}},
                             "finish_reason":"stop"}]}
                """);
        assertEquals(new Usage(10, 0, 10, 2, 0, false), s.usage());
        assertEquals("stop", s.finishReason());
    }

    @Test
    void anOpenAiStyleServerReportingOnlyCachedTokensCountsTheRestAsMiss() throws Exception {
        ResponseSummary s = read("""
                {"choices":[{"finish_reason":null}],"usage":{"prompt_tokens":100,"completion_tokens":7,
                 "prompt_tokens_details":{"cached_tokens":64}}}
                """);
        assertEquals(new Usage(100, 64, 36, 7, 0, false), s.usage());
        assertNull(s.finishReason());
    }

    @Test
    void aBrokenUpstreamsCountsAreKeptWithinWhatALedgerRowHolds() throws Exception {
        ResponseSummary s = read("""
                {"choices":[{"finish_reason":"stop"}],"usage":{"prompt_tokens":-5,"completion_tokens":123456789012345678901234567890,
                 "prompt_cache_hit_tokens":-1,"prompt_cache_miss_tokens":-123456789012345678901234567890,
                 "completion_tokens_details":{"reasoning_tokens":-3}}}
                """);
        assertEquals(new Usage(0, 0, 0, Long.MAX_VALUE, 0, false), s.usage());
    }

    @Test
    void aBodyCutShortIsMeasuredAsFarAsItGoes() {
        String logprobs = """
                {"choices":[{"index":0,"finish_reason":"stop","logprobs":{"content":[
                 {"token":"The","logprob":-0.1,"top_logprobs":[{"token":"A","logprob":-2}]},
                 {"token":" sea","logprob":-0.2,"top_logprobs":[{"token":" ocean","logprob":-3}]},
                 {"token":" is","logprob":-0.3,"top_l""";
        assertEquals(12, ResponseSummary.answerBytesSoFar(JSON, logprobs.getBytes(StandardCharsets.UTF_8)),
                "three entries begun, three tokens");
        String message = "{\"choices\":[{\"index\":0,\"logprobs\":null,\"message\":{\"role\":\"assistant\","
                + "\"reasoning_content\":\"Think about the sea.\",\"content\":\"The sea is wi";
        assertEquals("assistant".length() + "Think about the sea.".length() + "The sea is wi".length(),
                ResponseSummary.answerBytesSoFar(JSON, message.getBytes(StandardCharsets.UTF_8)),
                "whole strings, and what came of the one cut short");
    }

    @Test
    void anAnswerWithoutUsageHasNone() throws Exception {
        assertEquals(Usage.NONE, read("{\"choices\":[],\"usage\":null}").usage());
        assertEquals(Usage.NONE, read("{}").usage());
    }

    @Test
    void anAnswerWithoutUsageIsBilledOnAnEstimateFromItsTextFlaggedAsSuch() throws Exception {
        ResponseSummary s = read("""
                {"id":"x","model":"llama","choices":[{"index":0,"message":{"role":"assistant","content":"0123456789",
                 "tool_calls":[{"id":"t","function":{"name":"f","arguments":"{}"}}]},"finish_reason":"stop"}]}
                """);
        assertEquals(Usage.NONE, s.usage());
        // "assistant" + "0123456789" + "t" + "f" + "{}": 23 characters, about 6 tokens at four characters a token
        assertEquals(new Usage(50, 0, 50, 6, 0, true), s.usageOrEstimate(50));
        Usage reported = new Usage(10, 0, 10, 2, 0, false);
        assertEquals(reported, new ResponseSummary(reported, "stop", 999, null, true).usageOrEstimate(50));
    }

    @Test
    void anAliasIsRenamedInPlaceAndEveryOtherByteOfTheAnswerIsKept() throws Exception {
        // Numbers, escapes and spacing as a Python server writes them; a JSON tree would write -3.2E-6 and 你.
        String answer = """
                {"id": "x", "model" : "deepseek-v4-flash", "choices": [{"index": 0, "message": {"role": "assistant",
                 "content": "\\u4f60\\u597d"}, "logprobs": {"content": [{"token": "\\u4f60", "logprob": -3.2e-06}]},
                 "finish_reason": "stop"}], "usage": {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7}}""";
        ResponseSummary s = read(answer);
        String renamed = Splice.apply(answer.getBytes(StandardCharsets.UTF_8),
                List.of(s.model().replacedBy(Splice.jsonString("deepseek-chat")))).toString(StandardCharsets.UTF_8);
        assertEquals(answer.replace("\"deepseek-v4-flash\"", "\"deepseek-chat\""), renamed);
        assertEquals("\"a\\\"b\"", new String(Splice.jsonString("a\"b"), StandardCharsets.UTF_8), "a name is escaped");
        assertNull(read("{\"choices\":[]}").model(), "an answer without a model has nothing to rename");
    }

    @Test
    void aBodyThatIsNotAJsonObjectIsRefused() {
        assertThrows(IOException.class, () -> read("[1,2]"));
        assertThrows(IOException.class, () -> read("<html>bad gateway</html>"));
        assertThrows(IOException.class, () -> read("{\"choices\":[{\"finish_reason\":\"stop\"}"));
    }
}
