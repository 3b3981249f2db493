package dev.tollgate.simulator;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The wire shapes of one answer, exactly as docs of the real service and its live traffic show them:
 * the chat.completion body and the chat.completion.chunk events of a stream.
 */
final class Responses {

    static final String FINGERPRINT = "fp_8a3c71e2d4_prod0424";
    static final String DONE = "data: [DONE]\n\n";
    static final String KEEP_ALIVE = ": keep-alive\n\n";

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final String id;
    private final long created;
    private final ChatRequest request;
    private final Completion completion;
    private final String chunkPrefix;

    Responses(String id, long created, ChatRequest request, Completion completion) {
        this.id = id;
        this.created = created;
        this.request = request;
        this.completion = completion;
        this.chunkPrefix = "data: {\"id\":\"" + id + "\",\"object\":\"chat.completion.chunk\",\"created\":" + created
                + ",\"model\":\"" + request.model() + "\",\"system_fingerprint\":\"" + FINGERPRINT
                + "\",\"choices\":[";
    }

    // ------------------------------------------------------------------ non-streaming

    ObjectNode body(Usage usage) {
        ObjectNode root = JSON.objectNode();
        root.put("id", id);
        root.put("object", "chat.completion");
        root.put("created", created);
        root.put("model", request.model());
        root.put("system_fingerprint", FINGERPRINT);
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        choice.put("finish_reason", completion.finishReason());
        if (request.logprobs()) {
            ArrayNode content = choice.putObject("logprobs").putArray("content");
            for (String piece : pieces(completion.content())) {
                content.add(logprob(piece));
            }
        } else {
            choice.putNull("logprobs");
        }
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        message.put("content", completion.content());
        if (request.thinking()) {
            message.put("reasoning_content", completion.reasoning());
        }
        if (!completion.toolCalls().isEmpty()) {
            ArrayNode calls = message.putArray("tool_calls");
            for (Completion.ToolCall call : completion.toolCalls()) {
                ObjectNode c = calls.addObject();
                c.put("id", call.id());
                c.put("type", "function");
                c.putObject("function").put("name", call.name()).put("arguments", call.arguments());
            }
        }
        root.set("usage", usage.toJson());
        return root;
    }

    // ------------------------------------------------------------------ streaming

    /**
     * The stream's events in order, one per token after the opening one; pacing is the caller's.
     * The last entries carry finish_reason, usage and [DONE] and are sent together.
     */
    List<String> events(Usage usage, SimulatorSettings.UsageForm form) {
        List<String> events = new ArrayList<>();
        boolean thinking = request.thinking();
        events.add(chunk(thinking ? "{\"role\":\"assistant\",\"content\":null,\"reasoning_content\":\"\"}"
                : "{\"role\":\"assistant\",\"content\":\"\"}", null, null));
        for (String piece : pieces(completion.reasoning())) {
            events.add(chunk("{\"content\":null,\"reasoning_content\":\"" + escape(piece) + "\"}", null, null));
        }
        for (String piece : pieces(completion.content())) {
            String delta = thinking ? "{\"content\":\"" + escape(piece) + "\",\"reasoning_content\":null}"
                    : "{\"content\":\"" + escape(piece) + "\"}";
            events.add(chunk(delta, request.logprobs() ? "{\"content\":[" + logprob(piece) + "]}" : null, null));
        }
        List<Completion.ToolCall> calls = completion.toolCalls();
        for (int i = 0; i < calls.size(); i++) {
            Completion.ToolCall call = calls.get(i);
            events.add(chunk("{\"tool_calls\":[{\"index\":" + i + ",\"id\":\"" + call.id()
                    + "\",\"type\":\"function\",\"function\":{\"name\":\"" + escape(call.name())
                    + "\",\"arguments\":\"\"}}]}", null, null));
            for (String piece : pieces(call.arguments())) {
                events.add(chunk("{\"tool_calls\":[{\"index\":" + i + ",\"function\":{\"arguments\":\""
                        + escape(piece) + "\"}}]}", null, null));
            }
        }
        String last = thinking ? "{\"content\":\"\",\"reasoning_content\":null}" : "{\"content\":\"\"}";
        String finish = "\"" + completion.finishReason() + "\"";
        if (!request.includeUsage()) {
            events.add(chunkNoUsage(last, finish));
        } else if (form == SimulatorSettings.UsageForm.LIVE) {
            events.add(chunk(last, null, finish, usage.toJson().toString()));
        } else {
            events.add(chunk(last, null, finish));
            events.add(chunkPrefix + "],\"usage\":" + usage.toJson() + "}\n\n");
        }
        events.add(DONE);
        return events;
    }

