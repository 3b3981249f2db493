package dev.tollgate.console;

import dev.tollgate.pricing.PriceEntryView;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What prices a model's calls once an entry ends at {@code at}, in the words the console asks and reports with.
 * A windowed entry gives its hours back to the all-day price; an all-day entry leaves only the windows in force,
 * if any, and a gap until the next entry starts. A call with one token class unpriced has no cost at all (every
 * class needs a price: CostCalculator), so a gap in one class makes the model's calls free.
 */
public record PriceEnding(PriceEntryView ending, Instant at, PriceEntryView takesOver, PriceEntryView nextLater,
        List<PriceEntryView> windowsLeft) {

    static PriceEnding of(PriceEntryView ending, Instant at, List<PriceEntryView> book) {
        List<PriceEntryView> others = book.stream()
                .filter(e -> e.id() != ending.id() && e.model().equals(ending.model())
                        && e.tokenClass() == ending.tokenClass())
                .toList();
        // entries that price the same calls: the same window, or for a window's hours the all-day price too
        List<PriceEntryView> replacing = others.stream().filter(e -> sameWindow(e, ending) || e.windowStart() == null)
                .toList();
        PriceEntryView takesOver = replacing.stream().filter(e -> inForce(e, at))
                .min(Comparator.comparing(e -> e.windowStart() == null)).orElse(null); // its own window first
        PriceEntryView nextLater = replacing.stream().filter(e -> e.validFrom().isAfter(at))
                .min(Comparator.comparing(PriceEntryView::validFrom)).orElse(null);
        List<PriceEntryView> windowsLeft = ending.windowStart() != null ? List.of()
                : others.stream().filter(e -> e.windowStart() != null && inForce(e, at)).toList();
        return new PriceEnding(ending, at, takesOver, nextLater, windowsLeft);
    }

    /** True when calls after the end go unpriced, in some hours at least. */
    public boolean leavesAGap() {
        return takesOver == null;
    }

    /** One sentence on what follows, e.g. "From 2027-01-15 00:00 UTC, entry #13 ($0.3) prices these calls." */
    public String says() {
        String from = "From " + ConsoleExtensions.fmt(at) + ", ";
        boolean hours = ending.windowStart() != null;
        if (takesOver != null) {
            return from + "entry #" + takesOver.id() + " ($" + takesOver.usdPerMillionTokens() + ") prices "
                    + (hours && takesOver.windowStart() == null ? "those hours" : "these calls") + ".";
        }
        String unpriced = from + "no " + ConsoleExtensions.label(ending.tokenClass()) + " price applies to "
                + ending.model() + (hours ? " in " + window(ending) : "")
                + outsideWindowsLeft()
                + Optional.ofNullable(nextLater).map(n -> " until entry #" + n.id() + " ($" + n.usdPerMillionTokens()
                        + ") starts at " + ConsoleExtensions.fmt(n.validFrom())).orElse("");
        return unpriced + ": its calls are recorded without any cost, inputs included, and never invoiced.";
    }

    private String outsideWindowsLeft() {
        if (windowsLeft.isEmpty()) {
            return "";
        }
        List<String> named = windowsLeft.stream().map(w -> "#" + w.id() + " (" + window(w) + ")").toList();
        return " outside the window" + (named.size() == 1 ? " of entry " : "s of entries ") + String.join(", ", named);
    }

    private static String window(PriceEntryView e) {
        return e.windowStart() + "–" + e.windowEnd() + " UTC";
    }

    private static boolean sameWindow(PriceEntryView a, PriceEntryView b) {
        return Objects.equals(a.windowStart(), b.windowStart()) && Objects.equals(a.windowEnd(), b.windowEnd());
    }

    private static boolean inForce(PriceEntryView e, Instant at) {
        return !e.validFrom().isAfter(at) && (e.validUntil() == null || e.validUntil().isAfter(at));
    }
}
