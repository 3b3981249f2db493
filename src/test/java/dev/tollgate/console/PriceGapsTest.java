package dev.tollgate.console;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tollgate.pricing.PriceEntryView;
import dev.tollgate.pricing.TokenClass;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.util.ArrayList;
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
        List<PriceEntryView> book = withInputs(window, entry(2, TokenClass.OUTPUT, -30, 10, false));
        PriceEnding ending = PriceEnding.of(window, day(5), book);
        assertEquals(true, ending.leavesAGap());
        assertEquals("Calls to m in those hours, from 2026-12-08 12:00 UTC: entry #2 ($0.5 per 1M tokens) until"
                + " 2026-12-13 12:00 UTC; then no output price, and none scheduled. Calls without a price have no cost"
                + " for any of their tokens, and are never invoiced.", ending.says());
        // with a successor at the all-day price's end, the hours stay priced
        List<PriceEntryView> complete = withInputs(window, entry(2, TokenClass.OUTPUT, -30, 10, false),
                entry(3, TokenClass.OUTPUT, 10, null, false));
        assertEquals(false, PriceEnding.of(window, day(5), complete).leavesAGap());
    }

    /** A window already superseded: the all-day price has its hours only until the window's next entry starts. */
    @Test
    void anEndingBeforeTheWindowsNextEntryGivesTheAllDayPriceOnlyTheTimeBetween() {
        PriceEntryView superseded = entry(1, TokenClass.OUTPUT, -30, 10, true);
        List<PriceEntryView> book = withInputs(superseded, entry(2, TokenClass.OUTPUT, -30, null, false),
                entry(3, TokenClass.OUTPUT, 10, null, true));
        PriceEnding ending = PriceEnding.of(superseded, day(5), book);
        assertEquals(false, ending.leavesAGap());
        assertEquals("Calls to m in those hours, from 2026-12-08 12:00 UTC: entry #2 ($0.5 per 1M tokens) until"
                + " 2026-12-13 12:00 UTC; then entry #3 ($0.5 per 1M tokens).", ending.says());
    }

    /** A window of another shape sharing the ended window's hours prices those, not the all-day price. */
    @Test
    void anEndingNamesAnotherWindowThatSharesThoseHours() {
        PriceEntryView window = entry(1, TokenClass.OUTPUT, -30, null, true);
        PriceEntryView evening = new PriceEntryView(4, "m", TokenClass.OUTPUT, "0.5", day(7), null,
                LocalTime.of(18, 0), LocalTime.of(22, 0), "test", NOW, "admin", "scheduled");
        PriceEnding ending = PriceEnding.of(window, day(5), withInputs(window, entry(2, TokenClass.OUTPUT, -30, null,
                false), evening));
        assertEquals("Calls to m in those hours, from 2026-12-08 12:00 UTC: entry #2 ($0.5 per 1M tokens), except"
                + " 18:00–22:00 UTC (entry #4, from 2026-12-10 12:00 UTC).", ending.says());
    }

    /** A gap past the entries a sentence names is still a gap: the warning does not depend on how far it is. */
    @Test
    void aGapBeyondTheNamedEntriesIsStillWarnedOf() {
        PriceEntryView window = entry(1, TokenClass.OUTPUT, -30, null, true);
        List<PriceEntryView> book = new ArrayList<>(withInputs(window));
        for (int i = 0; i < 6; i++) { // an all-day chain of six entries, the last ending for good
            book.add(entry(10 + i, TokenClass.OUTPUT, i == 0 ? -30 : i * 5, (i + 1) * 5, false));
        }
        PriceEnding ending = PriceEnding.of(window, day(1), book);
        assertEquals(true, ending.leavesAGap());
        assertEquals(true, ending.says().contains("; and more changes after that, a span without a price among them."
                + " Calls without a price have no cost"), ending.says());
    }

    /** Another token class without a price makes the calls free whatever this one costs: the ending says so. */
    @Test
    void anEndingSaysWhenAnotherTokenClassHasNoPrice() {
        PriceEntryView output = entry(1, TokenClass.OUTPUT, -30, null, false);
        List<PriceEntryView> book = List.of(output, entry(2, TokenClass.OUTPUT, 10, null, false),
                entry(3, TokenClass.INPUT_CACHE_HIT, -30, null, false),
                entry(4, TokenClass.INPUT_CACHE_MISS, -30, 3, false));
        PriceEntryView ends = new PriceEntryView(1, "m", TokenClass.OUTPUT, "0.5", day(-30), day(10), null, null,
                "test", NOW, "admin", "in_force"); // already superseded at day 10
        PriceEnding ending = PriceEnding.of(ends, day(5), List.of(ends, book.get(1), book.get(2), book.get(3)));
        assertEquals(true, ending.leavesAGap());
        assertEquals(true, ending.says().contains("Whatever this price, calls to m have no cost while another of their"
                + " token classes has no price: no cache-miss input price from 2026-12-08 12:00 UTC, and none"
                + " scheduled."), ending.says());
    }

    /** A window started since a gap began did not price the hours before: the gap says when it started. */
    @Test
    void aGapUnderWayGivesTheStartOfAWindowThatBeganWithinIt() {
        PriceEntryView window = new PriceEntryView(2, "m", TokenClass.OUTPUT, "0.5", NOW.minusSeconds(3600), null,
                LocalTime.of(16, 30), LocalTime.of(0, 30), "test", NOW, "admin", "in_force");
        List<PriceEntryView> book = List.of(entry(1, TokenClass.OUTPUT, -30, -1, false), window,
                entry(3, TokenClass.INPUT_CACHE_HIT, -30, null, false),
                entry(4, TokenClass.INPUT_CACHE_MISS, -30, null, false));
        assertEquals("since 2026-12-02 12:00 UTC, with no later price scheduled, except 16:30–00:30 UTC (entry #2,"
                + " from 2026-12-03 11:00 UTC)", PriceGaps.of(List.of("m"), book, NOW).get(0).says());
    }

    /** Spans are half-open: what ends as a gap starts, or starts as it ends, does not cover it. */
    @Test
    void entriesAndWindowsThatOnlyTouchAGapDoNotCoverIt() {
        List<PriceEntryView> book = List.of(entry(1, TokenClass.OUTPUT, -30, 0, false),
                entry(2, TokenClass.OUTPUT, 5, null, false),
                entry(3, TokenClass.OUTPUT, -30, 0, true), // a window that ends as the gap begins
                entry(4, TokenClass.OUTPUT, 5, null, true)); // and one that starts as it ends
        List<PriceGaps.Span> gaps = PriceGaps.uncovered(book.subList(0, 2), NOW);
        assertEquals(List.of(new PriceGaps.Span(NOW, day(5))), gaps);
        assertEquals(List.of(), PriceGaps.windowsDuring(book, gaps.get(0)));
    }

    @Test
    void aModelNotServedIsNotFlaggedAndACompleteBookHasNoGaps() {
        List<PriceEntryView> complete = List.of(entry(1, TokenClass.INPUT_CACHE_HIT, -30, null, false),
                entry(2, TokenClass.INPUT_CACHE_MISS, -30, 5, false),
                entry(3, TokenClass.INPUT_CACHE_MISS, 5, null, false), // a successor right at the end
                entry(4, TokenClass.OUTPUT, -30, null, false));
        assertEquals(List.of(), PriceGaps.of(List.of("m"), complete, NOW));
        List<PriceEntryView> ended = List.of(entry(1, TokenClass.OUTPUT, -30, 5, false));
        assertEquals(1, PriceGaps.of(List.of("m"), ended, NOW).stream()
                .filter(g -> g.tokenClass() == TokenClass.OUTPUT).count(), "m's output price ends in 5 days");
        assertEquals(List.of(), PriceGaps.of(List.of(), ended, NOW), "once m is withdrawn, its prices may end");
    }

    private static Instant day(int n) {
        return NOW.plus(Duration.ofDays(n));
    }

    /** The entries given, and open-ended input prices, so that only the output class is in question. */
    private static List<PriceEntryView> withInputs(PriceEntryView... entries) {
        List<PriceEntryView> book = new ArrayList<>(List.of(entries));
        book.add(entry(90, TokenClass.INPUT_CACHE_HIT, -30, null, false));
        book.add(entry(91, TokenClass.INPUT_CACHE_MISS, -30, null, false));
        return book;
    }

    private static PriceEntryView entry(long id, TokenClass c, int fromDay, Integer untilDay, boolean windowed) {
        return new PriceEntryView(id, "m", c, "0.5", day(fromDay), untilDay == null ? null : day(untilDay),
                windowed ? LocalTime.of(16, 30) : null, windowed ? LocalTime.of(0, 30) : null, "test", NOW, "admin",
                "in_force");
    }
}
