package dev.tollgate.simulator;

import static dev.tollgate.simulator.SimulatorHarness.chat;
import static dev.tollgate.simulator.SimulatorHarness.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Requests the real service refuses, refused with the same status and a message that names the field. */
class ValidationTest {

    @RegisterExtension
    static final SimulatorHarness sim = SimulatorHarness.zeroLatency();

    static Stream<Arguments> invalid() {
        return Stream.of(
                refused("thinking as a boolean", 400, "thinking: invalid type: boolean `true`",
                        b -> b.put("thinking", true)),
                refused("unknown thinking type", 400, "thinking.type: unknown variant `on`",
                        b -> b.putObject("thinking").put("type", "on")),
                refused("unknown reasoning_effort", 400, "reasoning_effort: unknown variant `ultra`",
                        b -> b.put("reasoning_effort", "ultra")),
                refused("temperature above 2", 422, "Invalid temperature value", b -> b.put("temperature", 2.5)),
                refused("temperature below 0", 422, "Invalid temperature value", b -> b.put("temperature", -0.1)),
                refused("temperature as a string", 400, "temperature: invalid type: string \"1.3\", expected f32",
                        b -> b.put("temperature", "1.3")),
                refused("top_p of 0", 422, "Invalid top_p value", b -> b.put("top_p", 0)),
                refused("presence_penalty of 3", 422, "Invalid presence_penalty value",
                        b -> b.put("presence_penalty", 3)),
                refused("top_logprobs of 21", 422, "Invalid top_logprobs value",
                        b -> b.put("logprobs", true).put("top_logprobs", 21)),
                refused("max_tokens of 0", 400, "Invalid max_tokens value, the valid range of max_tokens is [1, 393216]",
                        b -> b.put("max_tokens", 0)),
                refused("17 stop sequences", 422, "at most 16 stop sequences", b -> {
                    ArrayNode stop = b.putArray("stop");
                    for (int i = 0; i < 17; i++) {
                        stop.add("s" + i);
                    }
                }),
                refused("129 tools", 422, "at most 128 tools", b -> {
                    ArrayNode tools = b.putArray("tools");
                    for (int i = 0; i < 129; i++) {
                        tools.addObject().put("type", "function").putObject("function").put("name", "f" + i);
                    }
                }),
                refused("a user_id with a space", 422, "Invalid user_id value", b -> b.put("user_id", "a b")),
                refused("a user_id of 513 characters", 422, "Invalid user_id value",
                        b -> b.put("user_id", "u".repeat(513))),
                refused("json_schema response format", 400, "response_format.type: unknown variant `json_schema`",
                        b -> b.putObject("response_format").put("type", "json_schema")),
                refused("a developer role", 400, "messages[0].role: unknown variant `developer`", b -> {
                    ((ObjectNode) b.get("messages").get(0)).put("role", "developer");
                }),
                refused("no model", 400, "missing field `model`", b -> b.remove("model")),
                refused("no messages", 400, "missing field `messages`", b -> b.remove("messages")),
                refused("an image part", 400, "messages[0].content[0].type: unknown variant `image_url`", b -> {
                    ((ObjectNode) b.get("messages").get(0)).putArray("content").addObject().put("type", "image_url");
                }),
                refused("a tool message without tool_call_id", 400, "missing field `tool_call_id`", b -> {
                    ((ArrayNode) b.get("messages")).addObject().put("role", "tool").put("content", "42");
                }),
                refused("tool calls of which one is answered", 400, CALLS_WITHOUT_TOOLS, b -> {
                    ArrayNode messages = (ArrayNode) b.get("messages");
                    toolCallTurn(messages, "call_00_a", "call_01_b");
                    messages.addObject().put("role", "tool").put("tool_call_id", "call_00_a").put("content", "1");
                    messages.addObject().put("role", "user").put("content", "And?");
                }),
                refused("tool calls followed by an assistant turn", 400, CALLS_WITHOUT_TOOLS, b -> {
                    ArrayNode messages = (ArrayNode) b.get("messages");
                    toolCallTurn(messages, "call_00_a");
                    messages.addObject().put("role", "assistant").put("content", "Done.");
                }),
                refused("tool calls that end the conversation", 400, CALLS_WITHOUT_TOOLS,
                        b -> toolCallTurn((ArrayNode) b.get("messages"), "call_00_a")),
                refused("a tool message with no tool calls before it", 400, TOOL_WITHOUT_CALL, b -> {
                    ((ArrayNode) b.get("messages")).addObject().put("role", "tool").put("tool_call_id", "call_00_a")
                            .put("content", "42");
                }),
                refused("a tool message answering an id not asked for", 400, TOOL_WITHOUT_CALL, b -> {
                    ArrayNode messages = (ArrayNode) b.get("messages");
                    toolCallTurn(messages, "call_00_a");
                    messages.addObject().put("role", "tool").put("tool_call_id", "call_00_a").put("content", "1");
                    messages.addObject().put("role", "tool").put("tool_call_id", "call_00_z").put("content", "2");
                }),
                refused("a tool message after the answer to its call", 400, TOOL_WITHOUT_CALL, b -> {
                    ArrayNode messages = (ArrayNode) b.get("messages");
                    toolCallTurn(messages, "call_00_a");
                    messages.addObject().put("role", "tool").put("tool_call_id", "call_00_a").put("content", "1");
                    messages.addObject().put("role", "assistant").put("content", "It is 1.");
                    messages.addObject().put("role", "tool").put("tool_call_id", "call_00_a").put("content", "1");
                }),
                refused("a named tool_choice that is not a tool", 422, "no function named `nope`", b -> {
                    b.putArray("tools").addObject().put("type", "function").putObject("function").put("name", "f");
                    b.putObject("tool_choice").put("type", "function").putObject("function").put("name", "nope");
                }));
    }