    private String chunk(String delta, String logprobs, String finish) {
        return request.includeUsage() ? chunk(delta, logprobs, finish, "null") : chunkNoUsage(delta, finish, logprobs);
    }

    private String chunkNoUsage(String delta, String finish) {
        return chunkNoUsage(delta, finish, null);
    }

    private String chunkNoUsage(String delta, String finish, String logprobs) {
        return chunkPrefix + "{\"index\":0,\"delta\":" + delta + ",\"logprobs\":" + logprobs + ",\"finish_reason\":"
                + finish + "}]}\n\n";
    }

    private String chunk(String delta, String logprobs, String finish, String usage) {
        return chunkPrefix + "{\"index\":0,\"delta\":" + delta + ",\"logprobs\":" + logprobs + ",\"finish_reason\":"
                + finish + "}],\"usage\":" + usage + "}\n\n";
    }

    // ------------------------------------------------------------------ helpers

    /**
     * Text cut into tokens of 4 characters, the unit streamed per event. A cut never splits a surrogate pair
     * (an emoji from a tool schema's enum): half a pair is not text and would reach the client as '?'.
     */
    static List<String> pieces(String text) {
        List<String> pieces = new ArrayList<>((text.length() + 3) / 4);
        int i = 0;
        while (i < text.length()) {
            int end = Math.min(text.length(), i + Prompt.CHARS_PER_TOKEN);
            if (end < text.length() && Character.isHighSurrogate(text.charAt(end - 1))) {
                end++;
            }
            pieces.add(text.substring(i, end));
            i = end;
        }
        return pieces;
    }

    private static String escape(String s) {
        return new String(JsonStringEncoder.getInstance().quoteAsString(s));
    }

    /** A deterministic log probability for a token, with alternatives ranked below it. */
    private ObjectNode logprob(String token) {
        ObjectNode lp = entry(token, -(Math.floorMod(token.hashCode(), 1000) / 10000.0));
        ArrayNode top = lp.putArray("top_logprobs");
        for (int k = 0; k < request.topLogprobs(); k++) {
            top.add(k == 0 ? entry(token, lp.get("logprob").asDouble())
                    : entry(token.trim() + k, lp.get("logprob").asDouble() - 1.5 * k));
        }
        return lp;
    }

    private static ObjectNode entry(String token, double logprob) {
        ObjectNode e = JSON.objectNode();
        e.put("token", token);
        e.put("logprob", logprob);
        ArrayNode bytes = e.putArray("bytes");
        for (byte b : token.getBytes(StandardCharsets.UTF_8)) {
            bytes.add(b & 0xff);
        }
        return e;
    }

    /** Token accounting in the real service's shape; prompt = hit + miss, completion includes reasoning. */
    record Usage(int promptTokens, int hitTokens, int completionTokens, int reasoningTokens, boolean thinking) {

        JsonNode toJson() {
            ObjectNode u = JSON.objectNode();
            u.put("prompt_tokens", promptTokens);
            u.put("completion_tokens", completionTokens);
            u.put("total_tokens", promptTokens + completionTokens);
            u.putObject("prompt_tokens_details").put("cached_tokens", hitTokens);
            if (thinking) {
                u.putObject("completion_tokens_details").put("reasoning_tokens", reasoningTokens);
            }
            u.put("prompt_cache_hit_tokens", hitTokens);
            u.put("prompt_cache_miss_tokens", promptTokens - hitTokens);
            return u;
        }
    }
}
