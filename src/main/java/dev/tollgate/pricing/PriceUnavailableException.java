package dev.tollgate.pricing;

import java.time.Instant;

/**
 * A call cannot be priced: the model is not in the catalog, or the price book has no entry in force for
 * one of its token classes at that instant. The caller decides what that means (the gateway may refuse
 * the call, the ledger may record it unpriced and flag it); it is never an internal error.
 */
public class PriceUnavailableException extends RuntimeException {

    public enum Reason {
        /** No such model in the catalog (the {@code model} table). */
        UNKNOWN_MODEL,
        /** The model is known but has no price for {@link #tokenClass()} in force at {@link #at()}. */
        NO_PRICE_IN_FORCE
    }

    private final Reason reason;
    private final String model;
    private final Instant at;
    private final TokenClass tokenClass;

    private PriceUnavailableException(Reason reason, String model, Instant at, TokenClass tokenClass, String message) {
        super(message, null, false, false); // expected on the hot path: no stack trace
        this.reason = reason;
        this.model = model;
        this.at = at;
        this.tokenClass = tokenClass;
    }

    static PriceUnavailableException unknownModel(String model, Instant at) {
        return new PriceUnavailableException(Reason.UNKNOWN_MODEL, model, at, null, "Unknown model '" + model + "'");
    }

    static PriceUnavailableException noPrice(String model, Instant at, TokenClass tokenClass) {
        return new PriceUnavailableException(Reason.NO_PRICE_IN_FORCE, model, at, tokenClass,
                "No " + tokenClass + " price for " + model + " is in force at " + at);
    }

    public Reason reason() {
        return reason;
    }

    public String model() {
        return model;
    }

    public Instant at() {
        return at;
    }

    /** The token class without a price; null for {@link Reason#UNKNOWN_MODEL}. */
    public TokenClass tokenClass() {
        return tokenClass;
    }
}
