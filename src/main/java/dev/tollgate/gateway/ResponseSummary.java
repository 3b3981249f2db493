package dev.tollgate.gateway;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/**
 * What the ledger needs from a non-streamed answer, usage and the first choice's finish_reason, read with
 * a streaming parser: the answer's content is skipped over, never built into a tree (it can be megabytes).
 */
record ResponseSummary(Usage usage, String finishReason) {

    /** @throws IOException when the body is not a JSON object */
    static ResponseSummary read(ObjectMapper json, byte[] body) throws IOException {
        Usage usage = Usage.NONE;
        String finishReason = null;
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
                    finishReason = firstFinishReason(p);
                } else {
                    p.skipChildren();
                }
            }
        }
        return new ResponseSummary(usage, finishReason);
    }

    /** Reads the choices array to its end; the parser is left on its END_ARRAY. */
    private static String firstFinishReason(JsonParser p) throws IOException {
        String finishReason = null;
        boolean first = true;
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY && t != null; t = p.nextToken()) {
            if (first && t == JsonToken.START_OBJECT) {
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    JsonToken value = p.nextToken();
                    if ("finish_reason".equals(field) && value == JsonToken.VALUE_STRING) {
                        finishReason = p.getText();
                    } else {
                        p.skipChildren();
                    }
                }
            } else {
                p.skipChildren();
            }
            first = false;
        }
        return finishReason;
    }
}
