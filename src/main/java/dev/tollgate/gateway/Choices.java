package dev.tollgate.gateway;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * Reads the {@code choices} array of an answer or of a stream chunk with a streaming parser: the first
 * choice's finish_reason, how many choices there are, and the length of every string in their text
 * ({@code message} in an answer, {@code delta} in a chunk), for an estimate when no usage comes.
 */
final class Choices {

    String finishReason;
    long chars;
    int count;

    /**
     * Reads to the array's end; the parser is left on its END_ARRAY.
     *
     * @param textField {@code "message"} or {@code "delta"}
     */
    void read(JsonParser p, String textField) throws IOException {
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY && t != null; t = p.nextToken()) {
            boolean first = count++ == 0;
            if (t != JsonToken.START_OBJECT) {
                p.skipChildren();
                continue;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (first && "finish_reason".equals(field) && value == JsonToken.VALUE_STRING) {
                    finishReason = p.getText();
                } else if (textField.equals(field) && value == JsonToken.START_OBJECT) {
                    countText(p);
                } else {
                    p.skipChildren();
                }
            }
        }
    }

    /** Adds the length of every string value in the structure the parser is at the start of. */
    private void countText(JsonParser p) throws IOException {
        int depth = 1;
        while (depth > 0) {
            JsonToken t = p.nextToken();
            if (t == null) {
                return;
            }
            switch (t) {
                case START_OBJECT, START_ARRAY -> depth++;
                case END_OBJECT, END_ARRAY -> depth--;
                case VALUE_STRING -> chars += p.getTextLength();
                default -> {
                }
            }
        }
    }
}
