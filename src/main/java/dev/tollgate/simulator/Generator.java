package dev.tollgate.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Makes the answer: text drawn from a fixed word list with a generator seeded by the prompt, so the same
 * request always gets the same reasoning, content and tool arguments (ids excepted). Then max_tokens, stop
 * and the output-shaping faults are applied, in the order the real service would hit them.
 */
final class Generator {

    private static final String[] WORDS = ("the a model answer token river stone light quick calm green signal "
            + "window garden engine simple number value bright paper cloud north south winter summer market "
            + "silver copper orange violet planet ocean forest valley bridge tower little large careful steady "
            + "gentle rapid quiet clear open final first second third result reason check count measure write "
            + "read build route price cache stream batch query table index order field").split(" ");

    private Generator() {
    }

    static Completion plan(ChatRequest request, Prompt prompt, Set<Fault> faults) {
        SplittableRandom random = new SplittableRandom(prompt.seed(request.model()));
        String reasoning = "";
        if (request.thinking()) {
            int tokens = 24 + random.nextInt(72);
            reasoning = "Let me think this through. " + text(random, (request.maxEffort() ? tokens * 2 : tokens) * 4);
        }
        List<Completion.ToolCall> calls = toolCalls(request, random, faults.contains(Fault.BAD_TOOL_ARGS));
        String content = "";
        if (calls.isEmpty()) {
            int tokens = 12 + random.nextInt(36);
            if (request.jsonMode() || faults.contains(Fault.MALFORMED_JSON)) {
                content = mentionsJson(request) || faults.contains(Fault.MALFORMED_JSON) ? json(random, tokens) : "";
                if (faults.contains(Fault.MALFORMED_JSON)) {
                    content = content.substring(0, content.length() / 2);
                }
            } else {
                content = text(random, tokens * 4);
            }
        }
        String finish = calls.isEmpty() ? "stop" : "tool_calls";
        int cut = -1;
        for (String stop : request.stop()) {
            int at = content.indexOf(stop);
            if (at >= 0 && (cut < 0 || at < cut)) {
                cut = at;
            }
        }
        if (cut >= 0) {
            content = content.substring(0, cut);
        }
        Completion planned = new Completion(reasoning, content, calls, finish);
        int total = planned.completionTokens();
        String stoppedBy = faults.contains(Fault.LENGTH) ? "length"
                : faults.contains(Fault.CONTENT_FILTER) ? "content_filter"
                : faults.contains(Fault.INSUFFICIENT_SYSTEM_RESOURCE) ? "insufficient_system_resource" : null;
        int half = Math.max(1, total / 2);
        // a fault stops the output half way, unless max_tokens stops it earlier
        if (stoppedBy != null && (request.maxTokens() == null || half <= request.maxTokens())) {
            return truncate(planned, half, stoppedBy);
        }
        if (request.maxTokens() != null && total > request.maxTokens()) {
            return truncate(planned, request.maxTokens(), "length");
        }
        return planned;
    }

    /** Keeps the first {@code budget} tokens: reasoning first, then the answer. */
    private static Completion truncate(Completion c, int budget, String finish) {
        int reasoningTokens = c.reasoningTokens();
        if (reasoningTokens >= budget) {
            return new Completion(c.reasoning().substring(0, Math.min(c.reasoning().length(), budget * 4)), "",
                    List.of(), finish);
        }
        int left = budget - reasoningTokens;
        if (!c.toolCalls().isEmpty()) {
            List<Completion.ToolCall> kept = new ArrayList<>();
            for (Completion.ToolCall call : c.toolCalls()) {
                int nameTokens = Prompt.tokens(call.name());
                if (left <= nameTokens) {
                    break;
                }
                left -= nameTokens;
                String args = call.arguments().substring(0, Math.min(call.arguments().length(), left * 4));
                kept.add(new Completion.ToolCall(call.id(), call.name(), args));
                left -= Prompt.tokens(args);
            }
            return new Completion(c.reasoning(), "", kept, finish);
        }
        return new Completion(c.reasoning(), c.content().substring(0, Math.min(c.content().length(), left * 4)),
                List.of(), finish);
    }

    // ------------------------------------------------------------------ tools

