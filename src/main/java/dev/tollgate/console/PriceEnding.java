package dev.tollgate.console;

import dev.tollgate.pricing.PriceEntryView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * What prices a model's calls once an entry ends at {@code at}, in the words the console asks and reports with.
 * A windowed entry gives its hours back to the all-day price; an all-day entry leaves only the windows in force,
 * if any. Every span without a price from then on is named: a call with one token class unpriced has no cost at all
 * (every class needs a price: CostCalculator), so a gap in one class makes the model's calls free.
 */
public record PriceEnding(PriceEntryView ending, Instant at, PriceEntryView takesOver, List<PriceGaps.Span> gaps,
        List<PriceEntryView> others) {

    static PriceEnding of(PriceEntryView ending, Instant at, List<PriceEntryView> book) {
        List<PriceEntryView> others = book.stream()
                .filter(e -> e.id() != ending.id() && e.model().equals(ending.model())
                        && e.tokenClass() == ending.tokenClass())
                .toList();
        // entries that price the same calls: the same window, or for a window's hours the all-day price too
        List<PriceEntryView> replacing = others.stream().filter(e -> sameWindow(e, ending) || e.windowStart() == null)
                .toList();
        PriceEntryView takesOver = replacing.stream()
                .filter(e -> !e.validFrom().isAfter(at) && (e.validUntil() == null || e.validUntil().isAfter(at)))
                .min(Comparator.comparing(e -> e.windowStart() == null)).orElse(null); // its own window first
        return new PriceEnding(ending, at, takesOver, PriceGaps.uncovered(replacing, at), others);
    }

    /** True when calls after the end go unpriced, in some hours at least. */
    public boolean leavesAGap() {
        return !gaps.isEmpty();
    }

    /**
     * What follows, e.g. "From 2026-12-15 00:00 UTC, entry #12 ($0.3 per 1M tokens) prices those hours until
     * 2026-12-20 00:00 UTC. No output price then applies to deepseek-v4-flash in those hours from 2026-12-20 00:00
     * UTC, with no later price scheduled. Calls then have no cost for any of their tokens, and are never invoiced."
     */
    public String says() {
        boolean hours = ending.windowStart() != null;
        List<String> sentences = new ArrayList<>();
        if (takesOver != null) {
            sentences.add("From " + ConsoleExtensions.fmt(at) + ", entry #" + takesOver.id() + " ($"
                    + takesOver.usdPerMillionTokens() + " per 1M tokens) prices "
                    + (hours && takesOver.windowStart() == null ? "those hours" : "these calls")
                    + (takesOver.validUntil() == null ? "" : " until " + ConsoleExtensions.fmt(takesOver.validUntil()))
                    + (gaps.isEmpty() && takesOver.validUntil() != null ? ", and the entries after it leave no gap"
                            : "") + ".");
        }
        if (!gaps.isEmpty()) {
            List<String> spans = gaps.stream().map(g -> "from " + ConsoleExtensions.fmt(g.from())
                    + (g.until() == null ? ", with no later price scheduled"
                            : " until " + ConsoleExtensions.fmt(g.until()))
                    + (hours ? "" : PriceGaps.except(PriceGaps.windowsDuring(others, g), g))).toList();
            sentences.add("No " + ConsoleExtensions.label(ending.tokenClass()) + " price " + (takesOver == null ? ""
                    : "then ") + "applies to " + ending.model() + (hours ? " in those hours " : " ")
                    + String.join("; ", spans) + ". Calls then have no cost for any of their tokens, and are never "
                    + "invoiced.");
        }
        return String.join(" ", sentences);
    }

    private static boolean sameWindow(PriceEntryView a, PriceEntryView b) {
        return Objects.equals(a.windowStart(), b.windowStart()) && Objects.equals(a.windowEnd(), b.windowEnd());
    }
}
