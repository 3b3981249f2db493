package dev.tollgate.simulator;

import static dev.tollgate.simulator.SimulatorHarness.chat;
import static dev.tollgate.simulator.SimulatorHarness.chunks;
import static dev.tollgate.simulator.SimulatorHarness.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ToolsAndJsonTest {

    @RegisterExtension
    static final SimulatorHarness sim = SimulatorHarness.zeroLatency();

    /** get_weather(city: string, unit: enum, days: integer) and send_email(to, urgent: boolean). */
    static ObjectNode withTools(String text) {
        ObjectNode body = chat("deepseek-v4-flash", text);
        ArrayNode tools = body.putArray("tools");
        ObjectNode weather = tools.addObject().put("type", "function").putObject("function")
                .put("name", "get_weather").put("description", "Current weather");
        ObjectNode wp = weather.putObject("parameters").put("type", "object");
        ObjectNode props = wp.putObject("properties");
        props.putObject("city").put("type", "string");
        props.putObject("unit").put("type", "string").putArray("enum").add("celsius").add("fahrenheit");
        props.putObject("days").put("type", "integer");
        wp.putArray("required").add("city");
        ObjectNode email = tools.addObject().put("type", "function").putObject("function").put("name", "send_email");
        ObjectNode ep = email.putObject("parameters").put("type", "object").putObject("properties");
        ep.putObject("to").put("type", "string");
        ep.putObject("urgent").put("type", "boolean");
        return body;
    }

    @Test
    void callsTheToolTheUserNamesWithArgumentsFromItsSchema() {
        JsonNode r = sim.complete(withTools("Call get_weather for Paris please"));
        JsonNode choice = r.get("choices").get(0);
        assertEquals("tool_calls", choice.get("finish_reason").asText());
        JsonNode calls = choice.get("message").get("tool_calls");
        assertEquals(1, calls.size());
        JsonNode call = calls.get(0);
        assertTrue(call.get("id").asText().matches("call_00_[A-Za-z0-9]{24}"));
        assertEquals("function", call.get("type").asText());
        assertEquals("get_weather", call.get("function").get("name").asText());
        JsonNode args = parse(call.get("function").get("arguments").asText());
        assertTrue(args.get("city").isTextual());
        assertEquals("celsius", args.get("unit").asText());
        assertTrue(args.get("days").isInt());
        assertFalse(choice.get("message").get("reasoning_content").asText().isEmpty(), "thinking before the call");
        // deterministic: the same request, the same arguments
        assertEquals(call.get("function").get("arguments"), sim.complete(withTools("Call get_weather for Paris please"))
                .get("choices").get(0).get("message").get("tool_calls").get(0).get("function").get("arguments"));
    }

    @Test
    void streamedArgumentsKeepEmojiWhole() {
        ObjectNode body = chat("deepseek-v4-flash", "Call react please");
        body.putArray("tools").addObject().put("type", "function").putObject("function").put("name", "react")
                .putObject("parameters").put("type", "object").putObject("properties").putObject("emojis")
                .put("type", "string").putArray("enum").add("\uD83D\uDE42\uD83D\uDC4D");
        String whole = sim.complete(body).get("choices").get(0).get("message").get("tool_calls").get(0)
                .get("function").get("arguments").asText();
        assertEquals("{\"emojis\":\"\uD83D\uDE42\uD83D\uDC4D\"}", whole);

        body.put("stream", true);
        StringBuilder streamed = new StringBuilder();
        for (JsonNode chunk : chunks(sim.post("/chat/completions", body).body())) {
            JsonNode calls = chunk.get("choices").isEmpty() ? null
                    : chunk.get("choices").get(0).get("delta").get("tool_calls");
            if (calls != null) {
                streamed.append(calls.get(0).get("function").get("arguments").asText());
            }
        }
        assertEquals(whole, streamed.toString());
    }

    @Test
    void callsEveryToolNamedInParallel() {
        JsonNode calls = sim.complete(withTools("get_weather in Rome, then send_email to Bob"))
                .get("choices").get(0).get("message").get("tool_calls");
        assertEquals(2, calls.size());
        assertTrue(calls.get(1).get("id").asText().startsWith("call_01_"));
        assertTrue(parse(calls.get(1).get("function").get("arguments").asText()).get("urgent").isBoolean());
    }

    @Test
    void autoWithoutAMentionAnswersInText() {
        JsonNode choice = sim.complete(withTools("Tell me a joke")).get("choices").get(0);
        assertEquals("stop", choice.get("finish_reason").asText());
        assertFalse(choice.get("message").has("tool_calls"));
        JsonNode used = sim.complete(withTools("Use a tool to find out")).get("choices").get(0);
        assertEquals("get_weather", used.get("message").get("tool_calls").get(0).get("function").get("name").asText());
    }

    @Test
    void toolChoiceRequiredNamedAndNoneAreObeyed() {
        ObjectNode required = withTools("Tell me a joke").put("tool_choice", "required");
        assertEquals("tool_calls", sim.complete(required).get("choices").get(0).get("finish_reason").asText());

        ObjectNode named = withTools("Tell me a joke");
        named.putObject("tool_choice").put("type", "function").putObject("function").put("name", "send_email");
        assertEquals("send_email", sim.complete(named).get("choices").get(0).get("message").get("tool_calls").get(0)
                .get("function").get("name").asText());

        ObjectNode none = withTools("Call get_weather now").put("tool_choice", "none");
        assertEquals("stop", sim.complete(none).get("choices").get(0).get("finish_reason").asText());
    }

    @Test
    void afterAToolResultTheModelAnswers() {
        ObjectNode body = withTools("Call get_weather for Paris");
        ArrayNode messages = (ArrayNode) body.get("messages");
        ObjectNode assistant = messages.addObject().put("role", "assistant").put("content", "")
                .put("reasoning_content", "Look it up.");
        assistant.putArray("tool_calls").addObject().put("id", "call_00_x").put("type", "function")
                .putObject("function").put("name", "get_weather").put("arguments", "{\"city\":\"Paris\"}");
        messages.addObject().put("role", "tool").put("tool_call_id", "call_00_x").put("content", "18C, sunny");
        JsonNode choice = sim.complete(body).get("choices").get(0);
        assertEquals("stop", choice.get("finish_reason").asText());
        assertFalse(choice.get("message").get("content").asText().isEmpty());
    }

    @Test
    void jsonModeAnswersWithAJsonObject() {
        ObjectNode body = chat("deepseek-v4-flash", "Reply in JSON with an answer field");
        body.putObject("response_format").put("type", "json_object");
        JsonNode content = parse(sim.complete(body).get("choices").get(0).get("message").get("content").asText());
        assertTrue(content.isObject());
        assertTrue(content.get("answer").isTextual());
    }

    @Test
    void jsonModeWithoutAskingForJsonMayComeBackEmpty() {
        ObjectNode body = chat("deepseek-v4-flash", "Reply with an answer field");
        body.putObject("response_format").put("type", "json_object");
        assertEquals("", sim.complete(body).get("choices").get(0).get("message").get("content").asText());
    }

    @Test
    void malformedJsonFaultBreaksTheObject() {
        ObjectNode body = chat("deepseek-v4-flash", "Reply in JSON");
        body.putObject("response_format").put("type", "json_object");
        String content = sim.complete(body, Fault.HEADER, "malformed-json").get("choices").get(0).get("message")
                .get("content").asText();
        assertTrue(content.startsWith("{"));
        assertThrows(UncheckedIOException.class, () -> parse(content));
    }

    @Test
    void badToolArgsFaultCallsAToolWithBrokenArguments() {
        JsonNode call = sim.complete(withTools("Tell me a joke"), Fault.HEADER, "bad-tool-args")
                .get("choices").get(0).get("message").get("tool_calls").get(0);
        assertEquals("get_weather", call.get("function").get("name").asText());
        String arguments = call.get("function").get("arguments").asText();
        assertThrows(UncheckedIOException.class, () -> parse(arguments));
    }
}
