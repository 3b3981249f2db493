package dev.tollgate.console;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tollgate.pricing.PriceEntryView;
import dev.tollgate.pricing.TokenClass;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Where a served model's calls would go unbilled: a token class with no all-day price, from now on. */
class PriceGapsTest {

    private static final Instant NOW = Instant.parse("2026-12-03T12:00:00Z");

    @Test
    void spansWithoutAnAllDayPriceAreFoundPerTokenClassFromNowOn() {
        List<PriceEntryView> book = List.of(
                entry(1, TokenClass.INPUT_CACHE_HIT, -30, null, false),
                entry(2, TokenClass.OUTPUT, -30, 10, false), // ends in 10 days...
                entry(3, TokenClass.OUTPUT, 15, null, false), // ...and the next starts 5 days later
                entry(4, TokenClass.INPUT_CACHE_MISS, -30, -1, false), // ended yesterday: the past is not flagged
                entry(5, TokenClass.INPUT_CACHE_MISS, -30, null, true)); // a window prices some hours only

        List<PriceGaps.Gap> gaps = PriceGaps.of(List.of("m"), book, NOW);

        assertEquals(List.of(
                new PriceGaps.Gap("m", TokenClass.INPUT_CACHE_MISS, NOW, null, true, day(-1), List.of(book.get(4))),
                new PriceGaps.Gap("m", TokenClass.OUTPUT, day(10), day(15), false, null, List.of())), gaps);
        // a gap under way says since when; the window's hours are not called unpriced
        assertEquals("since 2026-12-02 12:00 UTC, with no later price scheduled, except 16:30–00:30 UTC (entry #5)",
                gaps.get(0).says());
        assertEquals("from 2026-12-13 12:00 UTC until 2026-12-18 12:00 UTC", gaps.get(1).says());
    }

    /** Ending an off-peak window whose hours the all-day price takes over only until that price ends. */
    @Test
    void anEndingNamesWhatTakesOverAndTheGapAfterIt() {
        PriceEntryView window = entry(1, TokenClass.OUTPUT, -30, null, true);
        List<PriceEntryView> book = List.of(window, entry(2, TokenClass.OUTPUT, -30, 10, false));
        PriceEnding ending = PriceEnding.of(window, day(5), book);
        assertEquals(true, ending.leavesAGap());
        assertEquals("From 2026-12-08 12:00 UTC, entry #2 ($0.5 per 1M tokens) prices those hours until 2026-12-13"
                + " 12:00 UTC. No output price then applies to m in those hours from 2026-12-13 12:00 UTC, with no"
                + " later price scheduled. Calls then have no cost for any of their tokens, and are never invoiced.",
                ending.says());
        // with a successor at the all-day price's end, the hours stay priced
        List<PriceEntryView> complete = List.of(window, entry(2, TokenClass.OUTPUT, -30, 10, false),
                entry(3, TokenClass.OUTPUT, 10, null, false));
        assertEquals(false, PriceEnding.of(window, day(5), complete).leavesAGap());
    }

    @Test
    void aModelNotServedIsNotFlaggedAndACompleteBookHasNoGaps() {
        List<PriceEntryView> complete = List.of(entry(1, TokenClass.INPUT_CACHE_HIT, -30, null, false),
                entry(2, TokenClass.INPUT_CACHE_MISS, -30, 5, false),
                entry(3, TokenClass.INPUT_CACHE_MISS, 5, null, false), // a successor right at the end
                entry(4, TokenClass.OUTPUT, -30, null, false));
        assertEquals(List.of(), PriceGaps.of(List.of("m"), complete, NOW));
        assertEquals(List.of(), PriceGaps.of(List.of(), List.of(), NOW), "a withdrawn model's prices may end");
    }

    private static Instant day(int n) {
        return NOW.plus(Duration.ofDays(n));
    }

    private static PriceEntryView entry(long id, TokenClass c, int fromDay, Integer untilDay, boolean windowed) {
        return new PriceEntryView(id, "m", c, "0.5", day(fromDay), untilDay == null ? null : day(untilDay),
                windowed ? LocalTime.of(16, 30) : null, windowed ? LocalTime.of(0, 30) : null, "test", NOW, "admin",
                "in_force");
    }
}
