package dev.tollgate.catalog;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.time.Instant;

/**
 * An alias as an admin creates or replaces it. {@code impliedParams} is a JSON object of top-level request
 * fields (default none); {@code deprecatedAt} defaults to the creation instant (on update: unchanged);
 * {@code replacementModel} defaults to the target; an empty {@code migrationGuide} means the default guide.
 * {@code version}, on update, is the version the admin read: a save over a change made since is refused
 * (409) instead of silently undoing it; without it the save always applies.
 */
@JsonIgnoreProperties({"migrationGuideUrl", "status", "createdAt", "updatedAt"}) // shown by a GET, set by no one
public record AliasInput(
        @NotBlank
        @Size(max = 64)
        @Pattern(regexp = "^[A-Za-z0-9][A-Za-z0-9._:-]*$",
                message = "letters, digits and . _ : - only, starting with a letter or digit")
        String alias,
        @NotBlank @Size(max = 100) String targetModel,
        JsonNode impliedParams,
        Instant deprecatedAt,
        @NotNull Instant sunsetAt,
        @NotBlank String mode,
        @Size(max = 100) String replacementModel,
        @Size(max = 500) @Pattern(regexp = "^https?://[^\\s<>\"]+$", message = "must be an absolute http(s) URL")
        String migrationGuide,
        @Size(max = 2000) String note,
        Long version) {

    /** Trimmed, with blank optional fields as null. */
    public AliasInput normalized() {
        return new AliasInput(trim(alias), trim(targetModel), impliedParams, deprecatedAt, sunsetAt, trim(mode),
                blankToNull(replacementModel), blankToNull(migrationGuide), blankToNull(note), version);
    }

    AliasInput withAlias(String name) {
        return new AliasInput(name, targetModel, impliedParams, deprecatedAt, sunsetAt, mode, replacementModel,
                migrationGuide, note, version);
    }

    private static String trim(String s) {
        return s == null ? null : s.trim();
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
