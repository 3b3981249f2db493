package dev.tollgate.simulator;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

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
            String own = null;
            Set<String> named = new HashSet<>();
            for (String entry : n.split(",")) {
                String[] parts = entry.split("=", -1);
                String key = parts[0].trim();
                if (parts.length != 2 || !Models.ALL.contains(key) || !named.add(key)) {
                    throw new IllegalArgumentException("Latency profile '" + name + "': each entry is a model named"
                            + " once and its profile, e.g. deepseek-v4-flash=200/100,deepseek-v4-pro=800/25");
                }
                if (key.equals(model)) {
                    own = parts[1];
                }
            }
            if (own == null) {
                throw new IllegalArgumentException("Latency profile '" + name + "' has no entry for " + model);
            }
            return of(own, model);
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
