package dev.tollgate.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * An upstream's own answer to a request it found invalid, for the client. DeepSeek's is OpenAI error JSON
 * and passes unchanged; other OpenAI-compatible servers answer in shapes of their own (vLLM
 * {@code {"object":"error","message":...}}, FastAPI's {@code {"detail":...}}, plain text), which the
 * OpenAI SDKs cannot read, so their words are put into OpenAI's shape.
 */
final class UpstreamErrors {

    private static final int MAX_MESSAGE = 2000;

    private UpstreamErrors() {
    }

    static Buffer asOpenAiError(ObjectMapper json, int status, Buffer body) {
        JsonNode node = null;
        try {
            node = json.readTree(body.getBytes());
        } catch (IOException notJson) {
            // plain text or HTML: its text is the message
        }
        if (node != null && node.path("error").isObject() && node.path("error").path("message").isTextual()) {
            return body;
        }
        String message = node == null ? body.toString(StandardCharsets.UTF_8).strip()
                : node.path("message").isTextual() ? node.path("message").asText()
                : node.path("error").isTextual() ? node.path("error").asText()
                : node.has("detail") ? text(node.get("detail"))
                : node.toString();
        if (message.isEmpty()) {
            message = "The upstream refused the request (HTTP " + status + ") without saying why.";
        }
        if (message.length() > MAX_MESSAGE) {
            message = message.substring(0, MAX_MESSAGE) + "…";
        }
        try {
            return Buffer.buffer(json.writeValueAsBytes(OpenAiError.of(message, "invalid_request_error", null, null)));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String text(JsonNode detail) {
        return detail.isTextual() ? detail.asText() : detail.toString();
    }
}
