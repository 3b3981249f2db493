package dev.tollgate.console;

import dev.tollgate.pricing.PriceEntryView;
import dev.tollgate.pricing.TokenClass;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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

    /** {@code quarter}: January, April, July or October, the ticks a narrow screen keeps. */
    public record Tick(double left, String label, boolean quarter) {
    }

    static PriceTimeline of(List<PriceEntryView> entries, Instant now) {
        if (entries.isEmpty()) {
            return new PriceTimeline(List.of(), List.of(), 100);
        }
        Instant start = entries.stream().map(PriceEntryView::validFrom).min(Comparator.naturalOrder()).orElseThrow();
        Instant lastChange = entries.stream()
                .flatMap(e -> e.validUntil() == null ? java.util.stream.Stream.of(e.validFrom())
                        : java.util.stream.Stream.of(e.validFrom(), e.validUntil()))
                .max(Comparator.naturalOrder()).orElseThrow();
        // An end set for "forever" (9999-12-31) would squeeze the real history into a sliver and draw a tick
        // for every month to then: the axis stops two years ahead, and bars past it are cut at its edge.
        Instant horizon = now.plus(Duration.ofDays(2 * 365));
        Instant capped = min((lastChange.isAfter(now) ? lastChange : now).plus(Duration.ofDays(14)), horizon);
        // a book that only starts past the horizon still gets an axis
        Instant end = capped.isAfter(start) ? capped : start.plus(Duration.ofDays(14));
        double span = Duration.between(start, end).toSeconds();

        Map<String, List<Bar>> byRow = new LinkedHashMap<>();
        entries.stream()
                .sorted(Comparator.comparing(PriceEntryView::model).thenComparing(e -> e.tokenClass().ordinal())
                        .thenComparing(PriceEntryView::validFrom))
                .forEach(e -> {
                    double left = pct(start, min(e.validFrom(), end), span);
                    double right = pct(start, e.validUntil() == null ? end : min(e.validUntil(), end), span);
                    String window = e.windowStart() == null ? "" : " (" + e.windowStart() + "–" + e.windowEnd() + " UTC)";
                    String until = e.validUntil() == null ? ", open-ended"
                            : " until " + ConsoleExtensions.fmt(e.validUntil());
                    String title = "#" + e.id() + ": $" + e.usdPerMillionTokens() + " / 1M tokens from "
                            + ConsoleExtensions.fmt(e.validFrom()) + until + window;
                    boolean open = e.validUntil() == null || e.validUntil().isAfter(end);
                    byRow.computeIfAbsent(e.model() + "|" + e.tokenClass().wireName(), k -> new ArrayList<>())
                            .add(new Bar(e.id(), Math.min(left, 99.6), Math.max(0.4, right - left),
                                    e.usdPerMillionTokens(), e.state(), e.windowStart() != null, open, title));
                });
        List<Row> rows = byRow.entrySet().stream()
                .map(r -> new Row(r.getKey().split("\\|")[0],
                        TokenClass.fromWireName(r.getKey().split("\\|")[1]).orElseThrow(), r.getValue())).toList();

        List<Tick> ticks = new ArrayList<>();
        LocalDate month = LocalDate.ofInstant(start, ZoneOffset.UTC).withDayOfMonth(1).plusMonths(1);
        while (month.atStartOfDay().toInstant(ZoneOffset.UTC).isBefore(end)) {
            ticks.add(new Tick(pct(start, month.atStartOfDay().toInstant(ZoneOffset.UTC), span),
                    month.getMonth().toString().substring(0, 3) + " " + month.getYear(),
                    (month.getMonthValue() - 1) % 3 == 0));
            month = month.plusMonths(1);
        }
        return new PriceTimeline(rows, ticks, pct(start, now, span));
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    private static double pct(Instant start, Instant at, double span) {
        return Math.round(Duration.between(start, at).toSeconds() / span * 10_000) / 100.0;
    }
}
