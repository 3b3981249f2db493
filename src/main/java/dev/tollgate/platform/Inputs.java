package dev.tollgate.platform;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Path;
import jakarta.validation.Validator;
import java.lang.reflect.RecordComponent;
import java.time.Instant;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Runs Bean Validation on an input record and turns violations into field errors. Values PostgreSQL refuses to
 * store are field errors too, found here before the database is asked: else the database's refusal comes after
 * the form's other checks, and names no field.
 */
@ApplicationScoped
public class Inputs {

    /** PostgreSQL's first timestamp: 24 November 4714 BC (proleptic Gregorian), Julian day 0. */
    public static final Instant EARLIEST_STORABLE = Instant.parse("-4713-11-24T00:00:00Z");
    /** The first instant past PostgreSQL's last timestamp, 294276-12-31 23:59:59.999999 UTC. */
    public static final Instant PAST_LATEST_STORABLE = Instant.parse("+294277-01-01T00:00:00Z");

    @Inject
    Validator validator;

    public <T> T check(T input) {
        Map<String, String> errors = violations(input);
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        return input;
    }

    /** A missing request body is a field error too, not a NullPointerException later. */
    public static <T> T required(T input) {
        if (input == null) {
            throw InvalidInputException.of("body", "is required");
        }
        return input;
    }

    /**
     * A whole-number query parameter, {@code fallback} when absent. JAX-RS answers a parameter it cannot convert
     * with a bare 404; this is a 400 that names it. A whole number past an int's range is the nearest int: every
     * caller clamps it to its own range anyway (a page however far past the end is an empty page).
     */
    public static int wholeNumber(String name, String value, int fallback) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        String digits = value.trim();
        // ASCII digits only: Integer.parseInt also takes other scripts' digits (a full-width 1)
        if (!digits.matches("[+-]?\\d+")) {
            throw InvalidInputException.of(name, "must be a whole number");
        }
        try {
            return Integer.parseInt(digits);
        } catch (NumberFormatException e) {
            return digits.startsWith("-") ? Integer.MIN_VALUE : Integer.MAX_VALUE;
        }
    }

    /** One of an enum's constants by name (any case), null when absent; else a 400 that lists them. */
    public static <E extends Enum<E>> E oneOf(String name, String value, Class<E> type) {
        if (value == null || value.isBlank()) {
            return null;
        }
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equalsIgnoreCase(value.trim())) {
                return constant;
            }
        }
        throw InvalidInputException.of(name, "must be one of " + java.util.Arrays.toString(type.getEnumConstants()));
    }

    /** Field errors of the input, empty when valid; callers may add their own checks before throwing. */
    public <T> Map<String, String> violations(T input) {
        required(input);
        Map<String, String> errors = new LinkedHashMap<>();
        for (ConstraintViolation<T> v : validator.validate(input)) {
            errors.merge(field(v), v.getMessage(), (a, b) -> a.equals(b) ? a : a + "; " + b); // one per element
        }
        if (input.getClass().isRecord()) {
            for (RecordComponent c : input.getClass().getRecordComponents()) {
                String problem = unstorable(value(c, input));
                if (problem != null) {
                    errors.merge(c.getName(), problem, (a, b) -> a + "; " + b);
                }
            }
        }
        return errors;
    }

    /**
     * The input's field the violation is about: "allowedModels", not "allowedModels[0].&lt;list element&gt;", which
     * is no field a form shows an error next to.
     */
    private static String field(ConstraintViolation<?> v) {
        Iterator<Path.Node> nodes = v.getPropertyPath().iterator();
        String first = nodes.hasNext() ? nodes.next().getName() : null;
        return first != null ? first : v.getPropertyPath().toString();
    }

    /**
     * Why PostgreSQL would refuse this value (text with a NUL character, an instant past its range) or store another
     * (text with half a character), or null.
     */
    static String unstorable(Object value) {
        if (value instanceof CharSequence text) {
            for (int i = 0; i < text.length(); i++) {
                char ch = text.charAt(i);
                if (ch == 0) {
                    return "must not contain NUL characters";
                }
                if (Character.isHighSurrogate(ch) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                    i++; // a character outside the BMP, an emoji say: whole
                } else if (Character.isSurrogate(ch)) {
                    // a JSON escape of one half alone: the database's UTF-8 would silently make it a '?'
                    return "must be valid Unicode: it holds half a character (an unpaired surrogate)";
                }
            }
            return null;
        }
        if (value instanceof Instant instant) {
            return instant.isBefore(EARLIEST_STORABLE) || !instant.isBefore(PAST_LATEST_STORABLE)
                    ? "must be a date between 4713 BC and 294276 AD" : null;
        }
        if (value instanceof JsonNode json) { // every key and text of a JSON document: jsonb refuses NUL too
            for (Iterator<Map.Entry<String, JsonNode>> fields = json.fields(); fields.hasNext(); ) {
                Map.Entry<String, JsonNode> f = fields.next();
                String problem = unstorable(f.getKey());
                if (problem == null) {
                    problem = unstorable(f.getValue());
                }
                if (problem != null) {
                    return problem;
                }
            }
            if (json.isArray()) {
                for (JsonNode element : json) {
                    String problem = unstorable(element);
                    if (problem != null) {
                        return problem;
                    }
                }
            }
            return json.isTextual() ? unstorable(json.textValue()) : null;
        }
        if (value instanceof Collection<?> values) {
            for (Object element : values) {
                String problem = unstorable(element);
                if (problem != null) {
                    return problem;
                }
            }
        }
        return null;
    }

    private static Object value(RecordComponent component, Object record) {
        try {
            java.lang.reflect.Method accessor = component.getAccessor();
            accessor.trySetAccessible(); // an input record need not be public
            return accessor.invoke(record);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("Cannot read " + component.getName() + " of " + record.getClass(), e);
        }
    }
}
