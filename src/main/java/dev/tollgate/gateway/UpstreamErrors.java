package dev.tollgate.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * An upstream's own answer to a request it found invalid, for the client. DeepSeek's is OpenAI error JSON
 * and passes unchanged; other OpenAI-compatible servers answer in shapes of their own (vLLM
 * {@code {"object":"error","message":...}}, FastAPI's {@code {"detail":...}}, plain text), which the
 * OpenAI SDKs cannot read, so their words are put into OpenAI's shape.
 */
final class UpstreamErrors {

    private static final int MAX_MESSAGE = 2000;
    /** A year: a longer Retry-After is as good as never, and must not overflow a wait in milliseconds. */
    private static final long MAX_RETRY_AFTER = 365L * 24 * 3600;

    private UpstreamErrors() {
    }

    /**
     * A Retry-After header in seconds from now (RFC 9110: delta-seconds or an HTTP date), or -1 when absent or
     * unreadable. A date in the past is 0.
     */
    static long retryAfterSeconds(String header) {
        if (header == null || header.isBlank()) {
            return -1;
        }
        String value = header.trim();
        try {
            return value.chars().allMatch(Character::isDigit)
                    ? value.length() > 12 ? MAX_RETRY_AFTER : Math.min(Long.parseLong(value), MAX_RETRY_AFTER)
                    : Math.min(MAX_RETRY_AFTER, Math.max(0, Duration.between(Instant.now(),
                            ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME)).toSeconds()));
        } catch (NumberFormatException | DateTimeParseException e) {
            return -1;
        }
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

    /**
     * The answer without the endpoint's API key in it. DeepSeek masks a key it quotes; a proxy or a self-hosted
     * server in front of it may repeat the request's Authorization header word for word, which would hand the
     * gateway's upstream key to a tenant.
     */
    static Buffer withoutKey(Buffer body, String apiKey) {
        if (apiKey == null || apiKey.isBlank()) {
            return body;
        }
        String text = body.toString(StandardCharsets.UTF_8);
        return text.contains(apiKey) ? Buffer.buffer(text.replace(apiKey, "***")) : body;
    }

    private static String text(JsonNode detail) {
        return detail.isTextual() ? detail.asText() : detail.toString();
    }
}