    /**
     * Whether to call tools: always for required or a named tool; for auto, when the last message is the user's
     * and names a tool or says "use tool"/"use a tool"/"use the tool". Never for none, and never right after a
     * tool result under auto, so an agent loop ends.
     */
    private static List<Completion.ToolCall> toolCalls(ChatRequest request, SplittableRandom random, boolean badArgs) {
        List<ChatRequest.Tool> tools = request.tools();
        List<ChatRequest.Tool> chosen = new ArrayList<>();
        ChatRequest.Message last = request.messages().get(request.messages().size() - 1);
        String said = "user".equals(last.role()) ? last.text().toLowerCase(Locale.ROOT) : "";
        List<ChatRequest.Tool> mentioned = tools.stream()
                .filter(t -> said.contains(t.name().toLowerCase(Locale.ROOT))).toList();
        switch (request.toolChoice().mode()) {
            case "named" -> tools.stream().filter(t -> t.name().equals(request.toolChoice().name()))
                    .findFirst().ifPresent(chosen::add);
            case "required" -> chosen.addAll(mentioned.isEmpty() ? tools.subList(0, 1) : mentioned);
            case "auto" -> {
                if (!mentioned.isEmpty()) {
                    chosen.addAll(mentioned);
                } else if (!tools.isEmpty() && (said.contains("use tool") || said.contains("use a tool")
                        || said.contains("use the tool"))) {
                    chosen.add(tools.get(0));
                }
            }
            default -> {
            }
        }
        if (badArgs && chosen.isEmpty()) {
            chosen.add(tools.isEmpty() ? new ChatRequest.Tool("lookup", JsonNodeFactory.instance.objectNode())
                    : tools.get(0));
        }
        List<Completion.ToolCall> calls = new ArrayList<>();
        for (ChatRequest.Tool tool : chosen) {
            String args = arguments(tool.parameters(), random).toString();
            if (badArgs) {
                args = args.substring(0, Math.max(1, args.length() - 2)) + ",\"";
            }
            calls.add(new Completion.ToolCall(callId(calls.size()), tool.name(), args));
        }
        return calls;
    }

    private static String callId(int index) {
        StringBuilder id = new StringBuilder(String.format(Locale.ROOT, "call_%02d_", index));
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        ThreadLocalRandom r = ThreadLocalRandom.current();
        for (int i = 0; i < 24; i++) {
            id.append(alphabet.charAt(r.nextInt(alphabet.length())));
        }
        return id.toString();
    }

    /** An object for a JSON schema: every property, an enum's first value, simple values by type. */
    private static ObjectNode arguments(JsonNode schema, SplittableRandom random) {
        ObjectNode args = JsonNodeFactory.instance.objectNode();
        JsonNode properties = schema == null ? null : schema.get("properties");
        if (properties != null && properties.isObject()) {
            for (Map.Entry<String, JsonNode> p : properties.properties()) {
                args.set(p.getKey(), value(p.getKey(), p.getValue(), random, 0));
            }
        }
        return args;
    }

    private static JsonNode value(String name, JsonNode schema, SplittableRandom random, int depth) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        JsonNode enumValues = schema.get("enum");
        if (enumValues != null && enumValues.isArray() && !enumValues.isEmpty()) {
            return enumValues.get(0);
        }
        JsonNode typeNode = schema.get("type");
        String type = typeNode == null ? "string"
                : typeNode.isArray() && !typeNode.isEmpty() ? typeNode.get(0).asText() : typeNode.asText();
        return switch (type) {
            case "integer" -> f.numberNode(1 + random.nextInt(99));
            case "number" -> f.numberNode((1 + random.nextInt(999)) / 10.0);
            case "boolean" -> f.booleanNode(random.nextBoolean());
            case "null" -> f.nullNode();
            case "array" -> {
                ArrayNode items = f.arrayNode();
                JsonNode itemSchema = schema.get("items");
                if (depth < 4) {
                    items.add(value(name, itemSchema == null ? f.objectNode() : itemSchema, random, depth + 1));
                }
                yield items;
            }
            case "object" -> depth < 4 ? arguments(schema, random) : f.objectNode();
            default -> f.textNode(name + " " + WORDS[random.nextInt(WORDS.length)]);
        };
    }

    // ------------------------------------------------------------------ text

    private static boolean mentionsJson(ChatRequest request) {
        return request.messages().stream().anyMatch(m -> m.text().toLowerCase(Locale.ROOT).contains("json"));
    }

    private static String json(SplittableRandom random, int tokens) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("answer", text(random, Math.max(8, tokens * 4 - 40)));
        o.put("confidence", (50 + random.nextInt(50)) / 100.0);
        ArrayNode tags = o.putArray("tags");
        for (int i = 0; i < 3; i++) {
            tags.add(WORDS[random.nextInt(WORDS.length)]);
        }
        return o.toString();
    }

    /** Sentences of list words, at least {@code chars} long. */
    private static String text(SplittableRandom random, int chars) {
        StringBuilder b = new StringBuilder(chars + 16);
        int inSentence = 0;
        int sentenceLength = 5 + random.nextInt(8);
        while (b.length() < chars || inSentence > 0) {
            String word = WORDS[random.nextInt(WORDS.length)];
            if (inSentence == 0) {
                if (b.length() > 0) {
                    b.append(' ');
                }
                b.append(Character.toUpperCase(word.charAt(0))).append(word, 1, word.length());
            } else {
                b.append(' ').append(word);
            }
            if (++inSentence >= sentenceLength) {
                b.append('.');
                inSentence = 0;
                sentenceLength = 5 + random.nextInt(8);
            }
        }
        return b.toString();
    }
}
