package dev.tollgate.gateway;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A byte range of an upstream body and the bytes that replace it. The gateway changes an answer or a chunk
 * this way, never by parsing it into a tree and writing it anew, so every byte it does not mean to change
 * (numbers such as {@code -3.2e-06}, Unicode escapes, spacing) reaches the client as the upstream
 * wrote it.
 */
record Splice(int from, int to, byte[] with) {

    private static final byte[] NOTHING = new byte[0];
    static final byte[] NULL = "null".getBytes(StandardCharsets.US_ASCII);
    static final byte[] EMPTY_ARRAY = "[]".getBytes(StandardCharsets.US_ASCII);

    /** Where a JSON value or a field lies in a body: bytes {@code [from, to)}. */
    record Span(int from, int to) {

        Splice replacedBy(byte[] with) {
            return new Splice(from, to, with);
        }

        /**
         * The span of the value the parser has just reached, consuming it; {@code base} is where the parser's
         * input starts in the body.
         */
        static Span ofValue(JsonParser p, int base) throws IOException {
            int from = base + (int) p.currentTokenLocation().getByteOffset();
            if (p.currentToken() == JsonToken.VALUE_STRING) {
                p.finishToken(); // a string is read lazily: only then is the parser past its closing quote
            } else {
                p.skipChildren();
            }
            return endingHere(p, base, from);
        }

        /** From {@code from} to the end of what the parser has consumed. */
        static Span endingHere(JsonParser p, int base, int from) {
            return new Span(from, base + (int) p.currentLocation().getByteOffset());
        }
    }

    /**
     * Removes the field spanning {@code field} (name to end of value) from the object holding it, with one
     * of the commas that separate it from its neighbours.
     */
    static Splice cutField(byte[] b, Span field) {
        int before = skipSpace(b, field.from() - 1, -1);
        if (b[before] == ',') {
            return new Splice(before, field.to(), NOTHING);
        }
        int after = skipSpace(b, field.to(), 1);
        return b[after] == ',' ? new Splice(field.from(), after + 1, NOTHING) : new Splice(field.from(), field.to(), NOTHING);
    }

    /** A JSON string literal, quotes included. */
    static byte[] jsonString(String value) {
        byte[] escaped = JsonStringEncoder.getInstance().quoteAsUTF8(value);
        byte[] literal = new byte[escaped.length + 2];
        literal[0] = '"';
        System.arraycopy(escaped, 0, literal, 1, escaped.length);
        literal[literal.length - 1] = '"';
        return literal;
    }

    /** Appends {@code b[from, to)} with the splices applied; they lie in that range, in order, not overlapping. */
    static void appendTo(Buffer out, byte[] b, int from, int to, List<Splice> splices) {
        int at = from;
        for (Splice s : splices) {
            out.appendBytes(b, at, s.from() - at).appendBytes(s.with());
            at = s.to();
        }
        out.appendBytes(b, at, to - at);
    }

    /** {@code b} with the splices applied. */
    static Buffer apply(byte[] b, List<Splice> splices) {
        Buffer out = Buffer.buffer(b.length + 32);
        appendTo(out, b, 0, b.length, splices);
        return out;
    }

    /** From {@code i}, stepping by {@code step}, the index of the first byte that is not JSON whitespace. */
    private static int skipSpace(byte[] b, int i, int step) {
        while (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
            i += step;
        }
        return i;
    }
}
