package dev.tollgate.console;

import dev.tollgate.upstream.UpstreamBalance;
import dev.tollgate.upstream.UpstreamStatus;
import io.quarkus.qute.TemplateExtension;

/** Display values of upstream endpoints for the console templates. */
@TemplateExtension
public class UpstreamExtensions {

    static String stateLabel(UpstreamStatus s) {
        return switch (s.breaker()) {
            case "closed" -> "In service";
            case "open" -> "Taken out";
            case "half_open" -> "Trial calls";
            default -> s.breaker();
        };
    }

    // The badge colours of keys and aliases: green in service, orange on trial, red taken out.
    static String stateCss(UpstreamStatus s) {
        return switch (s.breaker()) {
            case "closed" -> "active";
            case "open" -> "revoked";
            default -> "expiring";
        };
    }

    /** Why the endpoint's own calls are refused, as the operator must act on it; null while they are not. */
    static String refusalLabel(UpstreamStatus s) {
        if (s.refusedWith() == null) {
            return null;
        }
        return s.refusedWith() == 402 ? "Calls refused: out of balance (HTTP 402)"
                : "Calls refused: API key not accepted (HTTP " + s.refusedWith() + ")";
    }

    static String stateLabel(UpstreamBalance b) {
        return switch (b.state()) {
            case AVAILABLE -> "Available";
            case EXHAUSTED -> "Out of balance";
            case KEY_REFUSED -> "API key not accepted";
            case NOT_OFFERED -> "Not reported by this server";
            case FAILED -> "Check failed";
        };
    }

    static String stateCss(UpstreamBalance b) {
        return switch (b.state()) {
            case AVAILABLE -> "active";
            case EXHAUSTED, KEY_REFUSED -> "revoked";
            case NOT_OFFERED -> "archived";
            case FAILED -> "expiring";
        };
    }
}
