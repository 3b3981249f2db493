package dev.tollgate.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What an endpoint's account had left when last asked (DeepSeek's {@code GET /user/balance}), or why it could not
 * say. When a DeepSeek account runs dry every call through it gets a 402, every tenant's alike; this is how an
 * operator sees it coming.
 */
public record UpstreamBalance(Instant checkedAt, State state, List<Amount> amounts, String detail) {

    public enum State {
        /** The account can take calls ({@code is_available} true). */
        AVAILABLE,
        /** DeepSeek says the account cannot take calls: a 402 for every one until it is topped up. */
        EXHAUSTED,
        /** The endpoint refused its own API key (401, 403). */
        KEY_REFUSED,
        /** The server has no balance to report (a vLLM or SGLang server answers 404): not asked again on schedule. */
        NOT_OFFERED,
        /** No usable answer: unreachable, timed out, a server error. Asked again next time. */
        FAILED
    }

    /** DeepSeek's amounts, strings on the wire, kept exact. */
    public record Amount(String currency, BigDecimal total, BigDecimal granted, BigDecimal toppedUp) {
    }

    /** Reads the answer to a balance request. */
    static UpstreamBalance read(Instant at, int status, String body, ObjectMapper json) {
        return switch (status) {
            case 200 -> readBody(at, body, json);
            case 401, 403 -> new UpstreamBalance(at, State.KEY_REFUSED, List.of(), "HTTP " + status);
            case 402 -> new UpstreamBalance(at, State.EXHAUSTED, List.of(), "HTTP 402");
            case 404, 405 -> new UpstreamBalance(at, State.NOT_OFFERED, List.of(), "HTTP " + status);
            default -> failed(at, "HTTP " + status);
        };
    }

    static UpstreamBalance failed(Instant at, String why) {
        return new UpstreamBalance(at, State.FAILED, List.of(), why);
    }

    private static UpstreamBalance readBody(Instant at, String body, ObjectMapper json) {
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (IOException e) {
            root = null;
        }
        // an OpenAI-compatible server that answers every path (a catch-all proxy) has no balance either
        if (root == null || !root.path("is_available").isBoolean()) {
            return new UpstreamBalance(at, State.NOT_OFFERED, List.of(), "no DeepSeek balance in the answer");
        }
        List<Amount> amounts = new ArrayList<>();
        for (JsonNode info : root.path("balance_infos")) {
            BigDecimal total = decimal(info.path("total_balance"));
            if (info.path("currency").isTextual() && total != null) {
                amounts.add(new Amount(info.path("currency").asText(), total, decimal(info.path("granted_balance")),
                        decimal(info.path("topped_up_balance"))));
            }
        }
        return new UpstreamBalance(at, root.path("is_available").asBoolean() ? State.AVAILABLE : State.EXHAUSTED,
                List.copyOf(amounts), null);
    }

    /** "110.00" as DeepSeek sends it, or a plain JSON number; anything else is no amount. */
    private static BigDecimal decimal(JsonNode node) {
        if (node.isNumber()) {
            return node.decimalValue();
        }
        try {
            return node.isTextual() ? new BigDecimal(node.asText().strip()) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The total in one currency, if the account reported it. */
    public BigDecimal total(String currency) {
        return amounts.stream().filter(a -> a.currency().equals(currency)).map(Amount::total).findFirst().orElse(null);
    }
}
