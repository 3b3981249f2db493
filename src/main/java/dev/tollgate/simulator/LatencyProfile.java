package dev.tollgate.simulator;

import java.time.Duration;

/**
 * How fast a model answers: time to the first token, then tokens per second.
 * {@code realistic} follows third-party measurements of the real service; {@code zero} answers at once.
 */
public record LatencyProfile(Duration ttft, double tokensPerSecond) {

    public static final String HEADER = "X-Simulator-Latency";

    public static final LatencyProfile ZERO = new LatencyProfile(Duration.ZERO, Double.POSITIVE_INFINITY);
    public static final LatencyProfile FLASH_REALISTIC = new LatencyProfile(Duration.ofMillis(1100), 103);
    public static final LatencyProfile PRO_REALISTIC = new LatencyProfile(Duration.ofMillis(1900), 29);

    public LatencyProfile {
        if (ttft.isNegative() || !(tokensPerSecond > 0)) {
            throw new IllegalArgumentException("ttft must be >= 0 and tokens per second > 0");
        }
    }

    public boolean isZero() {
        return ttft.isZero() && Double.isInfinite(tokensPerSecond);
    }

    /** Milliseconds from the first token until token number {@code index} (0-based) is due. */
    long millisUntilToken(int index) {
        return Double.isInfinite(tokensPerSecond) ? 0 : (long) (index * 1000 / tokensPerSecond);
    }

    /**
     * A profile by name for one model: {@code zero}, {@code realistic}, or {@code <ttft-millis>/<tokens-per-second>}
     * (e.g. {@code 200/50}), which applies to every model; or one of those per model,
     * {@code deepseek-v4-flash=200/100,deepseek-v4-pro=800/25}, which must name every model it is asked for.
     */
    public static LatencyProfile of(String name, String model) {
        String n = name.trim();
        if (n.contains("=")) {
            for (String entry : n.split(",")) {
                int eq = entry.indexOf('=');
                if (eq > 0 && entry.substring(0, eq).trim().equals(model)) {
                    String own = entry.substring(eq + 1);
                    if (own.contains("=")) {
                        break;
                    }
                    return of(own, model);
                }
            }
            throw new IllegalArgumentException("Latency profile '" + name + "' has no entry for " + model
                    + "; per model, write e.g. deepseek-v4-flash=200/100,deepseek-v4-pro=800/25");
        }
        if (n.equalsIgnoreCase("zero")) {
            return ZERO;
        }
        if (n.equalsIgnoreCase("realistic")) {
            return Models.PRO.equals(model) ? PRO_REALISTIC : FLASH_REALISTIC;
        }
        int slash = n.indexOf('/');
        if (slash > 0) {
            try {
                return new LatencyProfile(Duration.ofMillis(Long.parseLong(n.substring(0, slash).trim())),
                        Double.parseDouble(n.substring(slash + 1).trim()));
            } catch (IllegalArgumentException e) {
                // fall through to the message below
            }
        }
        throw new IllegalArgumentException("Unknown latency profile '" + name
                + "'; use zero, realistic or <ttft-millis>/<tokens-per-second>");
    }
}
