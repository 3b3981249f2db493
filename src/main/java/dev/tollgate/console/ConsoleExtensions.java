package dev.tollgate.console;

import dev.tollgate.apikey.KeyStatus;
import dev.tollgate.pricing.PriceEntryView;
import dev.tollgate.pricing.TokenClass;
import dev.tollgate.tenant.TenantStatus;
import io.quarkus.qute.TemplateExtension;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Display values computed for templates, so templates stay free of logic. */
@TemplateExtension
public class ConsoleExtensions {

    private static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter UTC_SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter LOCAL_INPUT = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm")
            .withZone(ZoneOffset.UTC);

    private static final Pattern ISO_INSTANT = Pattern.compile(
            "\\b\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?Z\\b");

    /** To the minute, as people schedule; to the second when set so (through the API), or two differ unseen. */
    static String fmt(Instant instant) {
        if (instant == null) {
            return "—";
        }
        return instant.getEpochSecond() % 60 == 0 && instant.getNano() == 0 ? UTC.format(instant)
                : UTC_SECONDS.format(instant);
    }

    /**
     * A service's message as the console shows it: the instants in it written as the console writes them
     * ("2026-12-10 00:00 UTC"), not in the API's ISO form.
     */
    static String readable(String message) {
        return message == null ? null : ISO_INSTANT.matcher(tokenClassesNamed(message)).replaceAll(m -> {
            try {
                return fmt(OffsetDateTime.parse(m.group()).toInstant());
            } catch (DateTimeParseException e) { // no such day: as written
                return Matcher.quoteReplacement(m.group());
            }
        });
    }

    /** Token classes as the console names them elsewhere: "cache-hit input", not the API's input_cache_hit. */
    private static String tokenClassesNamed(String message) {
        String named = message;
        for (TokenClass c : TokenClass.values()) {
            named = named.replaceAll("\\b" + c.wireName() + "\\b", label(c));
        }
        return named;
    }

    /** The value of a datetime-local input, in UTC. */
    static String inputValue(Instant instant) {
        return instant == null ? "" : LOCAL_INPUT.format(instant);
    }

    static String css(TenantStatus status) {
        return status.name().toLowerCase(Locale.ROOT);
    }

    static String label(TenantStatus status) {
        return status.name().charAt(0) + status.name().substring(1).toLowerCase(Locale.ROOT);
    }

    static String css(KeyStatus status) {
        return status.name().toLowerCase(Locale.ROOT);
    }

    static String label(KeyStatus status) {
        return status.name().charAt(0) + status.name().substring(1).toLowerCase(Locale.ROOT);
    }

    /**
     * A token class as the price book's readers say it, and as it reads inside a sentence ("no cache-hit input
     * price"): not input_cache_hit, nor "input, cache hit", which reads as a list there.
     */
    static String label(TokenClass tokenClass) {
        return switch (tokenClass) {
            case INPUT_CACHE_HIT -> "cache-hit input";
            case INPUT_CACHE_MISS -> "cache-miss input";
            case OUTPUT -> "output";
        };
    }

    /** A price entry's state in words: "in force" rather than in_force. */
    static String stateLabel(PriceEntryView entry) {
        return entry.state().replace('_', ' ');
    }

    /** A phrase made the start of a sentence: "output" becomes "Output". */
    static String capitalized(String phrase) {
        return phrase.isEmpty() ? phrase : Character.toUpperCase(phrase.charAt(0)) + phrase.substring(1);
    }

    /** A count with thousands separators: 1,000,000 tokens read at a glance, 1000000 does not. */
    static String grouped(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    static String models(List<String> models) {
        return String.join(", ", models);
    }

    static String urlEncode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
