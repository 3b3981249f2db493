package dev.tollgate.gateway;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;

/**
 * Splits the upstream SSE byte stream into events and hands them on as soon as they are complete, after
 * reading usage and finish_reason from each. An event is changed only when it must be: the model name of a
 * rewritten alias, and usage the client did not ask for; every other event goes out as the bytes received,
 * and a changed one is edited in place ({@link Splice}), its other bytes kept as received.
 * The events completed by one network read leave in one write, not one system call each.
 */
final class StreamRelay {

    private static final byte[] NO_BYTES = new byte[0];

    private final ObjectMapper json;
    private final ChatCall call;
    private final Consumer<Buffer> out;
    private final long maxEventBytes;
    /** The name the client sent, as a JSON string, when an alias was served under another; else null. */
    private final byte[] renameTo;
    /** Bytes of the event not yet complete: decoded only whole, so a character split across reads stays whole. */
    private byte[] pending = NO_BYTES;

    Usage usage;
    String finishReason;
    /** UTF-8 bytes of answer text streamed, for an estimate when no usage comes; and of reasoning among them. */
    long streamedBytes;
    long streamedReasoningBytes;
    /** A chunk came: the upstream began its answer (keep-alive comments alone say it has not). */
    boolean answerBegun;
    /** When the first chunk came (System.nanoTime): the endpoint's time to first token. */
    long firstChunkNanos;
    boolean done;
    /** An event is larger than the limit, or grew past it without ending: the stream cannot go on. */
    boolean eventTooLarge;
    /** The upstream sent an error event (OpenAI-compatible servers do, mid-stream): the answer failed. */
    boolean upstreamError;

    StreamRelay(ObjectMapper json, ChatCall call, long maxEventBytes, Consumer<Buffer> out) {
        this.json = json;
        this.call = call;
        this.maxEventBytes = maxEventBytes;
        this.out = out;
        this.renameTo = call.aliasUsed != null ? Splice.jsonString(call.requestedModel) : null;
    }

    void feed(Buffer data) {
        byte[] bytes = pending.length == 0 ? data.getBytes() : concat(pending, data.getBytes());
        Buffer batch = null;
        int from = 0;
        int end;
        while ((end = eventEnd(bytes, from)) >= 0) {
            if (end - from > maxEventBytes) {
                eventTooLarge = true;
                break;
            }
            int next = end + (bytes[end] == '\r' ? 4 : 2);
            if (batch == null) {
                batch = Buffer.buffer(bytes.length);
            }
            if (!relayChanged(bytes, from, end, next, batch)) {
                batch.appendBytes(bytes, from, next - from); // unchanged, or not ours to judge: as received
            }
            from = next;
        }
        pending = from == 0 ? bytes : Arrays.copyOfRange(bytes, from, bytes.length);
        eventTooLarge |= pending.length > maxEventBytes; // one never ended is held whole, so it is refused unended
        if (batch != null && batch.length() > 0) {
            out.accept(batch);
        }
    }

    /**
     * The upstream's stream has ended. An event it did not end with a blank line (some servers close right
     * after {@code data: [DONE]}) is relayed as a whole one, ended, rather than dropped; but only when it is
     * whole: half a JSON chunk would make the client's SDK fail on a parse error, not on the error event that
     * follows it.
     */
    void end() {
        if (isWholeEvent(pending)) {
            feed(Buffer.buffer("\n\n"));
        }
    }

    /** Whether an event's bytes carry {@code [DONE]} or a complete JSON payload (and not just whitespace). */
    private boolean isWholeEvent(byte[] event) {
        StringBuilder payload = new StringBuilder();
        for (String line : new String(event, StandardCharsets.UTF_8).split("\r?\n")) {
            if (line.startsWith("data:")) {
                payload.append(line, line.startsWith("data: ") ? 6 : 5, line.length()).append('\n');
            }
        }
        String data = payload.toString().strip();
        if (data.isEmpty() || data.equals("[DONE]")) {
            return !data.isEmpty();
        }
        try (JsonParser p = json.createParser(data)) {
            while (p.nextToken() != null) {
                p.skipChildren();
            }
            return true;
        } catch (IOException cutShort) {
            return false;
        }
    }

    /** What the answer used: the upstream's own count, else an estimate from what was streamed. */
    Usage usageOrEstimate(long promptTokenEstimate) {
        return usage != null ? usage : Usage.estimate(promptTokenEstimate, streamedBytes, streamedReasoningBytes);
    }

