package dev.tollgate.console;

import dev.tollgate.pricing.PriceEntryView;
import dev.tollgate.pricing.TimeWindow;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What prices a model's calls once an entry ends at {@code at}, in the words the console asks and reports with: the
 * entries that follow, one after another, and every span with no price. A windowed entry gives its hours back to
 * the all-day price, unless another entry of the same window takes them; an all-day entry leaves only the windows
 * in force, if any. A call with one token class unpriced has no cost at all (every class needs a price:
 * CostCalculator), so a gap in one class makes the model's calls free.
 */
public record PriceEnding(PriceEntryView ending, Instant at, List<Segment> segments, List<PriceEntryView> others,
        List<PriceGaps.Gap> otherClasses) {

    /** Who prices the calls from {@code from} until {@code until} (null: on and on): {@code by}, or nothing. */
    public record Segment(PriceEntryView by, Instant from, Instant until) {
    }

    /** The segments a sentence names; a book that changes more often than that is on the page. */
    private static final int SHOWN = 4;
    /** The segments looked at, for a gap beyond those named. */
    private static final int LOOKED_AT = 100;

    /** {@code book}: the model's entries, every token class. */
    static PriceEnding of(PriceEntryView ending, Instant at, List<PriceEntryView> book) {
        List<PriceEntryView> others = book.stream()
                .filter(e -> e.id() != ending.id() && e.model().equals(ending.model())
                        && e.tokenClass() == ending.tokenClass())
                .toList();
        List<PriceEntryView> same = others.stream().filter(e -> sameWindow(e, ending)).toList();
        // for a window's hours the all-day price stands in wherever no entry of that window is in force
        List<PriceEntryView> fallback = ending.windowStart() == null ? List.of()
                : others.stream().filter(e -> e.windowStart() == null).toList();
        // whatever this class costs, a call has no cost while another class of the model has no price
        List<PriceGaps.Gap> otherClasses = PriceGaps.of(List.of(ending.model()), book, at).stream()
                .filter(g -> g.tokenClass() != ending.tokenClass()).toList();
        return new PriceEnding(ending, at, segments(same, fallback, at), others, otherClasses);
    }

    private static List<Segment> segments(List<PriceEntryView> same, List<PriceEntryView> fallback, Instant at) {
        List<Segment> segments = new ArrayList<>();
        Instant t = at;
        while (t != null && segments.size() < LOOKED_AT) {
            Instant from = t;
            PriceEntryView by = inForce(same, from).or(() -> inForce(fallback, from)).orElse(null);
            // an entry of the window, starting later, takes the hours from the all-day price or from a gap
            Instant next = Stream.concat(same.stream(), by == null ? fallback.stream() : Stream.empty())
                    .map(PriceEntryView::validFrom).filter(f -> f.isAfter(from)).min(Comparator.naturalOrder())
                    .orElse(null);
            Instant until = by == null ? next : same.contains(by) ? by.validUntil() : min(by.validUntil(), next);
            segments.add(new Segment(by, from, until));
            t = until;
        }
        return segments;
    }

    /** True when calls after the end go unpriced, in some hours at least, by this class or another. */
    public boolean leavesAGap() {
        return segments.stream().anyMatch(s -> s.by() == null) || !otherClasses.isEmpty();
    }

    /**
     * What follows, e.g. "Calls to deepseek-v4-flash in those hours, from 2026-12-15 00:00 UTC: entry #12 ($0.3 per
     * 1M tokens) until 2026-12-20 00:00 UTC; then no output price, and none scheduled. Calls without a price have
     * no cost for any of their tokens, and are never invoiced."
     */
    public String says() {
        boolean hours = ending.windowStart() != null;
        TimeWindow own = hours ? new TimeWindow(ending.windowStart(), ending.windowEnd()) : null;
        // in a window's hours, a window of another shape that shares some of them prices those
        List<PriceEntryView> windows = others.stream().filter(e -> e.windowStart() != null && !sameWindow(e, ending))
                .filter(e -> own == null || own.overlaps(new TimeWindow(e.windowStart(), e.windowEnd()))).toList();
        List<String> parts = new ArrayList<>();
        for (Segment s : segments.subList(0, Math.min(SHOWN, segments.size()))) {
            String who = s.by() == null ? "no " + ConsoleExtensions.label(ending.tokenClass()) + " price"
                    : "entry #" + s.by().id() + " ($" + s.by().usdPerMillionTokens() + " per 1M tokens)";
            String until = s.until() == null ? (s.by() == null ? ", and none scheduled" : "")
                    : " until " + ConsoleExtensions.fmt(s.until());
            String except = s.by() != null && !hours ? ""
                    : exceptDuring(windows, new PriceGaps.Span(s.from(), s.until()));
            parts.add(who + until + except);
        }
        String more = segments.size() <= SHOWN ? ""
                : segments.subList(SHOWN, segments.size()).stream().anyMatch(s -> s.by() == null)
                        ? "; and more changes after that, a span without a price among them"
                        : "; and more changes after that";
        String otherGaps = otherClasses.isEmpty() ? "" : " Whatever this price, calls to " + ending.model()
                + " have no cost while another of their token classes has no price: "
                + String.join("; ", otherClasses.stream().map(g -> "no " + ConsoleExtensions.label(g.tokenClass())
                        + " price from " + ConsoleExtensions.fmt(g.from())
                        + (g.until() == null ? ", and none scheduled" : " until " + ConsoleExtensions.fmt(g.until()))
                        + exceptDuring(g.windows(), new PriceGaps.Span(g.from(), g.until()))).toList()) + ".";
        return "Calls to " + ending.model() + (hours ? " in those hours" : "") + ", from " + ConsoleExtensions.fmt(at)
                + ": " + String.join("; then ", parts) + more + "." + otherGaps
                + (leavesAGap() ? " Calls without a price have no cost for any of their tokens, and are never invoiced."
                        : "");
    }

    private static String exceptDuring(List<PriceEntryView> windows, PriceGaps.Span span) {
        return PriceGaps.except(PriceGaps.windowsDuring(windows, span), span);
    }

    private static Optional<PriceEntryView> inForce(List<PriceEntryView> entries, Instant t) {
        return entries.stream()
                .filter(e -> !e.validFrom().isAfter(t) && (e.validUntil() == null || e.validUntil().isAfter(t)))
                .findFirst();
    }

    private static Instant min(Instant a, Instant b) {
        return a == null ? b : b == null ? a : a.isBefore(b) ? a : b;
    }

    private static boolean sameWindow(PriceEntryView a, PriceEntryView b) {
        return Objects.equals(a.windowStart(), b.windowStart()) && Objects.equals(a.windowEnd(), b.windowEnd());
    }
}
