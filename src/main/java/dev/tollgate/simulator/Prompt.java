package dev.tollgate.simulator;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The prompt as the simulator "tokenizes" it. The request is flattened into one canonical text (tools first,
 * then each message as {@code <|role|>} plus its text, then {@code <|assistant|>}), and every 4 characters of
 * that text are one token. It is not DeepSeek's tokenizer; it is deterministic, cheap and documented, and a
 * conversation that grows turn by turn keeps its earlier text as an exact prefix, which the cache model needs.
 */
final class Prompt {

    static final int CHARS_PER_TOKEN = 4;
    static final int CACHE_UNIT_TOKENS = 64;
    static final int CACHE_UNIT_CHARS = CACHE_UNIT_TOKENS * CHARS_PER_TOKEN;

    private final String text;
    private final int tokens;

    private Prompt(String text) {
        this.text = text;
        this.tokens = tokens(text);
    }

    static Prompt of(ChatRequest request) {
        StringBuilder b = new StringBuilder(256);
        for (ChatRequest.Tool tool : request.tools()) {
            b.append("<|tool|>").append(tool.function());
        }
        for (ChatRequest.Message m : request.messages()) {
            b.append("<|").append(m.role()).append("|>");
            if (m.hasToolCalls() && request.thinking() && m.reasoningContent() != null) {
                b.append(m.reasoningContent()).append("<|/think|>");
            }
            b.append(m.text());
            if (m.hasToolCalls()) {
                for (JsonNode call : m.toolCalls()) {
                    JsonNode f = call.get("function");
                    b.append("<|call|>").append(f.get("name").asText()).append(f.get("arguments").asText());
                }
            }
        }
        return new Prompt(b.append("<|assistant|>").toString());
    }

    /** The token count of any text: one token per 4 characters, rounded up. */
    static int tokens(String text) {
        return (text.length() + CHARS_PER_TOKEN - 1) / CHARS_PER_TOKEN;
    }

    String text() {
        return text;
    }

    int tokens() {
        return tokens;
    }

    /**
     * One hash per whole 256-character run of the text (a 64-token unit); hash k covers the whole prefix up to
     * the end of unit k, so equal hashes mean equal prefixes. A text under 256 characters has none and is never
     * cached, even at 64 tokens (253 to 255 characters).
     */
    long[] unitHashes() {
        return unitHashes(text);
    }

    /** {@link #unitHashes()} of this prompt followed by the model's answer to it, as a next request sends it back. */
    long[] unitHashesWith(String output) {
        return unitHashes(text + output);
    }

    private static long[] unitHashes(String text) {
        long[] units = new long[text.length() / CACHE_UNIT_CHARS];
        long h = 0xcbf29ce484222325L;
        for (int u = 0; u < units.length; u++) {
            for (int i = u * CACHE_UNIT_CHARS, end = i + CACHE_UNIT_CHARS; i < end; i++) {
                h = (h ^ text.charAt(i)) * 0x100000001b3L;
            }
            units[u] = h;
        }
        return units;
    }

    /** A seed for everything generated in answer to this prompt, so equal prompts get equal answers. */
    long seed(String model) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < model.length(); i++) {
            h = (h ^ model.charAt(i)) * 0x100000001b3L;
        }
        for (int i = 0; i < text.length(); i++) {
            h = (h ^ text.charAt(i)) * 0x100000001b3L;
        }
        return h;
    }
}