    static final String CALLS_WITHOUT_TOOLS = "An assistant message with 'tool_calls' must be followed by tool messages "
            + "responding to each 'tool_call_id'. (insufficient tool messages following tool_calls message)";
    static final String TOOL_WITHOUT_CALL =
            "Messages with role 'tool' must be a response to a preceding message with 'tool_calls'";

    static Arguments refused(String what, int status, String message, Consumer<ObjectNode> change) {
        return Arguments.of(what, status, message, change);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("invalid")
    void refusesLikeTheRealService(String what, int status, String message, Consumer<ObjectNode> change) {
        ObjectNode body = chat("deepseek-v4-flash", "Hi");
        change.accept(body);
        HttpResponse<String> response = sim.post("/chat/completions", body);
        assertEquals(status, response.statusCode(), response.body());
        JsonNode error = parse(response.body()).get("error");
        assertTrue(error.get("message").asText().contains(message), error.get("message").asText());
        assertEquals("invalid_request_error", error.get("type").asText());
        assertTrue(error.get("param").isNull());
        assertEquals("invalid_request_error", error.get("code").asText());
    }

    @Test
    void acceptsTheValuesTheRealServiceAccepts() {
        ObjectNode body = chat("deepseek-v4-flash", "Hi").put("temperature", 2).put("top_p", 1)
                .put("frequency_penalty", -2).put("presence_penalty", 2).put("max_tokens", 393216)
                .put("logprobs", true).put("top_logprobs", 20).put("user_id", "tenant_42-user")
                .put("reasoning_effort", "xhigh").put("stream", false);
        body.putObject("response_format").put("type", "text");
        body.put("stop", "END");
        body.put("some_future_field", "ignored");
        assertEquals(200, sim.post("/chat/completions", body).statusCode());
        for (String effort : new String[] {"low", "medium", "high", "max"}) {
            assertEquals(200, sim.post("/chat/completions", chat("deepseek-v4-pro", "Hi")
                    .put("reasoning_effort", effort)).statusCode());
        }
    }

    @Test
    void refusesAToolCallTurnWithoutItsReasoningInThinkingMode() {
        ObjectNode body = toolConversation();
        HttpResponse<String> response = sim.post("/chat/completions", body);
        assertEquals(400, response.statusCode());
        assertEquals("The reasoning_content in the thinking mode must be passed back to the API.",
                parse(response.body()).get("error").get("message").asText());

        ((ObjectNode) body.get("messages").get(1)).put("reasoning_content", "I should look it up.");
        assertEquals(200, sim.post("/chat/completions", body).statusCode());

        ObjectNode notThinking = toolConversation();
        notThinking.putObject("thinking").put("type", "disabled");
        assertEquals(200, sim.post("/chat/completions", notThinking).statusCode());
    }

    @Test
    void acceptsAToolConversationThatGoesOn() {
        ObjectNode body = chat("deepseek-v4-flash", "Weather in Paris and Rome?");
        ArrayNode messages = (ArrayNode) body.get("messages");
        toolCallTurn(messages, "call_00_a", "call_01_b");
        // each call answered once, in any order
        messages.addObject().put("role", "tool").put("tool_call_id", "call_01_b").put("content", "Rome: rain");
        messages.addObject().put("role", "tool").put("tool_call_id", "call_00_a").put("content", "Paris: sun");
        messages.addObject().put("role", "assistant").put("content", "Sun in Paris, rain in Rome.");
        messages.addObject().put("role", "user").put("content", "And tomorrow?");
        HttpResponse<String> response = sim.post("/chat/completions", body);
        assertEquals(200, response.statusCode(), response.body());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("notJson")
    void refusesABodyThatIsNotJson(String what, String body, String message) {
        HttpResponse<String> response = sim.send(HttpRequest.newBuilder(URI.create(sim.simulator.baseUrl()
                        + "/chat/completions"))
                .header("Authorization", "Bearer sk-x")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
        assertEquals(400, response.statusCode(), response.body());
        String said = parse(response.body()).get("error").get("message").asText();
        assertTrue(said.startsWith("Failed to parse the JSON body into the target type: " + message), said);
    }

    static Stream<Arguments> notJson() {
        return Stream.of(
                Arguments.of("cut short", "{\"model\": ", "Unexpected end-of-input"),
                Arguments.of("empty", "", "EOF while parsing a value at line 1 column 0"),
                Arguments.of("only whitespace", "  \n ", "EOF while parsing a value at line 1 column 4"),
                // past Jackson's nesting limit, which it reports without a position
                Arguments.of("nested 2,000 deep", "[".repeat(2000) + "]".repeat(2000), "Document nesting depth"),
                // serde reads the whole body ("trailing characters"); Jackson's words differ
                Arguments.of("text after the body", VALID_BODY + " xyz", "Unrecognized token 'xyz'"),
                Arguments.of("a second value after the body", VALID_BODY + "\n{}", "Trailing token"));
    }

    static final String VALID_BODY = "{\"model\":\"deepseek-v4-flash\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";

    @Test
    void whitespaceAfterTheBodyIsFine() {
        HttpResponse<String> response = sim.send(HttpRequest.newBuilder(URI.create(sim.simulator.baseUrl()
                        + "/chat/completions"))
                .header("Authorization", "Bearer sk-x")
                .POST(HttpRequest.BodyPublishers.ofString(VALID_BODY + " \r\n")).build());
        assertEquals(200, response.statusCode(), response.body());
    }

    /** {@code curl -d} declares a form; the body is still read as JSON, however long, and not decoded as a form. */
    @Test
    void aBodyDeclaredAsAFormIsReadAsJson() {
        String body = chat("deepseek-v4-flash", "100% of " + "x".repeat(3000)).toString();
        for (String type : List.of("application/x-www-form-urlencoded", "Multipart/Form-Data; boundary=x")) {
            HttpResponse<String> response = sim.send(HttpRequest.newBuilder(URI.create(sim.simulator.baseUrl()
                            + "/chat/completions"))
                    .header("Authorization", "Bearer sk-x").header("Content-Type", type)
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build());
            assertEquals(200, response.statusCode(), type + ": " + response.body());
        }
    }

    @Test
    void anOverlongPromptIsRefusedBeforeAnyFaultApplies() {
        ObjectNode body = chat("deepseek-v4-flash", "x".repeat(4 * Models.CONTEXT_TOKENS));
        HttpResponse<String> response = sim.post("/chat/completions", body, Fault.HEADER, "503");
        assertEquals(400, response.statusCode(), response.body());
        assertTrue(parse(response.body()).get("error").get("message").asText()
                .startsWith("This model's maximum context length is"));
    }

    @Test
    void theRequestLogKeepsAClippedCopyOfAHugeBody() {
        String prompt = "x".repeat(5 * 1024 * 1024);
        ObjectNode body = chat("deepseek-v4-flash", prompt).put("user_id", "tenant_42");
        assertEquals(400, sim.post("/chat/completions", body).statusCode(), "over the context, still logged");
        JsonNode recorded = sim.simulator.recentRequests().get(0);
        assertTrue(recorded.toString().length() < 20_000, "logged " + recorded.toString().length() + " characters");
        String content = recorded.path("body").path("messages").path(0).path("content").asText();
        assertTrue(content.startsWith("xxxx") && content.endsWith("[clipped: " + prompt.length() + " characters]"),
                content.substring(content.length() - 40));
        assertEquals("tenant_42", recorded.path("body").path("user_id").asText(), "short values as sent");
        assertTrue(sim.get("/_simulator/requests").body().length() < 20_000);

        // many short strings are bounded too: the log keeps the first ones and says how many it left out
        ObjectNode chatty = chat("deepseek-v4-flash", "Hi");
        ArrayNode messages = (ArrayNode) chatty.get("messages");
        for (int i = 0; i < 20_000; i++) {
            messages.addObject().put("role", "user").put("content", "Hello there");
        }
        assertEquals(200, sim.post("/chat/completions", chatty).statusCode());
        JsonNode logged = sim.simulator.recentRequests().get(1).path("body");
        assertTrue(logged.toString().length() < 100_000, "logged " + logged.toString().length() + " characters");
        JsonNode kept = logged.path("messages");
        assertEquals("Hi", kept.path(0).path("content").asText());
        assertTrue(kept.path(kept.size() - 1).asText().endsWith(" more elements]"), kept.path(kept.size() - 1).toString());
    }

    /** An assistant turn calling get_weather once per id, with its reasoning as thinking mode wants. */
    private static void toolCallTurn(ArrayNode messages, String... ids) {
        ObjectNode assistant = messages.addObject().put("role", "assistant").put("content", "")
                .put("reasoning_content", "I should look it up.");
        ArrayNode calls = assistant.putArray("tool_calls");
        for (String id : ids) {
            calls.addObject().put("id", id).put("type", "function").putObject("function").put("name", "get_weather")
                    .put("arguments", "{}");
        }
    }

    private static ObjectNode toolConversation() {
        ObjectNode body = chat("deepseek-v4-flash", "What's the weather in Paris?");
        ArrayNode messages = (ArrayNode) body.get("messages");
        ObjectNode assistant = messages.addObject().put("role", "assistant").put("content", "");
        ObjectNode call = assistant.putArray("tool_calls").addObject().put("id", "call_00_abc").put("type", "function");
        call.putObject("function").put("name", "get_weather").put("arguments", "{\"city\":\"Paris\"}");
        messages.addObject().put("role", "tool").put("tool_call_id", "call_00_abc").put("content", "sunny");
        body.putArray("tools").addObject().put("type", "function").putObject("function").put("name", "get_weather");
        return body;
    }
}