    /**
     * Whether the answer is whole: {@code [DONE]} came, or the usage Tollgate always asks for did, which
     * comes last, on or after the finish chunk.
     */
    boolean complete() {
        return done || usage != null && finishReason != null;
    }

    /** Where the blank line ending the next event starts ({@code \n\n} or {@code \r\n\r\n}), or -1. */
    private static int eventEnd(byte[] b, int from) {
        for (int i = from; i + 1 < b.length; i++) {
            if (b[i] == '\n' && b[i + 1] == '\n') {
                return i;
            }
            if (b[i] == '\r' && i + 3 < b.length && b[i + 1] == '\n' && b[i + 2] == '\r' && b[i + 3] == '\n') {
                return i;
            }
        }
        return -1;
    }

    /**
     * One SSE event, bytes {@code [from, end)}, its terminator up to {@code next}. Its data lines make the
     * payload (other fields such as {@code event:} or {@code id:}, which some OpenAI-compatible servers send,
     * are kept as they are); an event without data, a comment such as {@code : keep-alive} or a stray blank
     * line, is passed on untouched.
     *
     * @return whether a changed event went into the batch; if not, the caller relays the bytes received
     */
    private boolean relayChanged(byte[] b, int from, int end, int next, Buffer batch) {
        ByteArrayOutputStream fields = null;
        ByteArrayOutputStream data = null;
        int dataFrom = -1;
        int dataTo = -1;
        for (int line = from; line <= end; ) {
            int lineEnd = indexOf(b, (byte) '\n', line, end);
            int next0 = lineEnd + 1;
            if (lineEnd > line && b[lineEnd - 1] == '\r') {
                lineEnd--;
            }
            if (startsWith(b, line, lineEnd, "data:")) {
                int value = line + (startsWith(b, line, lineEnd, "data: ") ? 6 : 5);
                if (dataFrom < 0) {
                    dataFrom = value;
                    dataTo = lineEnd;
                } else { // several data lines: the payload is their values joined by newlines
                    if (data == null) {
                        data = new ByteArrayOutputStream();
                        data.write(b, dataFrom, dataTo - dataFrom);
                    }
                    data.write('\n');
                    data.write(b, value, lineEnd - value);
                }
            } else if (lineEnd > line) {
                fields = fields != null ? fields : new ByteArrayOutputStream();
                fields.write(b, line, lineEnd - line);
                fields.write('\n');
            }
            line = next0;
        }
        if (dataFrom < 0) {
            return false;
        }
        byte[] payload = data != null ? data.toByteArray() : b;
        int offset = data != null ? 0 : dataFrom;
        int length = data != null ? payload.length : dataTo - dataFrom;
        if (isDone(payload, offset, length)) {
            done = true;
            return false;
        }
        ChunkFacts facts;
        try {
            facts = ChunkFacts.read(json, payload, offset, length);
        } catch (IOException e) {
            return false;
        }
        if (facts == null) {
            return false;
        }
        observe(facts);
        boolean rename = renameTo != null && facts.model != null;
        boolean strip = !call.clientWantsUsage && facts.usageField != null;
        // DeepSeek's live form puts usage on the finish chunk. OpenAI clients expect it the way OpenAI and DeepSeek
        // document it, in a final chunk with empty choices (the OpenAI SDK's stream accumulator fails otherwise),
        // so the client gets that: the finish chunk with "usage":null, then the usage.
        boolean split = call.clientWantsUsage && facts.usage != null && facts.choices.count > 0;
        if (!rename && !strip && !split) {
            return false;
        }
        if (strip && facts.usage != null && facts.choicesEmpty) {
            return true; // the separate usage chunk the client never asked for
        }
        List<Splice> splices = new ArrayList<>(3);
        if (rename) {
            splices.add(facts.model.replacedBy(renameTo));
        }
        if (strip) {
            splices.add(Splice.cutField(payload, facts.usageField));
        }
        List<Splice> usageChunk = null;
        if (split) {
            usageChunk = new ArrayList<>(splices);
            splices.add(facts.usageValue.replacedBy(Splice.NULL));
            usageChunk.add(facts.choicesValue.replacedBy(Splice.EMPTY_ARRAY));
        }
        byte[] joined = data == null ? null : payload;
        append(b, from, next, fields, joined, inOrder(splices), batch);
        if (usageChunk != null) {
            append(b, from, next, fields, joined, inOrder(usageChunk), batch);
        }
        return true;
    }

