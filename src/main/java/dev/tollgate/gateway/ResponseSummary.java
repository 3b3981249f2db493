package dev.tollgate.gateway;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;

/**
 * What the ledger needs from a non-streamed answer, usage and the first choice's finish_reason, read with
 * a streaming parser: the answer's content is skipped over, never built into a tree (it can be megabytes).
 * It also measures the answer's text in UTF-8 bytes, for an estimate when an upstream reports no usage,
 * and finds where the model name lies, for an alias to be renamed in place.
 */
record ResponseSummary(Usage usage, String finishReason, long answerBytes, Splice.Span model, boolean hasChoices) {

    /** @throws IOException when the body is not a JSON object */
    static ResponseSummary read(ObjectMapper json, byte[] body) throws IOException {
        return read(json, body, 0, body.length, new Choices());
    }

    /**
     * The same, read where the buffer holds its bytes: an answer may be tens of megabytes (logprobs), and a copy of
     * it for parsing would double what each call holds on the heap. Spans are relative to the buffer's start.
     */
    static ResponseSummary read(ObjectMapper json, Buffer body) throws IOException {
        ByteBuf bytes = body.getByteBuf();
        return bytes.hasArray()
                ? read(json, bytes.array(), bytes.arrayOffset() + bytes.readerIndex(), bytes.readableBytes(),
                        new Choices())
                : read(json, body.getBytes());
    }

    /**
     * The answer, in UTF-8 bytes of text, in the part of a body that came before it broke off: whole strings, and
     * the part that came of a string cut short. DeepSeek sends a choice's logprobs before its message, one entry
     * per output token, so a body cut inside them counts each entry as a token (four bytes, the estimate's unit).
     */
    static long answerBytesSoFar(ObjectMapper json, byte[] partial) {
        return answerBytesSoFar(json, partial, 0, partial.length);
    }

    /** The same, read where the buffer holds it: it is read when memory is short, and may be megabytes. */
    static long answerBytesSoFar(ObjectMapper json, Buffer partial) {
        ByteBuf bytes = partial.getByteBuf();
        return bytes.hasArray() ? answerBytesSoFar(json, bytes.array(), bytes.arrayOffset() + bytes.readerIndex(),
                bytes.readableBytes()) : answerBytesSoFar(json, partial.getBytes());
    }

    private static long answerBytesSoFar(ObjectMapper json, byte[] partial, int offset, int length) {
        Choices choices = new Choices();
        try {
            read(json, partial, offset, length, choices);
        } catch (IOException cutShort) {
            // expected: the text counted up to the cut is what we want
        }
        long logprobTokens = 0;
        try (JsonParser p = json.createParser(partial, offset, length)) {
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                if (t == JsonToken.START_OBJECT && isLogprobsEntry(p.getParsingContext())) {
                    logprobTokens++;
                }
            }
        } catch (IOException cutShort) {
            // as above
        }
        long cutText = choices.cutTextAt < 0 ? 0 : Math.max(0, length - choices.cutTextAt - 1);
        return Math.max(choices.textBytes + cutText, 4 * logprobTokens);
    }

    /** An object in {@code choices[i].logprobs.content} (or {@code .reasoning_content}). */
    private static boolean isLogprobsEntry(JsonStreamContext object) {
        JsonStreamContext array = object.getParent();
        JsonStreamContext logprobs = array == null || !array.inArray() ? null : array.getParent();
        JsonStreamContext choice = logprobs == null ? null : logprobs.getParent();
        return choice != null && choice.getParent() != null && choice.getParent().inArray()
                && "logprobs".equals(choice.getCurrentName())
                && String.valueOf(logprobs.getCurrentName()).endsWith("content");
    }

    private static ResponseSummary read(ObjectMapper json, byte[] body, int offset, int length, Choices choices)
            throws IOException {
        Usage usage = Usage.NONE;
        Splice.Span model = null;
        boolean hasChoices = false;
        try (JsonParser p = json.createParser(body, offset, length)) { // its byte offsets count from offset
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if ("usage".equals(field) && value == JsonToken.START_OBJECT) {
                    usage = Usage.from(p.<JsonNode>readValueAsTree());
                } else if ("choices".equals(field) && value == JsonToken.START_ARRAY) {
                    hasChoices = true;
                    choices.read(p, "message");
                } else if ("model".equals(field)) {
                    model = Splice.Span.ofValue(p, 0);
                } else {
                    p.skipChildren();
                }
            }
        }
        return new ResponseSummary(usage, choices.finishReason, choices.textBytes, model, hasChoices);
    }

    /**
     * Whether this is a chat completion at all: a 200 whose JSON has neither choices nor usage (a proxy's
     * {@code {"error":...}}, say) is no answer, and nothing to bill.
     */
    boolean isAnswer() {
        return hasChoices || usage != Usage.NONE;
    }

    /** The usage to bill: the upstream's, or when it sent none an estimate from the text, flagged as such. */
    Usage usageOrEstimate(long promptTokenEstimate) {
        return usage != Usage.NONE ? usage : Usage.estimate(promptTokenEstimate, answerBytes);
    }
}
