package dev.tollgate.pricing;

import java.time.Instant;
import java.time.LocalTime;

/**
 * A price entry as the admin API and the audit log show it. Money is a decimal string, exact.
 * {@code state}: {@code scheduled} (starts in the future), {@code in_force} or {@code ended}.
 */
public record PriceEntryView(long id, String model, TokenClass tokenClass, String usdPerMillionTokens,
        Instant validFrom, Instant validUntil, LocalTime windowStart, LocalTime windowEnd, String note,
        Instant createdAt, String createdBy, String state) {

    public static PriceEntryView of(PriceEntry e) {
        return of(e, Instant.now());
    }

    public static PriceEntryView of(PriceEntry e, Instant now) {
        String state = e.validFrom.isAfter(now) ? "scheduled"
                : e.validUntil != null && !e.validUntil.isAfter(now) ? "ended" : "in_force";
        return new PriceEntryView(e.id, e.model, e.tokenClass, Money.plain(e.usdPerMillionTokens), e.validFrom,
                e.validUntil, e.windowStart, e.windowEnd, e.note, e.createdAt, e.createdBy, state);
    }
}
