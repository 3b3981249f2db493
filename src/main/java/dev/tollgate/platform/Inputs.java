package dev.tollgate.platform;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import java.util.LinkedHashMap;
import java.util.Map;

/** Runs Bean Validation on an input record and turns violations into field errors. */
@ApplicationScoped
public class Inputs {

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
     * with a bare 404; this is a 400 that names it.
     */
    public static int wholeNumber(String name, String value, int fallback) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw InvalidInputException.of(name, "must be a whole number");
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
            errors.merge(v.getPropertyPath().toString(), v.getMessage(), (a, b) -> a + "; " + b);
        }
        return errors;
    }
}
