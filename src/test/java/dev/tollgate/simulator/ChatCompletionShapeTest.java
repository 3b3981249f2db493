package dev.tollgate.simulator;

import static dev.tollgate.simulator.SimulatorHarness.chat;
import static dev.tollgate.simulator.SimulatorHarness.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ChatCompletionShapeTest {

    @RegisterExtension
    static final SimulatorHarness sim = SimulatorHarness.zeroLatency();

    @Test
    void thinkingAnswerHasTheDocumentedShapeAndUsageAddsUp() {
        JsonNode r = sim.complete(chat("deepseek-v4-flash", "What is 1+1?"));
        UUID.fromString(r.get("id").asText());
        assertEquals("chat.completion", r.get("object").asText());
        assertTrue(Math.abs(r.get("created").asLong() - System.currentTimeMillis() / 1000) < 60);
        assertEquals("deepseek-v4-flash", r.get("model").asText());
        assertTrue(r.get("system_fingerprint").asText().startsWith("fp_"));
        JsonNode choice = r.get("choices").get(0);
        assertEquals(0, choice.get("index").asInt());
        assertEquals("stop", choice.get("finish_reason").asText());
        assertTrue(choice.get("logprobs").isNull());
        JsonNode message = choice.get("message");
        assertEquals("assistant", message.get("role").asText());
        assertFalse(message.get("content").asText().isEmpty());
        assertFalse(message.get("reasoning_content").asText().isEmpty(), "both models think by default");

        JsonNode u = r.get("usage");
        int prompt = u.get("prompt_tokens").asInt();
        int completion = u.get("completion_tokens").asInt();
        int reasoning = u.get("completion_tokens_details").get("reasoning_tokens").asInt();
        assertEquals(prompt, u.get("prompt_cache_hit_tokens").asInt() + u.get("prompt_cache_miss_tokens").asInt());
        assertEquals(u.get("prompt_cache_hit_tokens").asInt(), u.get("prompt_tokens_details").get("cached_tokens").asInt());
        assertEquals(prompt + completion, u.get("total_tokens").asInt());
        // the documented token rule: 4 characters per token, over the content and over the answer
        assertEquals(tokens("<|user|>What is 1+1?<|assistant|>"), prompt);
        assertEquals(tokens(message.get("reasoning_content").asText()), reasoning);
        assertEquals(reasoning + tokens(message.get("content").asText()), completion);
        assertTrue(reasoning > 0 && completion > reasoning);
    }

    @Test
    void withThinkingDisabledThereIsNoReasoning() {
        ObjectNode body = chat("deepseek-v4-pro", "Hello");
        body.putObject("thinking").put("type", "disabled");
        JsonNode r = sim.complete(body);
        JsonNode message = r.get("choices").get(0).get("message");
        assertFalse(message.has("reasoning_content"));
        assertFalse(r.get("usage").has("completion_tokens_details"));
        assertEquals(tokens(message.get("content").asText()), r.get("usage").get("completion_tokens").asInt());
        assertEquals("deepseek-v4-pro", r.get("model").asText());
    }

    @Test
    void maxEffortThinksLonger() {
        ObjectNode high = chat("deepseek-v4-flash", "Plan a trip");
        ObjectNode max = chat("deepseek-v4-flash", "Plan a trip").put("reasoning_effort", "max");
        assertTrue(reasoningTokens(sim.complete(max)) > reasoningTokens(sim.complete(high)));
    }

    @Test
    void theSamePromptGetsTheSameAnswerAndAnotherPromptAnother() {
        String a1 = content(sim.complete(chat("deepseek-v4-flash", "Tell me about rivers")));
        String a2 = content(sim.complete(chat("deepseek-v4-flash", "Tell me about rivers")));
        String b = content(sim.complete(chat("deepseek-v4-flash", "Tell me about mountains")));
        assertEquals(a1, a2);
        assertNotEquals(a1, b);
    }

    @Test
    void maxTokensCutsTheAnswerWithFinishReasonLength() {
        ObjectNode body = chat("deepseek-v4-flash", "Write a long story").put("max_tokens", 10);
        JsonNode r = sim.complete(body);
        assertEquals("length", r.get("choices").get(0).get("finish_reason").asText());
        assertEquals(10, r.get("usage").get("completion_tokens").asInt());
    }

    @Test
    void aStopSequenceEndsTheContentBeforeIt() {
        ObjectNode body = chat("deepseek-v4-flash", "Say something");
        body.putObject("thinking").put("type", "disabled");
        String full = content(sim.complete(body));
        String[] words = full.split(" ");
        String stop = " " + words[3] + " ";
        body.putArray("stop").add(stop);
        JsonNode r = sim.complete(body);
        String cut = content(r);
        assertEquals(full.substring(0, full.indexOf(stop)), cut);
        assertEquals("stop", r.get("choices").get(0).get("finish_reason").asText());
        assertEquals(tokens(cut), r.get("usage").get("completion_tokens").asInt());
    }

    @Test
    void anEmptyStopStringStopsNothing() {
        ObjectNode body = chat("deepseek-v4-flash", "Say something");
        body.putObject("thinking").put("type", "disabled");
        String full = content(sim.complete(body));
        body.put("stop", "");
        assertEquals(full, content(sim.complete(body)));
        body.putArray("stop").add("");
        assertEquals(full, content(sim.complete(body)));
    }

    @Test
    void logprobsCoverTheContentTokens() {
        ObjectNode body = chat("deepseek-v4-flash", "Hi").put("logprobs", true).put("top_logprobs", 3);
        body.putObject("thinking").put("type", "disabled");
        JsonNode r = sim.complete(body);
        JsonNode lp = r.get("choices").get(0).get("logprobs").get("content");
        StringBuilder joined = new StringBuilder();
        lp.forEach(t -> joined.append(t.get("token").asText()));
        assertEquals(content(r), joined.toString());
        assertEquals(3, lp.get(0).get("top_logprobs").size());
        assertTrue(lp.get(0).get("logprob").asDouble() <= 0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/chat/completions", "/v1/chat/completions"})
    void answersWithAndWithoutTheV1Prefix(String path) {
        assertEquals(200, sim.post(path, chat("deepseek-v4-flash", "Hi")).statusCode());
    }

    @ParameterizedTest
    @ValueSource(strings = {"/models", "/v1/models"})
    void listsFlashAndProWithoutCreatedOrRetiredNames(String path) {
        HttpResponse<String> response = sim.get(path, "Authorization", "Bearer sk-x");
        assertEquals(200, response.statusCode());
        JsonNode list = parse(response.body());
        assertEquals("list", list.get("object").asText());
        List<String> ids = new ArrayList<>();
        for (JsonNode m : list.get("data")) {
            ids.add(m.get("id").asText());
            assertEquals("model", m.get("object").asText());
            assertEquals("deepseek", m.get("owned_by").asText());
            assertFalse(m.has("created"));
        }
        assertEquals(List.of("deepseek-v4-flash", "deepseek-v4-pro"), ids);
    }

    @Test
    void reportsTheBalanceAndItsExhaustion() {
        JsonNode b = parse(sim.get("/user/balance", "Authorization", "Bearer sk-x").body());
        assertTrue(b.get("is_available").asBoolean());
        JsonNode info = b.get("balance_infos").get(0);
        assertEquals("CNY", info.get("currency").asText());
        assertTrue(info.get("total_balance").isTextual(), "amounts are strings");

        sim.simulator.balanceAvailable(false);
        assertFalse(parse(sim.get("/user/balance", "Authorization", "Bearer sk-x").body()).get("is_available").asBoolean());
        HttpResponse<String> refused = sim.post("/chat/completions", chat("deepseek-v4-flash", "Hi"));
        assertEquals(402, refused.statusCode());
        assertEquals("Insufficient Balance", parse(refused.body()).get("error").get("message").asText());
    }

    @Test
    void theBalanceCanBeSetToAnyAmountGrantSpentFirst() {
        try {
            assertEquals(204, sim.post("/_simulator/balance", parse("{\"total\":\"42.1\"}")).statusCode());
            JsonNode info = parse(sim.get("/user/balance", "Authorization", "Bearer sk-x").body())
                    .get("balance_infos").get(0);
            assertEquals(List.of("42.10", "10.00", "32.10"), List.of(info.get("total_balance").asText(),
                    info.get("granted_balance").asText(), info.get("topped_up_balance").asText()));
            sim.simulator.balanceTotal(new BigDecimal("4"));
            info = parse(sim.get("/user/balance", "Authorization", "Bearer sk-x").body()).get("balance_infos").get(0);
            assertEquals(List.of("4.00", "4.00", "0.00"), List.of(info.get("total_balance").asText(),
                    info.get("granted_balance").asText(), info.get("topped_up_balance").asText()));
            HttpResponse<String> bad = sim.post("/_simulator/balance", parse("{\"total\":\"lots\"}"));
            assertEquals(400, bad.statusCode());
            assertTrue(bad.body().contains("total must be an amount"), bad.body());
        } finally {
            sim.simulator.balanceAvailable(true);
            sim.simulator.balanceTotal(new BigDecimal("110.00"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"deepseek-chat", "deepseek-reasoner", "gpt-4o", "deepseek-v3"})
    void retiredAndUnknownModelsDoNotExist(String model) {
        HttpResponse<String> response = sim.post("/chat/completions", chat(model, "Hi"));
        assertEquals(400, response.statusCode());
        JsonNode error = parse(response.body()).get("error");
        assertEquals("Model Not Exist", error.get("message").asText());
        assertEquals("invalid_request_error", error.get("type").asText());
        assertTrue(error.get("param").isNull());
        assertEquals("invalid_request_error", error.get("code").asText());
    }

    @Test
    void refusesAMissingOrEmptyKey() {
        var noKey = sim.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(sim.simulator.baseUrl()
                        + "/chat/completions"))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(chat("deepseek-v4-flash", "Hi").toString()))
                .build());
        assertEquals(401, noKey.statusCode());
        JsonNode error = parse(noKey.body()).get("error");
        assertEquals("authentication_error", error.get("type").asText());
        assertTrue(error.get("message").asText().startsWith("Authentication Fails"));
        assertEquals(401, sim.post("/chat/completions", chat("deepseek-v4-flash", "Hi"),
                "Authorization", "Bearer ").statusCode());
        assertEquals(401, sim.get("/models").statusCode());
    }

    @Test
    void aConfiguredKeyIsTheOnlyOneAccepted() {
        try (SimulatorHarness keyed = new SimulatorHarness(SimulatorSettings.builder().latency("zero")
                .apiKey("sk-the-right-one").build())) {
            HttpResponse<String> wrong = keyed.post("/chat/completions", chat("deepseek-v4-flash", "Hi"));
            assertEquals(401, wrong.statusCode());
            assertTrue(parse(wrong.body()).get("error").get("message").asText().contains("****abcd"));
            assertEquals(200, keyed.post("/chat/completions", chat("deepseek-v4-flash", "Hi"),
                    "Authorization", "Bearer sk-the-right-one").statusCode());
        }
    }

    @Test
    void statsCountWhatArrivedAndWhatFinished() {
        sim.complete(chat("deepseek-v4-flash", "one"));
        sim.complete(chat("deepseek-v4-pro", "two"));
        sim.post("/chat/completions", chat("deepseek-chat", "three"));
        JsonNode stats = parse(sim.get("/_simulator/stats").body());
        assertEquals(3, stats.get("chatRequests").asLong());
        assertEquals(2, stats.get("completed").asLong());
        assertEquals(0, stats.get("inFlightTotal").asInt());
        assertEquals(1, stats.get("errors").get("400").asLong());
        assertEquals(1, stats.get("maxInFlight").get("deepseek-v4-pro").asInt());
        JsonNode recent = parse(sim.get("/_simulator/requests").body());
        assertEquals(3, recent.size());
        assertEquals("two", recent.get(1).get("body").get("messages").get(0).get("content").asText());
        assertEquals("Bearer ****abcd", recent.get(1).get("headers").get("authorization").asText());
    }

    /** The log is where one looks when a client's calls are refused: a wrong key or a body that is not JSON. */
    @Test
    void theRequestLogKeepsRefusedRequestsToo() {
        sim.post("/chat/completions", chat("deepseek-v4-flash", "wrong key"), "Authorization", "Bearer nope");
        sim.send(sim.request("/chat/completions", chat("deepseek-v4-flash", "x"))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"model\": oops")).build());
        JsonNode recent = parse(sim.get("/_simulator/requests").body());
        assertEquals(2, recent.size(), recent.toString());
        assertEquals("wrong key", recent.get(0).get("body").get("messages").get(0).get("content").asText());
        assertEquals("{\"model\": oops", recent.get(1).get("body").asText());
    }

    static int tokens(String text) {
        return (text.length() + 3) / 4;
    }

    static String content(JsonNode r) {
        return r.get("choices").get(0).get("message").get("content").asText();
    }

    static int reasoningTokens(JsonNode r) {
        return r.get("usage").get("completion_tokens_details").get("reasoning_tokens").asInt();
    }
}
