package dev.tollgate.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.upstream.UpstreamBalance;
import dev.tollgate.upstream.UpstreamStatus;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the Upstreams page says of an endpoint from its state, refusals and last balance. */
class UpstreamExtensionsTest {

    private static final UpstreamBalance EMPTY = new UpstreamBalance(Instant.parse("2026-12-03T10:00:00Z"),
            UpstreamBalance.State.EXHAUSTED, List.of(), null, null);

    @Test
    void anAccountFoundEmptyIsAnsweringAgainOnlyOnceTheEndpointRefusesNothing() {
        assertTrue(UpstreamExtensions.answeredSince(status(null, EMPTY)), "it answered a call since");
        assertFalse(UpstreamExtensions.answeredSince(status(402, EMPTY)), "still out of balance");
        assertFalse(UpstreamExtensions.answeredSince(status(403, EMPTY)), "refusing its key is no answer");
    }

    @Test
    void aRefusingEndpointIsNotShownInService() {
        assertEquals("Refusing calls", UpstreamExtensions.stateLabel(status(402, EMPTY)));
        assertEquals("revoked", UpstreamExtensions.stateCss(status(402, EMPTY)));
        assertEquals("In service", UpstreamExtensions.stateLabel(status(null, EMPTY)));
        assertEquals("API key refused (HTTP 401): check tollgate.upstream.endpoints.main.api-key",
                UpstreamExtensions.refusalLabel(status(401, null)));
    }

    @Test
    void theTrialTimeSaysHowLongFromNow() {
        Instant now = Instant.parse("2026-12-03T10:00:00Z");
        assertEquals("in 25 s", UpstreamExtensions.waitUntil(now.plusSeconds(25), now));
        assertEquals("in 3 min", UpstreamExtensions.waitUntil(now.plusSeconds(121), now), "rounded up");
        assertEquals("now", UpstreamExtensions.waitUntil(now.minusSeconds(1), now), "the trial is due");
    }

    private static UpstreamStatus status(Integer refusedWith, UpstreamBalance balance) {
        return new UpstreamStatus("main", "https://api.deepseek.com", List.of("deepseek-v4-flash"), 0, 1, "closed",
                null, 0, 0, refusedWith, balance, List.of());
    }
}
