package dev.tollgate.pricing;

import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalTime;

/**
 * A new price entry. It must start in the future; give both window ends (UTC times of day) for a
 * recurring window such as off-peak hours, or neither. The rate may be sent as a JSON number or string.
 */
public record PriceEntryInput(
        @NotBlank @Size(max = 100) String model,
        @NotNull TokenClass tokenClass,
        @NotNull @DecimalMin("0") @RateDigits BigDecimal usdPerMillionTokens,
        @NotNull Instant validFrom,
        Instant validUntil,
        LocalTime windowStart,
        LocalTime windowEnd,
        @NotBlank @Size(max = 2000) String note) {
}
