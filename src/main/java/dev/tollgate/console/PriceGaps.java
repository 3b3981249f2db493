package dev.tollgate.console;

import dev.tollgate.pricing.PriceEntryView;
import dev.tollgate.pricing.TokenClass;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Spans from now on in which a served model has no all-day price for a token class. A call then has no cost at all
 * (every class needs a price), so it is served but never invoiced; the price book says so before it happens. A
 * time-of-day window in force during a gap still prices its hours, and is named with it.
 */
public final class PriceGaps {

    /**
     * No all-day price from {@code from} until {@code until}, or for good when {@code until} is null, except in the
     * hours of {@code windows}. {@code since}: for a gap already open, when it began (null: never priced).
     */
    public record Gap(String model, TokenClass tokenClass, Instant from, Instant until, boolean open, Instant since,
            List<PriceEntryView> windows) {

        /** "since 2026-12-03 09:10 UTC, with no later price scheduled, except 16:30–00:30 UTC (entry #14)". */
        public String says() {
            String when = !open ? "from " + ConsoleExtensions.fmt(from)
                    : since == null ? "from now" : "since " + ConsoleExtensions.fmt(since);
            // a gap under way is told since it began, and so are the windows in it: one started since then did
            // not price the hours before
            return when + (until == null ? ", with no later price scheduled" : " until " + ConsoleExtensions.fmt(until))
                    + except(windows, new Span(open && since != null ? since : from, until));
        }
    }

    /** A span that no entry covers: from {@code from} until {@code until}, or for good when that is null. */
    record Span(Instant from, Instant until) {
    }

    private PriceGaps() {
    }

    static List<Gap> of(List<String> servedModels, List<PriceEntryView> entries, Instant now) {
        List<Gap> gaps = new ArrayList<>();
        for (String model : servedModels) {
            for (TokenClass c : TokenClass.values()) {
                List<PriceEntryView> own = entries.stream()
                        .filter(e -> e.model().equals(model) && e.tokenClass() == c).toList();
                List<PriceEntryView> allDay = own.stream().filter(e -> e.windowStart() == null).toList();
                for (Span s : uncovered(allDay, now)) {
                    boolean open = s.from().equals(now);
                    Instant since = !open ? null : allDay.stream().map(PriceEntryView::validUntil)
                            .filter(u -> u != null && !u.isAfter(now)).max(Comparator.naturalOrder()).orElse(null);
                    Span told = new Span(since != null ? since : s.from(), s.until());
                    gaps.add(new Gap(model, c, s.from(), s.until(), open, since, windowsDuring(own, told)));
                }
            }
        }
        return gaps;
    }

    /** The spans from {@code from} on that none of {@code entries} covers, by their validity alone. */
    static List<Span> uncovered(List<PriceEntryView> entries, Instant from) {
        List<PriceEntryView> ahead = entries.stream()
                .filter(e -> e.validUntil() == null || e.validUntil().isAfter(from))
                .sorted(Comparator.comparing(PriceEntryView::validFrom)).toList();
        List<Span> spans = new ArrayList<>();
        Instant covered = from; // priced up to here; null once priced for good
        for (PriceEntryView e : ahead) {
            if (covered == null) {
                break;
            }
            if (e.validFrom().isAfter(covered)) {
                spans.add(new Span(covered, e.validFrom()));
            }
            covered = e.validUntil() == null ? null : max(covered, e.validUntil());
        }
        if (covered != null) {
            spans.add(new Span(covered, null));
        }
        return spans;
    }

    /** The time-of-day windows in force at some point of {@code s}: they price their hours of it. */
    static List<PriceEntryView> windowsDuring(List<PriceEntryView> entries, Span s) {
        return entries.stream().filter(e -> e.windowStart() != null)
                .filter(e -> s.until() == null || e.validFrom().isBefore(s.until()))
                .filter(e -> e.validUntil() == null || e.validUntil().isAfter(s.from())).toList();
    }

    /**
     * ", except 16:30–00:30 UTC (entry #14, until 2026-12-15 00:00 UTC)": the windows that price some hours of a
     * span, with their own dates where they do not last it.
     */
    static String except(List<PriceEntryView> windows, Span s) {
        if (windows.isEmpty()) {
            return "";
        }
        return ", except " + String.join(" and ", windows.stream().map(w -> {
            String dates = (w.validFrom().isAfter(s.from()) ? ", from " + ConsoleExtensions.fmt(w.validFrom()) : "")
                    + (w.validUntil() != null && (s.until() == null || w.validUntil().isBefore(s.until()))
                            ? ", until " + ConsoleExtensions.fmt(w.validUntil()) : "");
            return w.windowStart() + "–" + w.windowEnd() + " UTC (entry #" + w.id() + dates + ")";
        }).toList());
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }
}
