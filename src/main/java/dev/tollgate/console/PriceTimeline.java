package dev.tollgate.console;

import dev.tollgate.pricing.PriceEntryView;
import dev.tollgate.pricing.TokenClass;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The price book laid out for a chart: one row per model and token class, one bar per entry, positions
 * in percent of the time axis, so the template only draws.
 */
public record PriceTimeline(List<Row> rows, List<Tick> ticks, double nowPercent) {

    public record Row(String model, TokenClass tokenClass, List<Bar> bars) {
    }

    /** {@code open}: the entry has no end, or ends past the axis; the chart shows it running on. */
    public record Bar(long id, double left, double width, String rate, String state, boolean windowed, boolean open,
            String title) {
    }

    /** {@code major}: a tick a narrow screen keeps (a quarter's first month, a Monday, every other week). */
    public record Tick(double left, String label, boolean major) {
    }

    /**
     * The days the chart shows, UTC, both included; either may be null for the book's own first or last day. A
     * two-day price among years of them is a sliver on the whole book's axis, and readable on a week's.
     */
    public record Range(LocalDate from, LocalDate to) {
    }

    /** Whether now falls on the axis, to be marked. */
    public boolean nowShown() {
        return nowPercent >= 0 && nowPercent <= 100;
    }

    static PriceTimeline of(List<PriceEntryView> entries, Instant now) {
        return of(entries, now, new Range(null, null));
    }

    static PriceTimeline of(List<PriceEntryView> entries, Instant now, Range range) {
        if (entries.isEmpty()) {
            return new PriceTimeline(List.of(), List.of(), 100);
        }
        Instant first = range.from() != null ? startOf(range.from())
                : entries.stream().map(PriceEntryView::validFrom).min(Comparator.naturalOrder()).orElseThrow();
        Instant end = range.to() != null ? startOf(range.to().plusDays(1)) : bookEnd(entries, now, first);
        // days that end before the book starts: an axis of the two weeks to then, no price on it
        Instant start = end.isAfter(first) ? first : end.minus(Duration.ofDays(14));
        double span = Duration.between(start, end).toSeconds();

        Map<String, List<Bar>> byRow = new LinkedHashMap<>();
        entries.stream()
                .sorted(Comparator.comparing(PriceEntryView::model).thenComparing(e -> e.tokenClass().ordinal())
                        .thenComparing(PriceEntryView::validFrom))
                .forEach(e -> {
                    // every row stays, so that a span without a price in it shows as one
                    List<Bar> bars = byRow.computeIfAbsent(e.model() + "|" + e.tokenClass().wireName(),
                            k -> new ArrayList<>());
                    // off the chosen days; the whole book's axis keeps an entry past its horizon as a stub at its edge
                    if ((range.to() != null && !e.validFrom().isBefore(end))
                            || (e.validUntil() != null && !e.validUntil().isAfter(start))) {
                        return;
                    }
                    double left = pct(start, max(e.validFrom(), start), span);
                    double right = pct(start, e.validUntil() == null ? end : min(e.validUntil(), end), span);
                    String window = e.windowStart() == null ? "" : " (" + e.windowStart() + "–" + e.windowEnd() + " UTC)";
                    String until = e.validUntil() == null ? ", open-ended"
                            : " until " + ConsoleExtensions.fmt(e.validUntil());
                    // the state in words too: a bar's colour alone does not tell everyone whether it has ended
                    String title = "#" + e.id() + " (" + ConsoleExtensions.stateLabel(e) + "): $"
                            + e.usdPerMillionTokens() + " / 1M tokens from " + ConsoleExtensions.fmt(e.validFrom())
                            + until + window;
                    boolean open = e.validUntil() == null || e.validUntil().isAfter(end);
                    bars.add(new Bar(e.id(), Math.min(left, 99.6), Math.max(0.4, right - left),
                            e.usdPerMillionTokens(), e.state(), e.windowStart() != null, open, title));
                });
        List<Row> rows = byRow.entrySet().stream()
                .map(r -> new Row(r.getKey().split("\\|")[0],
                        TokenClass.fromWireName(r.getKey().split("\\|")[1]).orElseThrow(), r.getValue())).toList();
        return new PriceTimeline(rows, ticks(start, end, span), pct(start, now, span));
    }

