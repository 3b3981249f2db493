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
