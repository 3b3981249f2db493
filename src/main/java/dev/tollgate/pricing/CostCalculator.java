package dev.tollgate.pricing;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;

/**
 * Prices a call from the in-memory price book: for each token class the entry in force at the instant
 * the request was received (a windowed entry overrides the plain one inside its UTC time window), cost =
 * tokens × USD per million / 1,000,000, exact. No database access, safe to call on every request.
 *
 * <p>Every token class needs an entry in force, even with zero tokens: an incomplete price book is a
 * configuration error that should show on the first call, not on the first cached prompt.
 */
@ApplicationScoped
public class CostCalculator {

    @Inject
    PriceBook book;

    /**
     * @param model the model served (not an alias), e.g. {@code deepseek-v4-pro}
     * @param receivedAt when Tollgate received the request; decides which prices apply
     * @throws PriceUnavailableException unknown model, or no entry in force for a token class at that instant
     */
    public CallCost cost(String model, Instant receivedAt, TokenCounts tokens) {
        Objects.requireNonNull(receivedAt, "receivedAt");
        Objects.requireNonNull(tokens, "tokens");
        PriceBook.Snapshot s = book.snapshot();
        if (model == null || !s.knowsModel(model)) {
            throw PriceUnavailableException.unknownModel(model, receivedAt);
        }
        CallCost.Line hit = line(s, model, receivedAt, TokenClass.INPUT_CACHE_HIT, tokens.cacheHit());
        CallCost.Line miss = line(s, model, receivedAt, TokenClass.INPUT_CACHE_MISS, tokens.cacheMiss());
        CallCost.Line out = line(s, model, receivedAt, TokenClass.OUTPUT, tokens.output());
        BigDecimal total = Money.canonical(hit.cost().add(miss.cost()).add(out.cost()));
        return new CallCost(model, receivedAt, hit, miss, out, total);
    }

    private static CallCost.Line line(PriceBook.Snapshot s, String model, Instant at, TokenClass c, long tokens) {
        PriceBook.Rate rate = s.rate(model, c, at);
        if (rate == null) {
            throw PriceUnavailableException.noPrice(model, at, c);
        }
        return new CallCost.Line(c, tokens, rate.usdPerMillionTokens(), Money.cost(tokens, rate.usdPerMillionTokens()),
                rate.entryId());
    }
}
