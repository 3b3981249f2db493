package dev.tollgate.catalog;

import com.fasterxml.jackson.annotation.JsonValue;
import jakarta.persistence.AttributeConverter;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What Tollgate does with a call to an alias. Every served aliased call carries the Deprecation, Sunset
 * and Link headers; the modes differ in the warning and in what happens from the sunset on.
 */
public enum AliasMode {
    /** Serve the target, with the lifecycle headers only. */
    REWRITE("rewrite"),
    /** Serve the target, with the lifecycle headers and an {@code X-Tollgate-Warning} header. */
    REWRITE_AND_WARN("rewrite-and-warn"),
    /** Before the sunset as {@link #REWRITE_AND_WARN}; from the sunset on, 410 naming the replacement model. */
    REJECT_AFTER_SUNSET("reject-after-sunset");

    private final String wireName;

    AliasMode(String wireName) {
        this.wireName = wireName;
    }

    @JsonValue
    public String wireName() {
        return wireName;
    }

    public static Optional<AliasMode> fromWireName(String name) {
        return Arrays.stream(values()).filter(m -> m.wireName.equals(name)).findFirst();
    }

    /** "rewrite, rewrite-and-warn, reject-after-sunset", for error messages. */
    public static String wireNames() {
        return Arrays.stream(values()).map(AliasMode::wireName).collect(Collectors.joining(", "));
    }

    /** True when a call at {@code now} gets 410 instead of an answer. */
    public boolean rejects(Instant now, Instant sunsetAt) {
        return this == REJECT_AFTER_SUNSET && !now.isBefore(sunsetAt);
    }

    boolean warns() {
        return this != REWRITE;
    }

    @Override
    public String toString() {
        return wireName;
    }

    /** Stores the wire name, which the tables' check constraints list. */
    @jakarta.persistence.Converter
    public static class Converter implements AttributeConverter<AliasMode, String> {
        @Override
        public String convertToDatabaseColumn(AliasMode m) {
            return m == null ? null : m.wireName;
        }

        @Override
        public AliasMode convertToEntityAttribute(String s) {
            return s == null ? null : fromWireName(s).orElseThrow(
                    () -> new IllegalStateException("Unknown alias mode in the database: " + s));
        }
    }
}
