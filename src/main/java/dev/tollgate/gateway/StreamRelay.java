package dev.tollgate.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Splits the upstream SSE byte stream into events and hands each one on as soon as it is complete,
 * after reading usage and finish_reason from it. It changes an event only when it must: the model name
 * of a rewritten alias, and usage the client did not ask for.
 */
final class StreamRelay {

    private static final Pattern LINES = Pattern.compile("\r?\n");

    private final ObjectMapper json;
    private final ChatCall call;
    private final Consumer<Buffer> out;
    /** Bytes of the event not yet complete: decoded only whole, so a character split across reads stays whole. */
    private Buffer pending = Buffer.buffer();

    Usage usage;
    String finishReason;
    long streamedChars;
    boolean done;

    StreamRelay(ObjectMapper json, ChatCall call, Consumer<Buffer> out) {
        this.json = json;
        this.call = call;
        this.out = out;
    }

    void feed(Buffer data) {
        pending.appendBuffer(data);
        int from = 0;
        int end;
        while ((end = eventEnd(from)) >= 0) {
            int next = end + (pending.getByte(end) == '\r' ? 4 : 2);
            handle(pending.getString(from, end, "UTF-8"));
            from = next;
        }
        if (from > 0) {
            pending = pending.getBuffer(from, pending.length());
        }
    }

    /** Where the blank line ending the next event starts ({@code \n\n} or {@code \r\n\r\n}), or -1. */
    private int eventEnd(int from) {
        for (int i = from; i + 1 < pending.length(); i++) {
            byte b = pending.getByte(i);
            if (b == '\n' && pending.getByte(i + 1) == '\n') {
                return i;
            }
            if (b == '\r' && i + 3 < pending.length() && pending.getByte(i + 1) == '\n'
                    && pending.getByte(i + 2) == '\r' && pending.getByte(i + 3) == '\n') {
                return i;
            }
        }
        return -1;
    }

    /**
     * One SSE event. Its data lines make the payload (other fields such as {@code event:} or {@code id:},
     * which some OpenAI-compatible servers send, are kept as they are); an event without data, a comment
     * such as {@code : keep-alive} or a stray blank line, is passed on untouched.
     */
    private void handle(String event) {
        StringBuilder fields = new StringBuilder();
        StringBuilder data = null;
        for (String line : LINES.split(event, -1)) {
            if (line.startsWith("data:")) {
                String value = line.substring(line.startsWith("data: ") ? 6 : 5);
                data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
            } else if (!line.isEmpty()) {
                fields.append(line).append('\n');
            }
        }
        if (data == null) {
            out.accept(Buffer.buffer(event + "\n\n"));
            return;
        }
        String payload = data.toString().trim();
        if (payload.equals("[DONE]")) {
            done = true;
            out.accept(Buffer.buffer(event + "\n\n"));
            return;
        }
        try {
            ObjectNode chunk = (ObjectNode) json.readTree(payload);
            observe(chunk);
            boolean changed = false;
            if (call.aliasUsed != null && chunk.has("model")) {
                chunk.put("model", call.requestedModel);
                changed = true;
            }
            if (!call.clientWantsUsage && chunk.has("usage")) {
                if (chunk.path("choices").isArray() && chunk.path("choices").isEmpty()) {
                    return; // the separate usage chunk the client never asked for
                }
                chunk.remove("usage");
                changed = true;
            }
            if (call.clientWantsUsage && chunk.path("usage").isObject() && !chunk.path("choices").isEmpty()) {
                // DeepSeek's live form puts usage on the finish chunk. OpenAI clients expect it the way OpenAI and
                // DeepSeek document it, in a final chunk with empty choices (the OpenAI SDK's stream accumulator
                // fails otherwise), so the client gets that: the finish chunk with "usage":null, then the usage.
                ObjectNode usageChunk = chunk.deepCopy();
                usageChunk.putArray("choices");
                chunk.putNull("usage");
                out.accept(Buffer.buffer(fields + "data: " + json.writeValueAsString(chunk) + "\n\n" + fields
                        + "data: " + json.writeValueAsString(usageChunk) + "\n\n"));
                return;
            }
            out.accept(Buffer.buffer(changed ? fields + "data: " + json.writeValueAsString(chunk) + "\n\n"
                    : event + "\n\n"));
        } catch (IOException | ClassCastException e) {
            out.accept(Buffer.buffer(event + "\n\n")); // not ours to judge: relay as received
        }
    }

    private void observe(JsonNode chunk) {
        JsonNode u = chunk.path("usage");
        if (u.isObject()) {
            usage = Usage.from(u);
        }
        for (JsonNode choice : chunk.path("choices")) {
            JsonNode fr = choice.path("finish_reason");
            if (fr.isTextual()) {
                finishReason = fr.asText();
            }
            JsonNode delta = choice.path("delta");
            streamedChars += delta.path("content").asText("").length()
                    + delta.path("reasoning_content").asText("").length();
            for (JsonNode tc : delta.path("tool_calls")) {
                streamedChars += tc.path("function").path("arguments").asText("").length();
            }
        }
    }
}
