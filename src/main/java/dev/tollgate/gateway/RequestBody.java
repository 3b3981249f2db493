package dev.tollgate.gateway;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A chat completion request as the gateway reads it: with a streaming parser, so that the messages (most
 * of a long conversation's bytes) are checked and skipped but for their roles, never built into a tree, and
 * with where each top-level field lies. The few changes the gateway makes (an alias's model and the fields it
 * implies, asking for usage, the tenant's user_id, the output limit, developer roles) go in as
 * {@link Splice splices}; every other byte goes upstream as the client sent it.
 */
final class RequestBody {

    /** A top-level field's value: its first token, where it lies, and its text when it is a string. */
    record Value(JsonToken token, Splice.Span span, String text) {

        boolean isNull() {
            return token == JsonToken.VALUE_NULL;
        }
    }

    private static final byte[] TRUE = "true".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SYSTEM = "\"system\"".getBytes(StandardCharsets.US_ASCII);
    /** DeepSeek V4's most output tokens (384K), the top of the {@code max_tokens} range it takes. */
    private static final int MOST_OUTPUT_TOKENS = 393_216;

    private final byte[] bytes;
    /** Where the body's opening brace is. */
    private final int start;
    /** The last value of each top-level field, as a JSON tree would keep it. */
    private final Map<String, Value> fields = new HashMap<>();
    private final Map<String, JsonNode> implied = new HashMap<>();
    private final List<Splice> changes = new ArrayList<>(3);
    /** Where in {@link #changes} each field {@link #set} changed lies: a field set again is changed once. */
    private final Map<String, List<Integer>> setAt = new HashMap<>(4);
    /** The spans of earlier values of a field sent more than once (rare): a field set is set in each of them. */
    private Map<String, List<Splice.Span>> earlier;
    private boolean hasMessages;
    /** The values of messages' {@code role} fields that say {@code "developer"}. */
    private List<Splice.Span> developerRoles;
    private String thinkingType;
    /** Inside stream_options, when it is an object: where it opens, whether it is empty, its include_usage. */
    private int streamOptionsStart;
    private boolean streamOptionsEmpty;
    private Value includeUsage;

    private RequestBody(byte[] bytes, int start) {
        this.bytes = bytes;
        this.start = start;
    }

    /**
     * False for UTF-16 and UTF-32, which JSON between systems must not be (RFC 8259) and which Jackson would
     * otherwise read, the way it tells them: a byte-order mark, or a zero byte among the first four.
     */
    static boolean mayBeUtf8(byte[] b) {
        if (b.length >= 2 && (b[0] == (byte) 0xFE && b[1] == (byte) 0xFF || b[0] == (byte) 0xFF && b[1] == (byte) 0xFE)) {
            return false;
        }
        for (int i = 0; i < Math.min(4, b.length); i++) {
            if (b[i] == 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * @return null when the body is not a JSON object
     * @throws JsonProcessingException when it is not valid JSON
     */
    static RequestBody read(ObjectMapper json, byte[] bytes) throws IOException {
        try (JsonParser p = json.createParser(bytes)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            RequestBody body = new RequestBody(bytes, (int) p.currentTokenLocation().getByteOffset());
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken token = p.nextToken();
                int from = (int) p.currentTokenLocation().getByteOffset();
                String text = token == JsonToken.VALUE_STRING ? p.getText() : null;
                if ("messages".equals(name) && token == JsonToken.START_ARRAY) {
                    body.hasMessages = body.readMessages(p) > 0;
                } else if ("thinking".equals(name) && token == JsonToken.START_OBJECT) {
                    body.thinkingType = readType(p);
                } else if ("stream_options".equals(name) && token == JsonToken.START_OBJECT) {
                    body.readStreamOptions(p, from);
                } else {
                    Splice.Span.ofValue(p, 0); // skipped to its end
                    body.forget(name);
                }
                Value previous = body.fields.put(name, new Value(token, Splice.Span.endingHere(p, 0, from), text));
                if (previous != null) {
                    body.earlierSpans(name).add(previous.span());
                }
            }
            // what follows the object goes upstream too: it must be nothing (a second object would be read by a
            // parser that keeps the last value, and serve a model this gateway never checked)
            if (p.nextToken() != null) {
                throw new JsonParseException(p, "more after the JSON object; send one object");
            }
            return body;
        }
    }

    Value get(String field) {
        return fields.get(field);
    }

    /** A string field as the upstream will see it: the client's, else one an alias implies; or null. */
    String text(String field) {
        Value sent = fields.get(field);
        if (sent != null && !sent.isNull()) {
            return sent.text();
        }
        JsonNode value = implied.get(field);
        return value != null && value.isTextual() ? value.asText() : null;
    }

    /** Whether messages is a non-empty array. */
    boolean hasMessages() {
        return hasMessages;
    }

    /** {@code thinking.type} as the upstream will see it, or null. */
    String thinkingType() {
        Value sent = fields.get("thinking");
        if (sent != null && !sent.isNull()) {
            return thinkingType;
        }
        JsonNode value = implied.get("thinking");
        return value == null ? null : value.path("type").asText(null);
    }

    /** {@code stream_options.include_usage} as sent, when stream_options is an object that has it; else null. */
    Value includeUsage() {
        Value options = fields.get("stream_options");
        return options != null && options.token() == JsonToken.START_OBJECT ? includeUsage : null;
    }

    boolean wantsUsage() {
        Value sent = includeUsage();
        return sent != null && sent.token() == JsonToken.VALUE_TRUE;
    }

    /**
     * Rewrites the request for an alias: {@code model} becomes the served model, and each field the alias
     * implies is added where the client did not set it (absent or null). A field the client set wins as it is.
     */
    void serveAlias(String model, Map<String, JsonNode> impliedParams, ObjectMapper json) {
        set("model", Splice.jsonString(model));
        impliedParams.forEach((field, value) -> {
            Value sent = fields.get(field);
            if (sent == null || sent.isNull()) {
                implied.put(field, value);
                set(field, encode(json, value));
            }
        });
    }

    /**
     * Puts the call in the tenant's own prompt cache ({@link CacheScope}): the client's {@code user_id}, else the
     * one an alias implies, else none. One that is not a string DeepSeek takes is left for the upstream to refuse.
     */
    void scopeUserId(long tenantId) {
        Value sent = fields.get("user_id");
        String id;
        if (sent != null && !sent.isNull()) {
            if (sent.token() != JsonToken.VALUE_STRING) {
                return;
            }
            id = sent.text();
        } else {
            JsonNode value = implied.get("user_id");
            boolean none = value == null || value.isNull();
            if (!none && !value.isTextual()) {
                return;
            }
            id = none ? null : value.asText();
        }
        if (id != null && !CacheScope.isValid(id)) {
            return;
        }
        set("user_id", Splice.jsonString(CacheScope.userId(tenantId, id)));
    }

    /**
     * OpenAI's SDKs now send the output limit as {@code max_completion_tokens} ({@code max_tokens} is deprecated
     * there), and DeepSeek reads only {@code max_tokens}: the limit would not hold, and an answer the client
     * meant to cap would run, and be billed, to the model's maximum. So a whole number the client sends as
     * {@code max_completion_tokens} also goes upstream as {@code max_tokens}, unless it sent that too (an
     * alias's implied max_tokens gives way to it, as to any field the client sets); one an alias implies does
     * where nothing else sets max_tokens. An upstream that knows both (vLLM) reads the same limit twice. Only a
     * limit that limits is copied, 1 to DeepSeek's most output: DeepSeek would refuse any other as a max_tokens
     * the client never sent, where it used to ignore it.
     */
    void limitOutputAsAsked() {
        Value maxTokens = fields.get("max_tokens");
        if (maxTokens != null && !maxTokens.isNull()) {
            return;
        }
        Value sent = fields.get("max_completion_tokens");
        String limit;
        if (sent != null && !sent.isNull()) {
            if (sent.token() != JsonToken.VALUE_NUMBER_INT) {
                return; // anything else is left for the upstream to judge
            }
            int to = sent.span().to();
            while (bytes[to - 1] < '0' || bytes[to - 1] > '9') { // a number ends in a digit: no delimiter taken
                to--;
            }
            limit = new String(bytes, sent.span().from(), to - sent.span().from(), StandardCharsets.US_ASCII);
        } else {
            JsonNode value = implied.get("max_completion_tokens");
            if (value == null || !value.isIntegralNumber() || implied.containsKey("max_tokens")) {
                return;
            }
            limit = value.asText();
        }
        int tokens = limit.length() <= 6 ? Integer.parseInt(limit) : 0; // past six digits, past the most
        if (tokens >= 1 && tokens <= MOST_OUTPUT_TOKENS) {
            set("max_tokens", limit.getBytes(StandardCharsets.US_ASCII));
        }
    }

    /**
     * OpenAI's newer name for the system role, {@code developer} (its SDKs' {@code addDeveloperMessage}), is
     * sent as {@code system}, which DeepSeek takes for the same thing: DeepSeek refuses the name with a 400.
     */
    void developerAsSystem() {
        if (developerRoles != null) {
            developerRoles.forEach(span -> changes.add(span.replacedBy(SYSTEM)));
        }
    }

    /** Sets {@code stream_options.include_usage} to true, keeping the client's other stream options. */
    void askForUsage() {
        Value options = fields.get("stream_options");
        if (options == null || options.token() != JsonToken.START_OBJECT) {
            set("stream_options", "{\"include_usage\":true}".getBytes(StandardCharsets.US_ASCII));
        } else if (includeUsage != null) {
            changes.add(includeUsage.span().replacedBy(TRUE));
        } else {
            changes.add(insertion(streamOptionsStart + 1, "\"include_usage\":true" + (streamOptionsEmpty ? "" : ",")));
        }
    }

    /**
     * What goes upstream: the client's bytes, with the changes made. Unchanged, they are wrapped, not
     * copied. Every attempt sends this one buffer: Vert.x writes a duplicate of it, never it.
     */
    Buffer upstream() {
        if (changes.isEmpty()) {
            return Buffer.buffer(Unpooled.wrappedBuffer(bytes));
        }
        changes.sort(Comparator.comparingInt(Splice::from)); // stable: insertions at one place keep their order
        return Splice.apply(bytes, changes);
    }

    /**
     * Replaces a top-level field's value, in every place a field sent twice has one (an upstream that reads the first
     * must see what the gateway set), or adds the field first in the body. A field set again gets the last value.
     */
    private void set(String field, byte[] value) {
        List<Splice> wanted = new ArrayList<>(1);
        Value sent = fields.get(field);
        if (sent != null) {
            wanted.add(sent.span().replacedBy(value));
            if (earlier != null) {
                earlier.getOrDefault(field, List.of()).forEach(span -> wanted.add(span.replacedBy(value)));
            }
        } else {
            byte[] name = Splice.jsonString(field);
            byte[] member = new byte[name.length + value.length + 2];
            System.arraycopy(name, 0, member, 0, name.length);
            member[name.length] = ':';
            System.arraycopy(value, 0, member, name.length + 1, value.length);
            member[member.length - 1] = ','; // the body has other fields: model at least
            wanted.add(new Splice(start + 1, start + 1, member));
        }
        List<Integer> at = setAt.get(field);
        if (at == null) {
            at = new ArrayList<>(wanted.size());
            setAt.put(field, at);
            for (Splice change : wanted) {
                at.add(changes.size());
                changes.add(change);
            }
        } else {
            for (int i = 0; i < at.size(); i++) { // the same places as before
                changes.set(at.get(i), wanted.get(i));
            }
        }
    }

    private List<Splice.Span> earlierSpans(String field) {
        if (earlier == null) {
            earlier = new HashMap<>();
        }
        return earlier.computeIfAbsent(field, f -> new ArrayList<>());
    }

    /** A later value of a field replaces what an earlier one said, as in a JSON tree. */
    private void forget(String name) {
        switch (name) {
            case "messages" -> hasMessages = false;
            case "thinking" -> thinkingType = null;
            default -> {
            }
        }
    }

    private void readStreamOptions(JsonParser p, int from) throws IOException {
        includeUsage = null;
        streamOptionsStart = from;
        streamOptionsEmpty = true;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            streamOptionsEmpty = false;
            String name = p.currentName();
            JsonToken value = p.nextToken();
            Splice.Span span = Splice.Span.ofValue(p, 0);
            if ("include_usage".equals(name)) {
                includeUsage = new Value(value, span, null);
            }
        }
    }

    /**
     * Reads the messages array the parser has just entered, noting where a role is {@code "developer"}, and
     * skipping everything else unread; returns how many messages it had.
     */
    private int readMessages(JsonParser p) throws IOException {
        int n = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
            n++;
            if (p.currentToken() != JsonToken.START_OBJECT) {
                p.skipChildren();
                continue;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                boolean role = "role".equals(p.currentName());
                if (p.nextToken() == JsonToken.VALUE_STRING && role) {
                    Splice.Span span = Splice.Span.ofValue(p, 0);
                    if ("developer".equals(p.getText())) {
                        if (developerRoles == null) {
                            developerRoles = new ArrayList<>(1);
                        }
                        developerRoles.add(span);
                    }
                } else {
                    p.skipChildren();
                }
            }
        }
        return n;
    }

    /** The {@code type} string of the object the parser has just entered, which it reads to its end. */
    private static String readType(JsonParser p) throws IOException {
        String type = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            if (p.nextToken() == JsonToken.VALUE_STRING && "type".equals(name)) {
                type = p.getText();
            } else {
                p.skipChildren();
            }
        }
        return type;
    }

    private static Splice insertion(int at, String text) {
        return new Splice(at, at, text.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] encode(ObjectMapper json, JsonNode value) {
        try {
            return json.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