    /**
     * Appends the event {@code b[from, next)} with the splices applied to its payload. A payload joined from
     * several data lines ({@code joined}) is written back as data lines after the event's other fields.
     */
    private static void append(byte[] b, int from, int next, ByteArrayOutputStream fields, byte[] joined,
            List<Splice> splices, Buffer batch) {
        if (joined == null) {
            Splice.appendTo(batch, b, from, next, splices);
            return;
        }
        if (fields != null) {
            batch.appendBytes(fields.toByteArray());
        }
        Buffer payload = Splice.apply(joined, splices);
        for (String line : payload.toString(StandardCharsets.UTF_8).split("\n", -1)) {
            batch.appendString("data: ").appendString(line).appendString("\n");
        }
        batch.appendString("\n");
    }

    private static List<Splice> inOrder(List<Splice> splices) {
        splices.sort(Comparator.comparingInt(Splice::from));
        return splices;
    }

    private void observe(ChunkFacts facts) {
        if (facts.error) {
            upstreamError = true; // an error is not the answer beginning: nothing to bill for it alone
            return;
        }
        if (!answerBegun) {
            firstChunkNanos = System.nanoTime();
            call.firstByteAt = Instant.now();
        }
        answerBegun = true;
        if (facts.usage != null) {
            usage = facts.usage;
        }
        if (facts.choices.finishReason != null) {
            finishReason = facts.choices.finishReason;
        }
        streamedBytes += facts.choices.textBytes;
        streamedReasoningBytes += facts.choices.reasoningBytes;
    }

    private static boolean isDone(byte[] b, int offset, int length) {
        int s = offset;
        int e = offset + length;
        while (s < e && b[s] <= ' ') {
            s++;
        }
        while (e > s && b[e - 1] <= ' ') {
            e--;
        }
        return e - s == 6 && startsWith(b, s, e, "[DONE]");
    }

    private static boolean startsWith(byte[] b, int from, int to, String prefix) {
        if (to - from < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (b[from + i] != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** The index of {@code value} in {@code [from, to)}, or {@code to}. */
    private static int indexOf(byte[] b, byte value, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] == value) {
                return i;
            }
        }
        return to;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    /**
     * What the relay needs to know of one chunk, read with a streaming parser: most chunks are relayed
     * unchanged, so building each as a tree would be work thrown away. Spans are positions in the payload's array.
     */
    private static final class ChunkFacts {
        Splice.Span model;
        /** The top-level usage field, name to end of value, and its value; null when the chunk has none. */
        Splice.Span usageField;
        Splice.Span usageValue;
        Usage usage;
        Splice.Span choicesValue;
        boolean choicesEmpty;
        /** The chunk is an error event: {@code {"error": {...}}}. */
        boolean error;
        final Choices choices = new Choices();

        /** @return null when the payload is not a JSON object */
        static ChunkFacts read(ObjectMapper json, byte[] b, int offset, int length) throws IOException {
            ChunkFacts facts = new ChunkFacts();
            try (JsonParser p = json.createParser(b, offset, length)) {
                if (p.nextToken() != JsonToken.START_OBJECT) {
                    return null;
                }
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    int fieldAt = offset + (int) p.currentTokenLocation().getByteOffset();
                    JsonToken value = p.nextToken();
                    switch (field) {
                        case "model" -> facts.model = Splice.Span.ofValue(p, offset);
                        case "usage" -> {
                            int valueAt = offset + (int) p.currentTokenLocation().getByteOffset();
                            if (value == JsonToken.START_OBJECT) {
                                facts.usage = Usage.from(p.<JsonNode>readValueAsTree());
                            } else {
                                p.skipChildren();
                            }
                            facts.usageValue = Splice.Span.endingHere(p, offset, valueAt);
                            facts.usageField = Splice.Span.endingHere(p, offset, fieldAt);
                        }
                        case "choices" -> {
                            int valueAt = offset + (int) p.currentTokenLocation().getByteOffset();
                            if (value == JsonToken.START_ARRAY) {
                                facts.choices.read(p, "delta");
                                facts.choicesEmpty = facts.choices.count == 0;
                            } else {
                                p.skipChildren();
                            }
                            facts.choicesValue = Splice.Span.endingHere(p, offset, valueAt);
                        }
                        case "error" -> {
                            facts.error = value == JsonToken.START_OBJECT;
                            p.skipChildren();
                        }
                        default -> p.skipChildren();
                    }
                }
            }
            return facts;
        }
    }
}
