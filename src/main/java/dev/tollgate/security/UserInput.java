package dev.tollgate.security;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/** A new local user. A tenant-admin names the tenant they manage. */
public record UserInput(
        @NotBlank @Size(min = 3, max = 64) @Pattern(regexp = "^[a-zA-Z0-9._@-]+$",
                message = "letters, digits and . _ @ - only") String username,
        @NotBlank @Size(min = UserInput.MIN_PASSWORD_LENGTH, max = UserInput.MAX_PASSWORD_BYTES,
                message = "must be 12 to 72 characters")
        String password,
        @NotBlank @Pattern(regexp = "^(platform-admin|finance|tenant-admin)$",
                message = "must be platform-admin, finance or tenant-admin") String role,
        @Size(max = 40) String tenantSlug) {

    public static final int MIN_PASSWORD_LENGTH = 12;
    /** bcrypt uses the first 72 bytes of a password and ignores the rest. */
    public static final int MAX_PASSWORD_BYTES = 72;
}
