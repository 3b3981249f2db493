package dev.tollgate.pricing;

import java.math.BigDecimal;

/** Exact decimal helpers: no rounding anywhere, trailing zeros dropped so equal amounts look equal. */
final class Money {

    private Money() {
    }

    /** The cost of {@code tokens} at {@code usdPerMillionTokens}: tokens × rate / 1,000,000, exactly. */
    static BigDecimal cost(long tokens, BigDecimal usdPerMillionTokens) {
        return canonical(BigDecimal.valueOf(tokens).multiply(usdPerMillionTokens).movePointLeft(6));
    }

    /** Same value, no trailing zeros, never a negative scale (so "10", not "1E+1"). */
    static BigDecimal canonical(BigDecimal v) {
        BigDecimal s = v.stripTrailingZeros();
        return s.scale() < 0 ? s.setScale(0) : s;
    }

    static String plain(BigDecimal v) {
        return v == null ? null : canonical(v).toPlainString();
    }
}
