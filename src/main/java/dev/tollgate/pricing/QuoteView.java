package dev.tollgate.pricing;

import java.time.Instant;
import java.util.List;

/** A quote as the admin API returns it. Amounts are exact decimal strings in USD, never rounded. */
public record QuoteView(String model, Instant at, List<Line> lines, String total, List<Long> priceEntryIds,
        List<PriceEntryView> entries) {

    public record Line(TokenClass tokenClass, long tokens, String usdPerMillionTokens, String cost,
            long priceEntryId) {
    }

    static QuoteView of(CallCost cost, List<PriceEntryView> entries) {
        List<Line> lines = cost.lines().stream().map(l -> new Line(l.tokenClass(), l.tokens(),
                Money.plain(l.usdPerMillionTokens()), Money.plain(l.cost()), l.priceEntryId())).toList();
        return new QuoteView(cost.model(), cost.receivedAt(), lines, Money.plain(cost.total()), cost.priceEntryIds(),
                entries);
    }
}
