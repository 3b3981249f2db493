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
public record UpstreamBalance(Instant checkedAt, State state, List<Amount> amounts, String detail,
        Failure failedSince) {

    public enum State {
        /** The account can take calls ({@code is_available} true). */
        AVAILABLE,
        /** DeepSeek says the account cannot take calls: a 402 for every one until it is topped up. */
        EXHAUSTED,
        /** The endpoint refused its own API key (401, 403). */
        KEY_REFUSED,
        /** The server has no balance to report (a vLLM or SGLang server answers 404): asked again hourly only. */
        NOT_OFFERED,
        /**
         * No usable answer: unreachable, timed out, a server error, a page that is no balance. Asked again next
         * time; an earlier conclusive answer stands meanwhile, with the failure beside it.
         */
        FAILED
    }

    /** A check that got no usable answer after this one, and why. */
    public record Failure(Instant at, String why) {
    }

    /** DeepSeek's amounts, strings on the wire, kept exact. */
    public record Amount(String currency, BigDecimal total, BigDecimal granted, BigDecimal toppedUp) {
    }

    /** Reads the answer to a balance request. */
    static UpstreamBalance read(Instant at, int status, String body, ObjectMapper json) {
        return switch (status) {
            case 200 -> readBody(at, body, json);
            case 401, 403 -> new UpstreamBalance(at, State.KEY_REFUSED, List.of(), "HTTP " + status, null);
            case 402 -> new UpstreamBalance(at, State.EXHAUSTED, List.of(), "HTTP 402", null);
            case 404, 405 -> new UpstreamBalance(at, State.NOT_OFFERED, List.of(), "HTTP " + status, null);
            default -> failed(at, "HTTP " + status);
        };
    }

    static UpstreamBalance failed(Instant at, String why) {
        return new UpstreamBalance(at, State.FAILED, List.of(), why, null);
    }

    /**
     * This answer followed by the next. A failed check leaves a conclusive answer standing (an account out of
     * balance stays so until a check says otherwise), noting the failure. Checks may overlap: an answer asked for
     * before the one kept changes nothing, and a failure asked for after an answer stays noted beside it.
     */
    UpstreamBalance then(UpstreamBalance next) {
        if (next.state() == State.FAILED) {
            if (next.checkedAt().isBefore(lastAsked())) {
                return this;
            }
            return state == State.FAILED ? next : withFailure(new Failure(next.checkedAt(), next.detail()));
        }
        if (state != State.FAILED && next.checkedAt().isBefore(checkedAt)) {
            return this;
        }
        Failure failure = state == State.FAILED ? new Failure(checkedAt, detail) : failedSince;
        return failure != null && failure.at().isAfter(next.checkedAt()) ? next.withFailure(failure) : next;
    }

    private UpstreamBalance withFailure(Failure failure) {
        return new UpstreamBalance(checkedAt, state, amounts, detail, failure);
    }

    private Instant lastAsked() {
        return failedSince == null ? checkedAt : failedSince.at();
    }

    private static UpstreamBalance readBody(Instant at, String body, ObjectMapper json) {
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (IOException e) {
            root = null;
        }
        // a proxy's or load balancer's page in an incident: asked again next time
        if (root == null || !root.path("is_available").isBoolean()) {
            return failed(at, "HTTP 200 without a DeepSeek balance");
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
                List.copyOf(amounts), null, null);
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
