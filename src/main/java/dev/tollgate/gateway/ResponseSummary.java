package dev.tollgate.gateway;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/**
 * What the ledger needs from a non-streamed answer, usage and the first choice's finish_reason, read with
 * a streaming parser: the answer's content is skipped over, never built into a tree (it can be megabytes).
 * It also measures the answer's text in UTF-8 bytes, for an estimate when an upstream reports no usage,
 * and finds where the model name lies, for an alias to be renamed in place.
 */
record ResponseSummary(Usage usage, String finishReason, long answerBytes, Splice.Span model) {

    /** @throws IOException when the body is not a JSON object */
    static ResponseSummary read(ObjectMapper json, byte[] body) throws IOException {
        Usage usage = Usage.NONE;
        Choices choices = new Choices();
        Splice.Span model = null;
        try (JsonParser p = json.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if ("usage".equals(field) && value == JsonToken.START_OBJECT) {
                    usage = Usage.from(p.<JsonNode>readValueAsTree());
                } else if ("choices".equals(field) && value == JsonToken.START_ARRAY) {
                    choices.read(p, "message");
                } else if ("model".equals(field)) {
                    model = Splice.Span.ofValue(p, 0);
                } else {
                    p.skipChildren();
                }
            }
        }
        return new ResponseSummary(usage, choices.finishReason, choices.textBytes, model);
    }

    /** The usage to bill: the upstream's, or when it sent none an estimate from the text, flagged as such. */
    Usage usageOrEstimate(long promptTokenEstimate) {
        return usage != Usage.NONE ? usage : Usage.estimate(promptTokenEstimate, answerBytes);
    }
}
