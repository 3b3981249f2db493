package dev.tollgate.catalog;

import jakarta.validation.constraints.NotBlank;

/** A tenant's own mode for an alias: rewrite, rewrite-and-warn or reject-after-sunset. */
public record AliasOverrideInput(@NotBlank String mode) {
}
