package dev.tollgate.pricing;

import jakarta.validation.constraints.NotNull;
import java.time.Instant;

/** Ends an entry at a future instant, e.g. an off-peak window that DeepSeek discontinues. */
public record CloseInput(@NotNull Instant at) {
}
