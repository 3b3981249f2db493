package dev.tollgate.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Splits the upstream SSE byte stream into events and hands each one on as soon as it is complete,
 * after reading usage and finish_reason from it. It changes an event only when it must: the model name
 * of a rewritten alias, and usage the client did not ask for.
 */
final class StreamRelay {

    private final ObjectMapper json;
    private final ChatCall call;
    private final Consumer<Buffer> out;
    private final StringBuilder pending = new StringBuilder();

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
        pending.append(data.toString(StandardCharsets.UTF_8));
        int end;
        while ((end = eventEnd()) >= 0) {
            String event = pending.substring(0, end);
            pending.delete(0, end + separatorLength(end));
            handle(event);
        }
    }

    private int eventEnd() {
        int lf = pending.indexOf("\n\n");
        int crlf = pending.indexOf("\r\n\r\n");
        if (lf < 0) {
            return crlf;
        }
        return crlf < 0 ? lf : Math.min(lf, crlf);
    }

    private int separatorLength(int end) {
        return pending.charAt(end) == '\r' ? 4 : 2;
    }

    private void handle(String event) {
        if (!event.startsWith("data:")) {
            out.accept(Buffer.buffer(event + "\n\n")); // comments such as ": keep-alive", blank keep-alive lines
            return;
        }
        String data = event.substring(5).trim();
        if (data.equals("[DONE]")) {
            done = true;
            out.accept(Buffer.buffer(event + "\n\n"));
            return;
        }
        try {
            ObjectNode chunk = (ObjectNode) json.readTree(data);
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
                out.accept(Buffer.buffer("data: " + json.writeValueAsString(chunk) + "\n\ndata: "
                        + json.writeValueAsString(usageChunk) + "\n\n"));
                return;
            }
            out.accept(Buffer.buffer(changed ? "data: " + json.writeValueAsString(chunk) + "\n\n" : event + "\n\n"));
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
