package dev.tollgate.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.pricing.PriceEntryView;
import dev.tollgate.pricing.TokenClass;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The price book's chart stays readable whatever dates the entries carry. */
class PriceTimelineTest {

    private static final Instant NOW = Instant.parse("2026-12-01T00:00:00Z");

    private static PriceEntryView entry(long id, String from, String until) {
        return new PriceEntryView(id, "deepseek-v4-pro", TokenClass.OUTPUT, "3.48", Instant.parse(from),
                until == null ? null : Instant.parse(until), null, null, "", NOW, "test",
                Instant.parse(from).isAfter(NOW) ? "scheduled" : "in_force");
    }

    @Test
    void anEntryEndingInTheYear9999DoesNotStretchTheAxis() {
        PriceTimeline t = PriceTimeline.of(List.of(entry(1, "2026-04-24T00:00:00Z", "2026-06-01T00:00:00Z"),
                entry(2, "2026-06-01T00:00:00Z", "9999-12-31T00:00:00Z"),
                entry(3, "9999-12-31T00:00:00Z", null)), NOW);
        assertTrue(t.ticks().size() <= 33, t.ticks().size() + " month ticks"); // April 2026 to two years ahead
        List<PriceTimeline.Bar> bars = t.rows().get(0).bars();
        PriceTimeline.Bar history = bars.get(0);
        assertTrue(history.width() > 2, "the real history keeps a readable width: " + history.width());
        for (PriceTimeline.Bar b : bars) {
            assertTrue(b.left() >= 0 && b.left() + b.width() <= 100.0001, b.toString());
        }
        assertEquals("#3 (scheduled): $3.48 / 1M tokens from 9999-12-31 00:00 UTC, open-ended", bars.get(2).title());
        // an entry ending past the axis is drawn running on, as an open-ended one is; one that ends on it is not
        assertEquals(List.of(false, true, true), bars.stream().map(PriceTimeline.Bar::open).toList());
        assertEquals(List.of("JUL 2026", "OCT 2026", "JAN 2027"), t.ticks().stream().filter(PriceTimeline.Tick::major)
                .map(PriceTimeline.Tick::label).limit(3).toList());
    }

    /** Pro's cache-hit output entries at launch: two and a half days, then five weeks, then open-ended. */
    private static final List<PriceEntryView> LAUNCH = List.of(entry(1, "2026-04-24T00:00:00Z", "2026-04-26T12:15:00Z"),
            entry(2, "2026-04-26T12:15:00Z", "2026-05-31T15:59:00Z"), entry(3, "2026-05-31T15:59:00Z", null));

    @Test
    void aWeekOfTheBookShowsTheLaunchPriceWideWithADayOnEachTick() {
        PriceTimeline whole = PriceTimeline.of(LAUNCH, NOW);
        PriceTimeline week = PriceTimeline.of(LAUNCH, NOW,
                new PriceTimeline.Range(LocalDate.parse("2026-04-23"), LocalDate.parse("2026-04-29")));
        assertTrue(whole.rows().get(0).bars().get(0).width() < 2, "a sliver on the whole book");
        List<PriceTimeline.Bar> bars = week.rows().get(0).bars();
        assertEquals(List.of(1L, 2L), bars.stream().map(PriceTimeline.Bar::id).toList(),
                "the later entry is off the axis");
        // seven days on the axis: the launch price starts a day in and lasts two and a half of them
        assertEquals(14.29, bars.get(0).left(), 0.01);
        assertEquals(35.86, bars.get(0).width(), 0.01);
        assertEquals(List.of(false, true), bars.stream().map(PriceTimeline.Bar::open).toList(), "the second runs on");
        assertEquals(List.of("24 APR", "25 APR", "26 APR", "27 APR", "28 APR", "29 APR"),
                week.ticks().stream().map(PriceTimeline.Tick::label).toList());
        assertFalse(week.nowShown(), "December is not on an April week's axis");
        assertTrue(whole.nowShown());
    }

    @Test
    void aBarStartingBeforeTheRangeIsCutAtItsStartAndARowWithoutPricesThereStays() {
        PriceTimeline june = PriceTimeline.of(LAUNCH, NOW,
                new PriceTimeline.Range(LocalDate.parse("2026-05-01"), LocalDate.parse("2026-06-30")));
        List<PriceTimeline.Bar> bars = june.rows().get(0).bars();
        assertEquals(List.of(2L, 3L), bars.stream().map(PriceTimeline.Bar::id).toList());
        assertEquals(0, bars.get(0).left(), "cut at the axis' start");
        // two months: a tick each Monday, every other one kept on a phone
        assertEquals(List.of("4 MAY", "11 MAY", "18 MAY"), june.ticks().stream().map(PriceTimeline.Tick::label)
                .limit(3).toList());
        assertEquals(List.of(true, false, true),
                june.ticks().stream().map(PriceTimeline.Tick::major).limit(3).toList());

        PriceTimeline before = PriceTimeline.of(LAUNCH, NOW,
                new PriceTimeline.Range(LocalDate.parse("2026-01-01"), LocalDate.parse("2026-01-31")));
        assertEquals(1, before.rows().size(), "the row is kept, empty: no price in those days");
        assertEquals(List.of(), before.rows().get(0).bars());
    }

    @Test
    void anAxisOfCenturiesHasAFewYearTicksNotOneAMonth() {
        PriceTimeline all = PriceTimeline.of(LAUNCH, NOW,
                new PriceTimeline.Range(LocalDate.parse("0001-01-01"), LocalDate.parse("9999-12-31")));
        assertTrue(all.ticks().size() <= 20, all.ticks().size() + " ticks");
        assertTrue(all.ticks().stream().allMatch(t -> t.label().matches("\\d{1,4}0")), "round years: " + all.ticks());
        for (PriceTimeline.Bar b : all.rows().get(0).bars()) {
            assertTrue(b.left() >= 0 && b.left() + b.width() <= 100.0001, b.toString());
        }
    }

    @Test
    void aDayOrTwoGetTicksEverySixHoursAndDaysBeforeTheBookAnEmptyAxis() {
        PriceTimeline day = PriceTimeline.of(LAUNCH, NOW,
                new PriceTimeline.Range(LocalDate.parse("2026-04-26"), LocalDate.parse("2026-04-26")));
        assertEquals(List.of("06:00", "12:00", "18:00"), day.ticks().stream().map(PriceTimeline.Tick::label).toList());
        assertEquals(List.of(1L, 2L), day.rows().get(0).bars().stream().map(PriceTimeline.Bar::id).toList(),
                "the cut at 12:15 is on the axis");
        PriceTimeline two = PriceTimeline.of(LAUNCH, NOW,
                new PriceTimeline.Range(LocalDate.parse("2026-04-26"), LocalDate.parse("2026-04-27")));
        assertTrue(two.ticks().stream().anyMatch(t -> t.label().equals("27 APR")), two.ticks().toString());

        // a To before the book's first day, without a From: the two weeks to it, no price on them, no NaN
        PriceTimeline before = PriceTimeline.of(LAUNCH, NOW,
                new PriceTimeline.Range(null, LocalDate.parse("2026-01-31")));
        assertEquals(List.of(), before.rows().get(0).bars());
        assertFalse(before.ticks().isEmpty());
        assertFalse(before.nowShown());
        assertTrue(Double.isFinite(before.nowPercent()));
    }
}
