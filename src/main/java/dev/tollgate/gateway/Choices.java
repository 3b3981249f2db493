package dev.tollgate.gateway;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * Reads the {@code choices} array of an answer or of a stream chunk with a streaming parser: the first
 * choice's finish_reason, how many choices there are, and the UTF-8 length of every string in their text
 * ({@code message} in an answer, {@code delta} in a chunk), for an estimate when no usage comes.
 */
final class Choices {

    String finishReason;
    /** In UTF-8 bytes, the unit the prompt is estimated in too: characters would count Chinese at a third. */
    long textBytes;
    /** The part of {@link #textBytes} that is {@code reasoning_content}: the estimate's reasoning tokens. */
    long reasoningBytes;
    int count;
    /** Where a text string the body broke off inside begins (its opening quote), else -1. */
    long cutTextAt = -1;

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

    /** Adds the UTF-8 length of every string value in the structure the parser is at the start of. */
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
                case VALUE_STRING -> {
                    try {
                        long bytes = utf8Length(p);
                        textBytes += bytes;
                        if (depth == 1 && "reasoning_content".equals(p.currentName())) {
                            reasoningBytes += bytes;
                        }
                    } catch (IOException cut) {
                        cutTextAt = p.currentTokenLocation().getByteOffset();
                        throw cut;
                    }
                }
                default -> {
                }
            }
        }
    }

    private static long utf8Length(JsonParser p) throws IOException {
        char[] text = p.getTextCharacters();
        int from = p.getTextOffset();
        int to = from + p.getTextLength();
        long bytes = 0;
        for (int i = from; i < to; i++) {
            char c = text[i];
            bytes += c < 0x80 ? 1 : c < 0x800 || Character.isSurrogate(c) ? 2 : 3; // a surrogate pair is 4
        }
        return bytes;
    }
}
