package dev.tollgate.gateway;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How the gateway reads a chat request and changes it for upstream: in place, every other byte as sent. */
class RequestBodyTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Numbers, escapes and spacing a JSON tree would not write back as they are. */
    private static final String MESSAGES = "\"messages\": [ {\"role\": \"user\", \"content\": \"caf\\u00e9 at 1e-5\"} ]";

    private static RequestBody read(String body) throws IOException {
        return RequestBody.read(JSON, body.getBytes(StandardCharsets.UTF_8));
    }

    private static String upstream(RequestBody body) {
        return body.upstream().toString(StandardCharsets.UTF_8);
    }

    private static Map<String, JsonNode> implied(String field, String json) throws IOException {
        return Map.of(field, JSON.readTree(json));
    }

    @Test
    void aRequestTheGatewayNeedNotChangeGoesUpstreamAsTheSameBytes() throws Exception {
        byte[] sent = ("{\"model\": \"deepseek-v4-flash\", " + MESSAGES + ", \"temperature\": 0.70}")
                .getBytes(StandardCharsets.UTF_8);
        RequestBody body = RequestBody.read(JSON, sent);
        assertArrayEquals(sent, body.upstream().getBytes());
        assertEquals("deepseek-v4-flash", body.text("model"));
        assertTrue(body.hasMessages());
        assertNull(body.text("temperature"), "not a string");
        assertNull(body.thinkingType());
        assertFalse(body.wantsUsage());
    }

    @Test
    void anAliasRenamesTheModelAndAddsWhatItImpliesOnlyWhereTheClientSetNothing() throws Exception {
        RequestBody chat = read("{\"model\" : \"deepseek-chat\", " + MESSAGES + "}");
        chat.serveAlias("deepseek-v4-flash", implied("thinking", "{\"type\":\"disabled\"}"), JSON);
        assertEquals("{\"thinking\":{\"type\":\"disabled\"},\"model\" : \"deepseek-v4-flash\", " + MESSAGES + "}",
                upstream(chat));
        assertEquals("disabled", chat.thinkingType(), "the implied value is what the upstream sees");

        RequestBody explicit = read("{\"model\":\"deepseek-chat\",\"thinking\":{\"type\":\"enabled\"}," + MESSAGES + "}");
        explicit.serveAlias("deepseek-v4-flash", implied("thinking", "{\"type\":\"disabled\"}"), JSON);
        assertEquals("{\"model\":\"deepseek-v4-flash\",\"thinking\":{\"type\":\"enabled\"}," + MESSAGES + "}",
                upstream(explicit), "a field the client set wins");
        assertEquals("enabled", explicit.thinkingType());

        RequestBody nulled = read("{\"model\":\"deepseek-reasoner\",\"reasoning_effort\": null," + MESSAGES + "}");
        nulled.serveAlias("deepseek-v4-flash", implied("reasoning_effort", "\"max\""), JSON);
        assertEquals("{\"model\":\"deepseek-v4-flash\",\"reasoning_effort\": \"max\"," + MESSAGES + "}", upstream(nulled));
        assertEquals("max", nulled.text("reasoning_effort"));
    }

    @Test
    void aStreamIsMadeToAskForUsageKeepingTheClientsOtherStreamOptions() throws Exception {
        String[][] cases = { // as sent, as it goes upstream
            {"{\"model\":\"m\",\"stream\":true}", "{\"stream_options\":{\"include_usage\":true},\"model\":\"m\",\"stream\":true}"},
            {"{\"model\":\"m\",\"stream_options\":null}", "{\"model\":\"m\",\"stream_options\":{\"include_usage\":true}}"},
            {"{\"model\":\"m\",\"stream_options\": { }}", "{\"model\":\"m\",\"stream_options\": {\"include_usage\":true }}"},
            {"{\"model\":\"m\",\"stream_options\":{\"x\":1}}", "{\"model\":\"m\",\"stream_options\":{\"include_usage\":true,\"x\":1}}"},
            {"{\"model\":\"m\",\"stream_options\":{\"include_usage\": false}}",
                "{\"model\":\"m\",\"stream_options\":{\"include_usage\": true}}"},
        };
        for (String[] c : cases) {
            RequestBody body = read(c[0]);
            assertFalse(body.wantsUsage(), c[0]);
            body.askForUsage();
            assertEquals(c[1], upstream(body));
            JSON.readTree(upstream(body)); // and it is still JSON
        }
        assertTrue(read("{\"model\":\"m\",\"stream_options\":{\"include_usage\":true}}").wantsUsage());
    }

    @Test
    void maxCompletionTokensAlsoGoesAsTheMaxTokensDeepSeekReadsUnlessTheClientSentThatToo() throws Exception {
        RequestBody openAiStyle = read("{\"model\":\"deepseek-v4-flash\", " + MESSAGES + ", \"max_completion_tokens\" : 120 }");
        openAiStyle.limitOutputAsAsked();
        assertEquals("{\"max_tokens\":120,\"model\":\"deepseek-v4-flash\", " + MESSAGES + ", \"max_completion_tokens\" : 120 }",
                upstream(openAiStyle));

        RequestBody last = read("{\"max_completion_tokens\":7,\"model\":\"deepseek-v4-flash\",\"max_tokens\":null}");
        last.limitOutputAsAsked();
        assertEquals("{\"max_completion_tokens\":7,\"model\":\"deepseek-v4-flash\",\"max_tokens\":7}", upstream(last));

        for (String untouched : new String[] {
                "{\"model\":\"m\",\"max_tokens\":50,\"max_completion_tokens\":120}", // the client's own max_tokens wins
                "{\"model\":\"m\",\"max_completion_tokens\":\"120\"}", // not a number: the upstream says what is wrong
                "{\"model\":\"m\",\"max_completion_tokens\":1.5}",
                // no limit DeepSeek would refuse as a max_tokens the client never sent: it ignores these as they are
                "{\"model\":\"m\",\"max_completion_tokens\":0}",
                "{\"model\":\"m\",\"max_completion_tokens\":-5}",
                "{\"model\":\"m\",\"max_completion_tokens\":393217}",
                "{\"model\":\"m\",\"max_completion_tokens\":100000000000000000000000}",
                "{\"model\":\"m\",\"max_completion_tokens\":null}",
                "{\"model\":\"m\"}"}) {
            RequestBody body = read(untouched);
            body.limitOutputAsAsked();
            assertEquals(untouched, upstream(body));
        }
        RequestBody most = read("{\"model\":\"m\",\"max_completion_tokens\":393216}");
        most.limitOutputAsAsked();
        assertEquals("{\"max_tokens\":393216,\"model\":\"m\",\"max_completion_tokens\":393216}", upstream(most));
    }

    @Test
    void anAliasOutputLimitGivesWayToTheClientsAndOneItImpliesAsMaxCompletionTokensHoldsToo() throws Exception {
        RequestBody clientWins = read("{\"model\":\"fast\",\"max_completion_tokens\":9}");
        clientWins.serveAlias("deepseek-v4-flash", implied("max_tokens", "300"), JSON);
        clientWins.limitOutputAsAsked();
        assertEquals("{\"max_tokens\":9,\"model\":\"deepseek-v4-flash\",\"max_completion_tokens\":9}", upstream(clientWins));

        RequestBody impliedLimit = read("{\"model\":\"fast\"}");
        impliedLimit.serveAlias("deepseek-v4-flash", implied("max_completion_tokens", "300"), JSON);
        impliedLimit.limitOutputAsAsked();
        JsonNode sent = JSON.readTree(upstream(impliedLimit));
        assertEquals(300, sent.get("max_tokens").asInt());
        assertEquals(300, sent.get("max_completion_tokens").asInt());

        RequestBody aliasSetsBoth = read("{\"model\":\"fast\"}");
        aliasSetsBoth.serveAlias("deepseek-v4-flash",
                Map.of("max_tokens", JSON.readTree("50"), "max_completion_tokens", JSON.readTree("300")), JSON);
        aliasSetsBoth.limitOutputAsAsked();
        assertEquals(50, JSON.readTree(upstream(aliasSetsBoth)).get("max_tokens").asInt());
    }

    @Test
    void aDeveloperMessageGoesAsTheSystemMessageDeepSeekTakes() throws Exception {
        String messages = "\"messages\":[{\"content\":\"Be brief. role: developer\", \"role\" : \"developer\"},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"role\":\"developer\"}]},\"developer\","
                + "{\"role\":\"develop\\u0065r\",\"content\":\"x\"}]";
        RequestBody body = read("{\"model\":\"deepseek-v4-flash\"," + messages + "}");
        assertTrue(body.hasMessages());
        body.developerAsSystem();
        // only a message's own role changes; content, nested objects and what is not a message stay as sent
        assertEquals("{\"model\":\"deepseek-v4-flash\"," + messages.replace("\"role\" : \"developer\"", "\"role\" : \"system\"")
                .replace("\"develop\\u0065r\"", "\"system\"") + "}", upstream(body));

        String plain = "{\"model\":\"m\"," + MESSAGES + "}";
        RequestBody unchanged = read(plain);
        unchanged.developerAsSystem();
        assertEquals(plain, upstream(unchanged));
    }

    @Test
    void aFieldSentTwiceCountsAsItsLastValueAsInAJsonTree() throws Exception {
        assertFalse(read("{\"model\":\"m\",\"messages\":[{}],\"messages\":\"hi\"}").hasMessages());
        assertTrue(read("{\"model\":\"m\",\"messages\":[],\"messages\":[{}]}").hasMessages());
        assertEquals("b", read("{\"model\":\"a\",\"model\":\"b\"}").text("model"));
        assertNull(read("{\"thinking\":{\"type\":\"disabled\"},\"thinking\":[]}").thinkingType());
        assertFalse(read("{\"stream_options\":{\"include_usage\":true},\"stream_options\":{}}").wantsUsage());
    }

    @Test
    void userIdGoesUpstreamInTheTenantsCacheSpaceWhetherSentImpliedOrNone() throws Exception {
        RequestBody none = read("{\"model\":\"m\"}");
        none.scopeUserId(7);
        assertEquals("{\"user_id\":\"t7\",\"model\":\"m\"}", upstream(none));

        RequestBody nulled = read("{\"model\":\"m\",\"user_id\":null}");
        nulled.scopeUserId(7);
        assertEquals("{\"model\":\"m\",\"user_id\":\"t7\"}", upstream(nulled));

        RequestBody number = read("{\"model\":\"m\",\"user_id\":5}");
        number.scopeUserId(7);
        assertEquals("{\"model\":\"m\",\"user_id\":5}", upstream(number), "not a string: the upstream refuses it");

        // an alias's user_id is scoped like the client's, and the body still holds user_id once
        RequestBody implied = read("{\"model\":\"chat\"}");
        implied.serveAlias("flash", implied("user_id", "\"shared\""), JSON);
        implied.scopeUserId(7);
        assertEquals("{\"user_id\":\"t7_shared\",\"model\":\"flash\"}", upstream(implied));

        RequestBody impliedForNull = read("{\"model\":\"chat\",\"user_id\":null}");
        impliedForNull.serveAlias("flash", implied("user_id", "\"shared\""), JSON);
        impliedForNull.scopeUserId(7);
        assertEquals("{\"model\":\"flash\",\"user_id\":\"t7_shared\"}", upstream(impliedForNull));

        RequestBody sent = read("{\"model\":\"chat\",\"user_id\":\"alice\"}");
        sent.serveAlias("flash", implied("user_id", "\"shared\""), JSON);
        sent.scopeUserId(7);
        assertEquals("{\"model\":\"flash\",\"user_id\":\"t7_alice\"}", upstream(sent), "the client's wins");
    }

    /**
     * The gateway reads a field sent twice as its last value, as most JSON readers do; one that reads the first
     * must not see another user_id or model than the gateway checked and scoped.
     */
    @Test
    void aFieldTheGatewaySetsIsSetWhereverTheClientSentIt() throws Exception {
        RequestBody twice = read("{\"model\":\"m\",\"user_id\":\"t3\",\"user_id\":\"alice\"}");
        twice.scopeUserId(7);
        assertEquals("{\"model\":\"m\",\"user_id\":\"t7_alice\",\"user_id\":\"t7_alice\"}", upstream(twice),
                "t3, another tenant's space, does not go upstream");

        RequestBody model = read("{\"model\":\"deepseek-v4-pro\",\"model\":\"deepseek-chat\"}");
        model.serveAlias("deepseek-v4-flash", Map.of(), JSON);
        assertEquals("{\"model\":\"deepseek-v4-flash\",\"model\":\"deepseek-v4-flash\"}", upstream(model));
    }

    @Test
    void whatIsNotAJsonObjectIsToldApart() throws Exception {
        assertNull(read("[1,2]"));
        assertNull(read("\"text\""));
        assertThrows(JsonProcessingException.class, () -> read("{\"model\":\"m\",\"messages\":[{\"role\":\"user\""));
        assertThrows(JsonProcessingException.class, () -> read("{\"model\":}"));
        assertFalse(read("{\"model\":\"m\",\"messages\":{}}").hasMessages());
    }
}
