package dev.tollgate.apikey;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.List;

/** A new key: a name, an optional expiry and an optional list of models it may call. */
public record KeyInput(@NotBlank @Size(max = 100) String name, Instant expiresAt,
        @Size(max = 50) List<@NotBlank String> allowedModels) {
}
