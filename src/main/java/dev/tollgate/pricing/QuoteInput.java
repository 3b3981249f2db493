package dev.tollgate.pricing;

import dev.tollgate.platform.InvalidInputException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/** A quote request: which model, at which instant, how many tokens of each class. */
public record QuoteInput(String model, Instant at, TokenCounts tokens) {

    /**
     * A time of day followed by a space and an offset: an east-of-UTC offset typed into a URL as is, whose + the
     * query string then reads as a space (2026-05-31T17:59:00+02:00 arrives as "2026-05-31T17:59:00 02:00").
     */
    private static final Pattern UNENCODED_PLUS = Pattern.compile("^(.+T[0-9:.]+) ([0-9]{2}:[0-9]{2})$");

    /** Reads the query parameters as sent, reporting every bad one at once. Missing token counts are 0. */
    public static QuoteInput parse(String model, String at, String cacheHitTokens, String cacheMissTokens,
            String outputTokens) {
        Map<String, String> errors = new LinkedHashMap<>();
        if (model == null || model.isBlank()) {
            errors.put("model", "is required");
        }
        Instant instant = instant(at, errors);
        long hit = tokens("cacheHitTokens", cacheHitTokens, errors);
        long miss = tokens("cacheMissTokens", cacheMissTokens, errors);
        long out = tokens("outputTokens", outputTokens, errors);
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        return new QuoteInput(model.trim(), instant, new TokenCounts(hit, miss, out));
    }

    private static Instant instant(String value, Map<String, String> errors) {
        if (value == null || value.isBlank()) {
            errors.put("at", "is required: an ISO-8601 instant such as 2026-05-31T15:59:00Z");
            return null;
        }
        try {
            return OffsetDateTime.parse(UNENCODED_PLUS.matcher(value.trim()).replaceFirst("$1+$2")).toInstant();
        } catch (DateTimeParseException e) {
            errors.put("at", "must be an ISO-8601 instant with a zone offset, such as 2026-05-31T15:59:00Z");
            return null;
        }
    }

    private static long tokens(String field, String value, Map<String, String> errors) {
        if (value == null || value.isBlank()) {
            return 0;
        }
        // ASCII digits only: Long.parseLong also takes other scripts' digits (a full-width 1 quoted as 1 token)
        if (!value.trim().matches("[+-]?\\d+")) {
            errors.put(field, "must be a whole number of tokens");
            return 0;
        }
        try {
            long n = Long.parseLong(value.trim());
            if (n < 0) {
                errors.put(field, "must not be negative");
            }
            return n;
        } catch (NumberFormatException e) {
            String digits = value.trim();
            errors.put(field, digits.matches("-\\d+") ? "must not be negative"
                    : digits.matches("\\d+") ? "must be at most " + Long.MAX_VALUE : "must be a whole number of tokens");
            return 0;
        }
    }
}
