package dev.tollgate.ledger;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.pricing.CallCost;
import dev.tollgate.pricing.TokenClass;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * One spool line per entry: {@code <crc32c, 8 hex digits> <json>\n}. JSON escapes line breaks, so a line is
 * a record; the checksum covers the JSON bytes and catches a torn or damaged line. Field names are the
 * {@code usage_ledger} column names; amounts are decimal strings (exact); instants are microseconds since
 * the epoch (the precision of an entry and of PostgreSQL, and far cheaper to write than the ISO text older
 * spools hold, which is still read); absent values are left out. Unknown fields are ignored, so a newer
 * version can add some and still read older spools.
 */
final class SpoolCodec {

    /** Raised for a line that cannot be trusted: bad checksum, bad JSON or a value the entry refuses. */
    static final class CorruptLineException extends Exception {
        CorruptLineException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static final JsonFactory JSON = new JsonFactory();
    private static final ObjectMapper MAPPER = new ObjectMapper(JSON);
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final int PREFIX = 9;
    private static final long MICROS_PER_SECOND = 1_000_000L;

    private SpoolCodec() {
    }

    /**
     * A line being built. The recording thread keeps one and reuses it for every row, because the line is
     * only needed until it is in the spool file, and a fresh buffer per call is garbage on the hot path.
     */
    static final class LineBuffer extends ByteArrayOutputStream {
        LineBuffer() {
            super(1024);
        }

        /** The line as it stands, without a copy; valid until the next encode into this buffer. */
        ByteBuffer view() {
            return ByteBuffer.wrap(buf, 0, count);
        }

        private void fillChecksum() {
            CRC32C crc = new CRC32C();
            crc.update(buf, PREFIX, count - PREFIX - 1);
            long sum = crc.getValue();
            for (int i = 7; i >= 0; i--) {
                buf[i] = HEX[(int) (sum & 0xf)];
                sum >>>= 4;
            }
            buf[8] = ' ';
        }
    }

    static byte[] encode(LedgerEntry e) {
        return encode(e, new LineBuffer()).toByteArray();
    }

    /** Encodes the entry into {@code out}, replacing what it held. */
    static LineBuffer encode(LedgerEntry e, LineBuffer out) {
        out.reset();
        out.write(HEX, 0, PREFIX); // room for the checksum and its space, filled below
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("request_id", e.requestId());
            g.writeNumberField("attempt", e.attempt());
            g.writeNumberField("tenant_id", e.tenantId());
            g.writeNumberField("key_id", e.keyId());
            g.writeStringField("model_requested", e.modelRequested());
            string(g, "alias_used", e.aliasUsed());
            string(g, "model_served", e.modelServed());
            string(g, "upstream", e.upstream());
            g.writeBooleanField("streamed", e.streamed());
            string(g, "thinking_mode", e.thinkingMode());
            instant(g, "received_at", e.receivedAt());
            instant(g, "first_byte_at", e.firstByteAt());
            instant(g, "finished_at", e.finishedAt());
            if (e.httpStatus() != null) {
                g.writeNumberField("http_status", e.httpStatus());
            }
            string(g, "error_type", e.errorType());
            string(g, "finish_reason", e.finishReason());
            g.writeNumberField("prompt_tokens", e.promptTokens());
            g.writeNumberField("prompt_cache_hit_tokens", e.promptCacheHitTokens());
            g.writeNumberField("prompt_cache_miss_tokens", e.promptCacheMissTokens());
            g.writeNumberField("completion_tokens", e.completionTokens());
            g.writeNumberField("reasoning_tokens", e.reasoningTokens());
            g.writeBooleanField("usage_estimated", e.usageEstimated());
            if (e.cost() != null) {
                CallCost c = e.cost();
                g.writeObjectFieldStart("cost");
                g.writeStringField("model", c.model());
                instant(g, "received_at", c.receivedAt());
                for (CallCost.Line line : c.lines()) {
                    g.writeObjectFieldStart(line.tokenClass().wireName());
                    g.writeNumberField("tokens", line.tokens());
                    g.writeStringField("usd_per_million_tokens", line.usdPerMillionTokens().toPlainString());
                    g.writeStringField("cost", line.cost().toPlainString());
                    g.writeNumberField("price_entry_id", line.priceEntryId());
                    g.writeEndObject();
                }
                g.writeStringField("total", c.total().toPlainString());
                g.writeEndObject();
            }
            string(g, "client_request_id", e.clientRequestId());
            string(g, "user_id", e.userId());
            g.writeArrayFieldStart("tags");
            for (String tag : e.tags()) {
                g.writeString(tag);
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException impossible) {
            throw new UncheckedIOException(impossible);
        }
        out.write('\n');
        out.fillChecksum();
        return out;
    }

