package dev.tollgate.simulator;

import java.util.List;

/**
 * What the simulated model answers, decided before the first byte goes out; streaming only paces it.
 * Token counts follow the same 4-characters rule as the prompt.
 */
record Completion(String reasoning, String content, List<ToolCall> toolCalls, String finishReason) {

    record ToolCall(String id, String name, String arguments) {
        int tokens() {
            return Prompt.tokens(name) + Prompt.tokens(arguments);
        }
    }

    /**
     * The answer as generated, in the prompt's flattened form (see {@link Prompt}): reasoning first in thinking mode,
     * then content and calls. A next request that sends the answer back this way (non-thinking answers, and
     * thinking tool-call turns with their reasoning_content) starts with the prompt plus this text.
     */
    String asPrompt(boolean thinking) {
        StringBuilder b = new StringBuilder();
        if (thinking) {
            b.append(reasoning).append("<|/think|>");
        }
        b.append(content);
        for (ToolCall call : toolCalls) {
            b.append("<|call|>").append(call.name()).append(call.arguments());
        }
        return b.toString();
    }

    int reasoningTokens() {
        return Prompt.tokens(reasoning);
    }

    int completionTokens() {
        return reasoningTokens() + Prompt.tokens(content) + toolCalls.stream().mapToInt(ToolCall::tokens).sum();
    }
}
