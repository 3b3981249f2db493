package dev.tollgate.console;

import dev.tollgate.upstream.UpstreamBalance;
import dev.tollgate.upstream.UpstreamStatus;
import io.quarkus.qute.TemplateExtension;
import java.time.Duration;
import java.time.Instant;

/** Display values of upstream endpoints for the console templates. */
@TemplateExtension
public class UpstreamExtensions {

    static String stateLabel(UpstreamStatus s) {
        return switch (s.breaker()) {
            case "open" -> "Taken out";
            case "half_open" -> "Trial calls";
            default -> s.refusedWith() != null ? "Refusing calls" : "In service";
        };
    }

    // The badge colours of keys and aliases: green in service, orange on trial, red taken out or refusing.
    static String stateCss(UpstreamStatus s) {
        return switch (s.breaker()) {
            case "open" -> "revoked";
            case "half_open" -> "expiring";
            default -> s.refusedWith() != null ? "revoked" : "active";
        };
    }

    /** Why the endpoint refuses calls, as the operator must act on it; null while it does not. */
    static String refusalLabel(UpstreamStatus s) {
        if (s.refusedWith() == null) {
            return null;
        }
        return s.refusedWith() == 402 ? "Out of balance: calls get HTTP 402 until the account is topped up"
                : "API key refused (HTTP " + s.refusedWith() + "): check " + keyProperty(s);
    }

    /** What to fix when the balance check's key is refused; null otherwise. */
    static String balanceHint(UpstreamStatus s) {
        return s.balance() != null && s.balance().state() == UpstreamBalance.State.KEY_REFUSED
                ? "check " + keyProperty(s) : null;
    }

    /** A check found the account empty, and the endpoint has answered a call since: it was topped up. */
    static boolean answeredSince(UpstreamStatus s) {
        return s.balance() != null && s.balance().state() == UpstreamBalance.State.EXHAUSTED
                && s.refusedWith() == null;
    }

    /** How long until a taken-out endpoint's trial calls, as a reader of a UTC clock time would rather be told. */
    static String trialIn(UpstreamStatus s) {
        return waitUntil(s.trialAt(), Instant.now());
    }

    static String waitUntil(Instant at, Instant now) {
        long seconds = Duration.between(now, at).toSeconds();
        if (seconds <= 0) {
            return "now";
        }
        return seconds < 120 ? "in " + seconds + " s" : "in " + (seconds + 59) / 60 + " min";
    }

    private static String keyProperty(UpstreamStatus s) {
        return "tollgate.upstream.endpoints." + s.name() + ".api-key";
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
