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

    int reasoningTokens() {
        return Prompt.tokens(reasoning);
    }

    int completionTokens() {
        return reasoningTokens() + Prompt.tokens(content) + toolCalls.stream().mapToInt(ToolCall::tokens).sum();
    }
}
