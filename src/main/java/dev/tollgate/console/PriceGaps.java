package dev.tollgate.console;

import dev.tollgate.pricing.PriceEntryView;
import dev.tollgate.pricing.TokenClass;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Spans from now on in which a served model has no all-day price for a token class. A call then has no cost at all
 * (every class needs a price), so it is served but never invoiced; the price book says so before it happens.
 * Time-of-day windows are left out: they price some hours only.
 */
public final class PriceGaps {

    /**
     * No price from {@code from} until {@code until}, or for good when {@code until} is null; {@code open}: the
     * gap has begun, calls are going unbilled now.
     */
    public record Gap(String model, TokenClass tokenClass, Instant from, Instant until, boolean open) {
    }

    private PriceGaps() {
    }

    static List<Gap> of(List<String> servedModels, List<PriceEntryView> entries, Instant now) {
        List<Gap> gaps = new ArrayList<>();
        for (String model : servedModels) {
            for (TokenClass c : TokenClass.values()) {
                List<PriceEntryView> allDay = entries.stream()
                        .filter(e -> e.model().equals(model) && e.tokenClass() == c && e.windowStart() == null)
                        .filter(e -> e.validUntil() == null || e.validUntil().isAfter(now))
                        .sorted(Comparator.comparing(PriceEntryView::validFrom)).toList();
                Instant covered = now; // priced up to here; null once priced for good
                for (PriceEntryView e : allDay) {
                    if (covered == null) {
                        break;
                    }
                    if (e.validFrom().isAfter(covered)) {
                        gaps.add(new Gap(model, c, covered, e.validFrom(), covered.equals(now)));
                    }
                    covered = e.validUntil() == null ? null : max(covered, e.validUntil());
                }
                if (covered != null) {
                    gaps.add(new Gap(model, c, covered, null, covered.equals(now)));
                }
            }
        }
        return gaps;
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }
}