    /**
     * Where the whole book's axis ends: two weeks past its last change or now. An end set for "forever" (9999-12-31)
     * would squeeze the real history into a sliver and draw a tick for every month to then: the axis stops two years
     * ahead, and bars past it are cut at its edge.
     */
    private static Instant bookEnd(List<PriceEntryView> entries, Instant now, Instant start) {
        Instant lastChange = entries.stream()
                .flatMap(e -> e.validUntil() == null ? Stream.of(e.validFrom())
                        : Stream.of(e.validFrom(), e.validUntil()))
                .max(Comparator.naturalOrder()).orElseThrow();
        Instant horizon = now.plus(Duration.ofDays(2 * 365));
        Instant capped = min((lastChange.isAfter(now) ? lastChange : now).plus(Duration.ofDays(14)), horizon);
        // a book that only starts past the horizon (or a range that starts past the book) still gets an axis
        return capped.isAfter(start) ? capped : start.plus(Duration.ofDays(14));
    }

    /** Ticks as fine as the axis can label: years, months, weeks (Mondays), days or quarters of a day. */
    private static List<Tick> ticks(Instant start, Instant end, double span) {
        long days = Duration.between(start, end).toDays();
        LocalDate first = LocalDate.ofInstant(start.minusNanos(1), ZoneOffset.UTC).plusDays(1); // the first midnight
        List<Tick> ticks = new ArrayList<>();
        if (days > 4 * 366) {
            // some 16 labels, however many centuries the axis spans, on round years
            long raw = Math.max(1, days / 365 / 16);
            int every = Stream.of(1, 2, 5, 10, 20, 50, 100, 200, 500, 1000).filter(n -> n >= raw).findFirst()
                    .orElse(1000);
            int year = (first.getYear() + (first.getDayOfYear() == 1 ? 0 : 1) + every - 1) / every * every;
            for (LocalDate y = LocalDate.of(year, 1, 1); startOf(y).isBefore(end); y = y.plusYears(every)) {
                ticks.add(new Tick(pct(start, startOf(y), span), String.valueOf(y.getYear()), ticks.size() % 2 == 0));
            }
        } else if (days < 3) {
            for (Instant t = start.truncatedTo(ChronoUnit.DAYS); t.isBefore(end); t = t.plus(Duration.ofHours(6))) {
                if (t.isAfter(start)) {
                    LocalDateTime at = LocalDateTime.ofInstant(t, ZoneOffset.UTC);
                    ticks.add(new Tick(pct(start, t, span), at.getHour() == 0 ? day(at.toLocalDate())
                            : String.format("%02d:00", at.getHour()), at.getHour() % 12 == 0));
                }
            }
        } else if (days > 120) {
            for (LocalDate m = first.withDayOfMonth(1).plusMonths(first.getDayOfMonth() == 1 ? 0 : 1);
                    startOf(m).isBefore(end); m = m.plusMonths(1)) {
                ticks.add(new Tick(pct(start, startOf(m), span), month(m) + " " + m.getYear(),
                        (m.getMonthValue() - 1) % 3 == 0));
            }
        } else if (days > 21) {
            int i = 0;
            for (LocalDate w = first.plusDays((DayOfWeek.MONDAY.getValue() - first.getDayOfWeek().getValue() + 7) % 7);
                    startOf(w).isBefore(end); w = w.plusWeeks(1)) {
                ticks.add(new Tick(pct(start, startOf(w), span), day(w), i++ % 2 == 0));
            }
        } else {
            for (LocalDate d = first; startOf(d).isBefore(end); d = d.plusDays(1)) {
                boolean major = days <= 7 || d.getDayOfWeek() == DayOfWeek.MONDAY;
                ticks.add(new Tick(pct(start, startOf(d), span), day(d), major));
            }
        }
        // a tick on the axis' very start would be cut in half by the chart's edge
        ticks.removeIf(t -> t.left() <= 0);
        return ticks;
    }

    private static String month(LocalDate d) {
        return d.getMonth().toString().substring(0, 3);
    }

    private static String day(LocalDate d) {
        return d.getDayOfMonth() + " " + month(d);
    }

    private static Instant startOf(LocalDate day) {
        return day.atStartOfDay().toInstant(ZoneOffset.UTC);
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    private static double pct(Instant start, Instant at, double span) {
        return Math.round(Duration.between(start, at).toSeconds() / span * 10_000) / 100.0;
    }
}
