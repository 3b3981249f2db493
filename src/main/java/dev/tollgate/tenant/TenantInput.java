package dev.tollgate.tenant;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import dev.tollgate.platform.ValidTimeZone;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * What an admin may set on a tenant, from the console form or the admin API. {@code version}, on update, is the
 * version the admin read: a save over a change made since is refused (409) instead of silently undoing it;
 * without it the save always applies.
 */
@JsonIgnoreProperties({"status", "createdAt", "updatedAt"}) // shown by a GET, set by no one: a GET can be PUT back
public record TenantInput(
        @NotBlank
        @Size(min = 2, max = 40)
        @Pattern.List({
            @Pattern(regexp = "^[a-z0-9]([a-z0-9-]*[a-z0-9])?$",
                    message = "lowercase letters, digits and inner hyphens only"),
            // /console/tenants/new is the form for a new tenant: a tenant of that name could never be reached
            @Pattern(regexp = "^(?!new$).*$", message = "is reserved; choose another")
        })
        String slug,
        @NotBlank @Size(max = 200) String displayName,
        @Size(max = 200) String legalName,
        @Email @Size(max = 254) String billingEmail,
        @Size(max = 1000) String postalAddress,
        @Size(max = 64) String taxId,
        @Pattern(regexp = "^USD$", message = "only USD is supported") String currency,
        @ValidTimeZone String timezone,
        Long version) {

    /** Blank optional fields become null, and the defaults are filled in. */
    public TenantInput normalized() {
        return new TenantInput(trim(slug), trim(displayName), blankToNull(legalName), blankToNull(billingEmail),
                blankToNull(postalAddress), blankToNull(taxId),
                currency == null || currency.isBlank() ? "USD" : currency.trim(),
                timezone == null || timezone.isBlank() ? "UTC" : timezone.trim(), version);
    }

    private static String trim(String s) {
        return s == null ? null : s.trim();
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