    /** Decodes the line held in {@code buf[from, to)}, without its line break. */
    static LedgerEntry decode(byte[] buf, int from, int to) throws CorruptLineException {
        if (to - from < PREFIX + 2 || buf[from + 8] != ' ') {
            throw new CorruptLineException("not a spool line", null);
        }
        long expected = 0;
        for (int i = 0; i < 8; i++) {
            int digit = Character.digit(buf[from + i], 16);
            if (digit < 0) {
                throw new CorruptLineException("bad checksum field", null);
            }
            expected = (expected << 4) | digit;
        }
        CRC32C crc = new CRC32C();
        crc.update(buf, from + PREFIX, to - from - PREFIX);
        if (crc.getValue() != expected) {
            throw new CorruptLineException("checksum mismatch", null);
        }
        try {
            JsonNode n = MAPPER.readTree(buf, from + PREFIX, to - from - PREFIX);
            List<String> tags = new ArrayList<>();
            n.path("tags").forEach(t -> tags.add(t.asText()));
            return new LedgerEntry(
                    required(n, "request_id").asText(),
                    required(n, "attempt").asInt(),
                    required(n, "tenant_id").asLong(),
                    required(n, "key_id").asLong(),
                    required(n, "model_requested").asText(),
                    text(n, "alias_used"),
                    text(n, "model_served"),
                    text(n, "upstream"),
                    n.path("streamed").asBoolean(),
                    text(n, "thinking_mode"),
                    instant(required(n, "received_at")),
                    instant(n.get("first_byte_at")),
                    instant(n.get("finished_at")),
                    n.hasNonNull("http_status") ? n.get("http_status").asInt() : null,
                    text(n, "error_type"),
                    text(n, "finish_reason"),
                    n.path("prompt_tokens").asLong(),
                    n.path("prompt_cache_hit_tokens").asLong(),
                    n.path("prompt_cache_miss_tokens").asLong(),
                    n.path("completion_tokens").asLong(),
                    n.path("reasoning_tokens").asLong(),
                    n.path("usage_estimated").asBoolean(),
                    cost(n.get("cost")),
                    text(n, "client_request_id"),
                    text(n, "user_id"),
                    tags);
        } catch (IOException | RuntimeException e) {
            throw new CorruptLineException("unreadable entry: " + e.getMessage(), e);
        }
    }

    private static CallCost cost(JsonNode c) {
        if (c == null || c.isNull()) {
            return null;
        }
        return new CallCost(required(c, "model").asText(), instant(required(c, "received_at")),
                line(c, TokenClass.INPUT_CACHE_HIT), line(c, TokenClass.INPUT_CACHE_MISS), line(c, TokenClass.OUTPUT),
                new BigDecimal(required(c, "total").asText()));
    }

    private static CallCost.Line line(JsonNode c, TokenClass tokenClass) {
        JsonNode l = required(c, tokenClass.wireName());
        return new CallCost.Line(tokenClass, required(l, "tokens").asLong(),
                new BigDecimal(required(l, "usd_per_million_tokens").asText()), new BigDecimal(required(l, "cost").asText()),
                required(l, "price_entry_id").asLong());
    }

    private static JsonNode required(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException("missing " + field);
        }
        return v;
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static Instant instant(JsonNode v) {
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isIntegralNumber()) {
            long micros = v.asLong();
            return Instant.ofEpochSecond(Math.floorDiv(micros, MICROS_PER_SECOND),
                    Math.floorMod(micros, MICROS_PER_SECOND) * 1_000L);
        }
        return Instant.parse(v.asText());
    }

    private static void string(JsonGenerator g, String field, String value) throws IOException {
        if (value != null) {
            g.writeStringField(field, value);
        }
    }

    private static void instant(JsonGenerator g, String field, Instant value) throws IOException {
        if (value != null) {
            g.writeNumberField(field, Math.addExact(Math.multiplyExact(value.getEpochSecond(), MICROS_PER_SECOND),
                    value.getNano() / 1_000L)); // an entry's instants are whole microseconds
        }
    }
}
