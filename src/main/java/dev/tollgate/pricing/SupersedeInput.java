package dev.tollgate.pricing;

import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.math.BigDecimal;
import java.time.Instant;

/**
 * A new price for an entry's model, token class and window from a future instant {@code from}. The
 * new entry runs until {@code validUntil}, or by default until the superseded entry would have ended; an
 * earlier {@code validUntil} (a promotion) brings the old rate back after it.
 */
public record SupersedeInput(
        @NotNull Instant from,
        @NotNull @DecimalMin("0") @RateDigits BigDecimal usdPerMillionTokens,
        Instant validUntil,
        @NotBlank @Size(max = 2000) String note) {
}
