package dev.tollgate.pricing;

import com.fasterxml.jackson.annotation.JsonValue;
import jakarta.persistence.AttributeConverter;
import java.util.Arrays;
import java.util.Optional;

/** The three ways DeepSeek bills tokens, each with its own price. Wire and database names are snake case. */
public enum TokenClass {
    INPUT_CACHE_HIT("input_cache_hit"),
    INPUT_CACHE_MISS("input_cache_miss"),
    OUTPUT("output");

    private final String wireName;

    TokenClass(String wireName) {
        this.wireName = wireName;
    }

    @JsonValue
    public String wireName() {
        return wireName;
    }

    public static Optional<TokenClass> fromWireName(String name) {
        return Arrays.stream(values()).filter(c -> c.wireName.equals(name)).findFirst();
    }

    @Override
    public String toString() {
        return wireName;
    }

    /** Stores the wire name, which the table's check constraint lists. */
    @jakarta.persistence.Converter
    public static class Converter implements AttributeConverter<TokenClass, String> {
        @Override
        public String convertToDatabaseColumn(TokenClass c) {
            return c == null ? null : c.wireName;
        }

        @Override
        public TokenClass convertToEntityAttribute(String s) {
            return s == null ? null : fromWireName(s).orElseThrow(
                    () -> new IllegalStateException("Unknown token class in price_entry: " + s));
        }
    }
}
