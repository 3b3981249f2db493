package dev.tollgate.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A chat-completions request, read and checked the way the real service checks it: a body it cannot read
 * (wrong JSON type, unknown enum value, missing field) is a 400 in its deserializer's words; a readable value
 * out of range is a 422, except max_tokens, which live traffic shows as a 400.
 */
record ChatRequest(
        String model,
        List<Message> messages,
        boolean thinking,
        boolean maxEffort,
        Integer maxTokens,
        List<String> stop,
        boolean jsonMode,
        List<Tool> tools,
        ToolChoice toolChoice,
        boolean logprobs,
        int topLogprobs,
        boolean stream,
        boolean includeUsage,
        String userId) {

    record Message(String role, String text, String reasoningContent, JsonNode toolCalls, String toolCallId) {
        boolean hasToolCalls() {
            return toolCalls != null && toolCalls.isArray() && !toolCalls.isEmpty();
        }
    }

    /** A function tool; {@code function} is the definition as sent, which is part of the prompt. */
    record Tool(String name, JsonNode function) {
        JsonNode parameters() {
            return function.get("parameters");
        }
    }

    /** none, auto, required, or a named function. */
    record ToolChoice(String mode, String name) {
        static final ToolChoice NONE = new ToolChoice("none", null);
        static final ToolChoice AUTO = new ToolChoice("auto", null);
    }

    private static final Set<String> ROLES = Set.of("system", "user", "assistant", "tool", "latest_reminder");
    private static final String ROLE_LIST = "`system`, `user`, `assistant`, `tool`, `latest_reminder`";
    private static final Pattern USER_ID = Pattern.compile("[A-Za-z0-9_-]{1,512}");
    private static final String CALLS_WITHOUT_TOOLS = "An assistant message with 'tool_calls' must be followed by tool "
            + "messages responding to each 'tool_call_id'. (insufficient tool messages following tool_calls message)";
    private static final String TOOL_WITHOUT_CALL =
            "Messages with role 'tool' must be a response to a preceding message with 'tool_calls'";
    private static final Pattern TOOL_NAME = Pattern.compile("[a-zA-Z0-9_-]{1,64}");

    static ChatRequest parse(JsonNode root) {
        if (root == null || !root.isObject()) {
            throw ApiError.deserialize("invalid type: " + describe(root) + ", expected struct ChatCompletionRequest");
        }
        String model = requiredString(root, "model");
        List<Message> messages = messages(root);
        if (!Models.exists(model)) {
            throw ApiError.modelNotExist();
        }
        boolean thinking = thinking(root.get("thinking"));
        String effort = enumValue(root, "reasoning_effort", "low", "medium", "high", "max", "xhigh");
        checkRange(root, "temperature", 0, 2, "[0, 2]");
        checkRange(root, "top_p", 0, 1, "(0, 1]");
        if (present(root, "top_p") && root.get("top_p").asDouble() == 0) {
            throw ApiError.invalidParameter("top_p", "(0, 1]");
        }
        checkRange(root, "frequency_penalty", -2, 2, "[-2, 2]");
        checkRange(root, "presence_penalty", -2, 2, "[-2, 2]");
        Integer maxTokens = integer(root, "max_tokens", "u32");
        if (maxTokens != null && (maxTokens < 1 || maxTokens > Models.MAX_OUTPUT_TOKENS)) {
            throw new ApiError(400, "Invalid max_tokens value, the valid range of max_tokens is [1, "
                    + Models.MAX_OUTPUT_TOKENS + "]");
        }
        List<String> stop = stop(root.get("stop"));
        boolean jsonMode = jsonMode(root.get("response_format"));
        List<Tool> tools = tools(root.get("tools"));
        ToolChoice toolChoice = toolChoice(root.get("tool_choice"), tools);
        boolean logprobs = bool(root, "logprobs");
        Integer topLogprobs = integer(root, "top_logprobs", "u32");
        if (topLogprobs != null && (topLogprobs < 0 || topLogprobs > 20)) {
            throw ApiError.invalidParameter("top_logprobs", "[0, 20]");
        }
        boolean stream = bool(root, "stream");
        boolean includeUsage = false;
        JsonNode options = root.get("stream_options");
        if (options != null && !options.isNull()) {
            if (!options.isObject()) {
                throw ApiError.deserialize("stream_options: invalid type: " + describe(options)
                        + ", expected struct StreamOptions");
            }
            includeUsage = bool(options, "include_usage");
        }
        String userId = optionalString(root, "user_id");
        if (userId != null && !USER_ID.matcher(userId).matches()) {
            throw new ApiError(422, "Invalid user_id value, it must match [A-Za-z0-9_-] and be at most 512 characters");
        }
        checkToolTurns(messages);
        if (thinking) {
            for (Message m : messages) {
                if ("assistant".equals(m.role()) && m.hasToolCalls() && m.reasoningContent() == null) {
                    throw new ApiError(400, ApiError.REASONING_CONTENT_MISSING);
                }
            }
        }
        return new ChatRequest(model, messages, thinking, "max".equals(effort) || "xhigh".equals(effort), maxTokens,
                stop, jsonMode, tools, toolChoice, logprobs, topLogprobs == null ? 0 : topLogprobs, stream,
                includeUsage, userId);
    }

    /** The last message's text, where per-request simulator markers are looked for. */
    String lastText() {
        return messages.isEmpty() ? "" : messages.get(messages.size() - 1).text();
    }

    // ------------------------------------------------------------------ fields

    private static List<Message> messages(JsonNode root) {
        JsonNode node = root.get("messages");
        if (node == null || node.isNull()) {
            throw ApiError.deserialize("missing field `messages`");
        }
        if (!node.isArray()) {
            throw ApiError.deserialize("messages: invalid type: " + describe(node) + ", expected a sequence");
        }
        if (node.isEmpty()) {
            throw new ApiError(400, "Invalid messages: the messages array must not be empty");
        }
        List<Message> messages = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            messages.add(message(node.get(i), "messages[" + i + "]"));
        }
        return List.copyOf(messages);
    }

    /**
     * An assistant turn with tool calls must be followed at once by tool messages answering each of its ids,
     * and a tool message must answer such a turn: the real service refuses any other sequence with a 400.
     */
    private static void checkToolTurns(List<Message> messages) {
        Set<String> asked = Set.of(); // the ids of the tool-call turn the current run of tool messages answers
        Set<String> unanswered = new HashSet<>();
        for (Message m : messages) {
            if ("tool".equals(m.role())) {
                if (!asked.contains(m.toolCallId())) {
                    throw new ApiError(400, TOOL_WITHOUT_CALL);
                }
                unanswered.remove(m.toolCallId());
                continue;
            }
            if (!unanswered.isEmpty()) {
                throw new ApiError(400, CALLS_WITHOUT_TOOLS);
            }
            asked = Set.of();
            if ("assistant".equals(m.role()) && m.hasToolCalls()) {
                Set<String> ids = new HashSet<>();
                m.toolCalls().forEach(call -> ids.add(call.get("id").asText()));
                asked = ids;
                unanswered.addAll(ids);
            }
        }
        if (!unanswered.isEmpty()) { // a conversation may not end on calls nobody answered either
            throw new ApiError(400, CALLS_WITHOUT_TOOLS);
        }
    }

    private static Message message(JsonNode m, String at) {
        if (!m.isObject()) {
            throw ApiError.deserialize(at + ": invalid type: " + describe(m) + ", expected struct Message");
        }
        JsonNode role = m.get("role");
        if (role == null || role.isNull()) {
            throw ApiError.deserialize(at + ": missing field `role`");
        }
        if (!role.isTextual() || !ROLES.contains(role.asText())) {
            throw ApiError.deserialize(at + ".role: unknown variant `" + role.asText() + "`, expected one of " + ROLE_LIST);
        }
        String r = role.asText();
        JsonNode toolCalls = m.get("tool_calls");
        if (toolCalls != null && !toolCalls.isNull()) {
            checkToolCalls(toolCalls, at + ".tool_calls");
        }
        JsonNode content = m.get("content");
        boolean mayOmitContent = "assistant".equals(r);
        String text = content(content, at + ".content", mayOmitContent);
        String toolCallId = null;
        if ("tool".equals(r)) {
            toolCallId = requiredString(m, "tool_call_id", at);
        }
        JsonNode reasoning = m.get("reasoning_content");
        String reasoningContent = null;
        if (reasoning != null && !reasoning.isNull()) {
            if (!reasoning.isTextual()) {
                throw ApiError.deserialize(at + ".reasoning_content: invalid type: " + describe(reasoning)
                        + ", expected a string");
            }
            reasoningContent = reasoning.asText();
        }
        return new Message(r, text, reasoningContent, toolCalls, toolCallId);
    }

    private static String content(JsonNode content, String at, boolean mayOmit) {
        if (content == null || content.isNull()) {
            if (mayOmit) {
                return "";
            }
            throw ApiError.deserialize(at.substring(0, at.lastIndexOf('.')) + ": missing field `content`");
        }
        if (content.isTextual()) {
            return content.asText();
        }
        if (!content.isArray()) {
            throw ApiError.deserialize(at + ": invalid type: " + describe(content) + ", expected a string or a sequence");
        }
        StringBuilder text = new StringBuilder();
        for (int j = 0; j < content.size(); j++) {
            JsonNode part = content.get(j);
            JsonNode type = part.get("type");
            if (type == null || !"text".equals(type.asText())) {
                throw ApiError.deserialize(at + "[" + j + "].type: unknown variant `"
                        + (type == null ? "" : type.asText()) + "`, expected `text`");
            }
            text.append(requiredString(part, "text", at + "[" + j + "]"));
        }
        return text.toString();
    }

    private static void checkToolCalls(JsonNode calls, String at) {
        if (!calls.isArray()) {
            throw ApiError.deserialize(at + ": invalid type: " + describe(calls) + ", expected a sequence");
        }
        for (int i = 0; i < calls.size(); i++) {
            JsonNode call = calls.get(i);
            String here = at + "[" + i + "]";
            requiredString(call, "id", here);
            JsonNode function = call.get("function");
            if (function == null || !function.isObject()) {
                throw ApiError.deserialize(here + ": missing field `function`");
            }
            requiredString(function, "name", here + ".function");
            requiredString(function, "arguments", here + ".function");
        }
    }

    private static boolean thinking(JsonNode node) {
        if (node == null || node.isNull()) {
            return true; // both V4 models think unless told not to
        }
        if (!node.isObject()) {
            throw ApiError.deserialize("thinking: invalid type: " + describe(node) + ", expected struct Thinking");
        }
        JsonNode type = node.get("type");
        if (type == null || type.isNull()) {
            throw ApiError.deserialize("thinking: missing field `type`");
        }
        return switch (type.asText()) {
            case "enabled" -> true;
            case "disabled" -> false;
            default -> throw ApiError.deserialize("thinking.type: unknown variant `" + type.asText()
                    + "`, expected `enabled` or `disabled`");
        };
    }

    private static List<String> stop(JsonNode node) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (node.isTextual()) { // an empty stop sequence stops nothing, as in the array form
            return node.asText().isEmpty() ? List.of() : List.of(node.asText());
        }
        if (!node.isArray()) {
            throw ApiError.deserialize("stop: invalid type: " + describe(node) + ", expected a string or a sequence");
        }
        if (node.size() > 16) {
            throw new ApiError(422, "Invalid stop value, at most 16 stop sequences are allowed");
        }
        List<String> stop = new ArrayList<>();
        for (JsonNode s : node) {
            if (!s.isTextual()) {
                throw ApiError.deserialize("stop: invalid type: " + describe(s) + ", expected a string");
            }
            if (!s.asText().isEmpty()) {
                stop.add(s.asText());
            }
        }
        return List.copyOf(stop);
    }

    private static boolean jsonMode(JsonNode node) {
        if (node == null || node.isNull()) {
            return false;
        }
        if (!node.isObject()) {
            throw ApiError.deserialize("response_format: invalid type: " + describe(node)
                    + ", expected struct ResponseFormat");
        }
        String type = requiredString(node, "type", "response_format");
        return switch (type) {
            case "text" -> false;
            case "json_object" -> true;
            default -> throw ApiError.deserialize("response_format.type: unknown variant `" + type
                    + "`, expected `text` or `json_object`");
        };
    }

    private static List<Tool> tools(JsonNode node) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw ApiError.deserialize("tools: invalid type: " + describe(node) + ", expected a sequence");
        }
        if (node.size() > 128) {
            throw new ApiError(422, "Invalid tools value, at most 128 tools are allowed");
        }
        List<Tool> tools = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode tool = node.get(i);
            String at = "tools[" + i + "]";
            String type = requiredString(tool, "type", at);
            if (!"function".equals(type)) {
                throw ApiError.deserialize(at + ".type: unknown variant `" + type + "`, expected `function`");
            }
            JsonNode function = tool.get("function");
            if (function == null || !function.isObject()) {
                throw ApiError.deserialize(at + ": missing field `function`");
            }
            String name = requiredString(function, "name", at + ".function");
            if (!TOOL_NAME.matcher(name).matches()) {
                throw new ApiError(422, "Invalid tool name `" + name + "`, it must match ^[a-zA-Z0-9_-]{1,64}$");
            }
            tools.add(new Tool(name, function));
        }
        return List.copyOf(tools);
    }

    private static ToolChoice toolChoice(JsonNode node, List<Tool> tools) {
        if (node == null || node.isNull()) {
            return tools.isEmpty() ? ToolChoice.NONE : ToolChoice.AUTO;
        }
        ToolChoice choice;
        if (node.isTextual()) {
            choice = switch (node.asText()) {
                case "none" -> ToolChoice.NONE;
                case "auto" -> ToolChoice.AUTO;
                case "required" -> new ToolChoice("required", null);
                default -> throw ApiError.deserialize("tool_choice: unknown variant `" + node.asText()
                        + "`, expected one of `none`, `auto`, `required`");
            };
        } else if (node.isObject()) {
            JsonNode function = node.get("function");
            if (function == null || !function.isObject()) {
                throw ApiError.deserialize("tool_choice: missing field `function`");
            }
            String name = requiredString(function, "name", "tool_choice.function");
            if (tools.stream().noneMatch(t -> t.name().equals(name))) {
                throw new ApiError(422, "Invalid tool_choice value, no function named `" + name + "` in tools");
            }
            choice = new ToolChoice("named", name);
        } else {
            throw ApiError.deserialize("tool_choice: invalid type: " + describe(node) + ", expected a string or a map");
        }
        if (!"none".equals(choice.mode()) && !"auto".equals(choice.mode()) && tools.isEmpty()) {
            throw new ApiError(422, "Invalid tool_choice value, it requires tools");
        }
        return choice;
    }

    // ------------------------------------------------------------------ helpers

    private static boolean present(JsonNode o, String field) {
        JsonNode v = o.get(field);
        return v != null && !v.isNull();
    }

    private static String requiredString(JsonNode o, String field) {
        return requiredString(o, field, null);
    }

    private static String requiredString(JsonNode o, String field, String at) {
        JsonNode v = o == null ? null : o.get(field);
        String where = at == null ? "" : at + ": ";
        if (v == null || v.isNull()) {
            throw ApiError.deserialize(where + "missing field `" + field + "`");
        }
        if (!v.isTextual()) {
            throw ApiError.deserialize((at == null ? "" : at + ".") + field + ": invalid type: " + describe(v)
                    + ", expected a string");
        }
        return v.asText();
    }

    private static String optionalString(JsonNode o, String field) {
        return present(o, field) ? requiredString(o, field) : null;
    }

    private static String enumValue(JsonNode o, String field, String... allowed) {
        String value = optionalString(o, field);
        if (value == null) {
            return null;
        }
        for (String a : allowed) {
            if (a.equals(value)) {
                return value;
            }
        }
        throw ApiError.deserialize(field + ": unknown variant `" + value + "`, expected one of `"
                + String.join("`, `", allowed) + "`");
    }

    private static void checkRange(JsonNode o, String field, double min, double max, String range) {
        if (!present(o, field)) {
            return;
        }
        JsonNode v = o.get(field);
        if (!v.isNumber()) {
            throw ApiError.deserialize(field + ": invalid type: " + describe(v) + ", expected f32");
        }
        if (v.asDouble() < min || v.asDouble() > max) {
            throw ApiError.invalidParameter(field, range);
        }
    }

    private static Integer integer(JsonNode o, String field, String expected) {
        if (!present(o, field)) {
            return null;
        }
        JsonNode v = o.get(field);
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw ApiError.deserialize(field + ": invalid type: " + describe(v) + ", expected " + expected);
        }
        return v.asInt();
    }

    private static boolean bool(JsonNode o, String field) {
        if (!present(o, field)) {
            return false;
        }
        JsonNode v = o.get(field);
        if (!v.isBoolean()) {
            throw ApiError.deserialize(field + ": invalid type: " + describe(v) + ", expected a boolean");
        }
        return v.asBoolean();
    }

    /** How serde names a JSON value in its messages. */
    private static String describe(JsonNode v) {
        if (v == null || v.isNull()) {
            return "null";
        }
        if (v.isTextual()) {
            return "string \"" + v.asText() + "\"";
        }
        if (v.isBoolean()) {
            return "boolean `" + v.asText() + "`";
        }
        if (v.isIntegralNumber()) {
            return "integer `" + v.asText() + "`";
        }
        if (v.isNumber()) {
            return "floating point `" + v.asText() + "`";
        }
        return v.isArray() ? "sequence" : "map";
    }
}
