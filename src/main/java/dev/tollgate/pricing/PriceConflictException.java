package dev.tollgate.pricing;

import java.util.Map;
import java.util.TreeMap;

/**
 * A price change that the price book's rules refuse: it would alter what applied at a past instant
 * (or one too close to now for every instance to learn of it), or overlap another entry. 409, with the
 * field at fault.
 */
public class PriceConflictException extends RuntimeException {

    private final Map<String, String> fieldErrors;

    public PriceConflictException(String field, String message) {
        super(field + " " + message);
        this.fieldErrors = new TreeMap<>(Map.of(field, message));
    }

    public Map<String, String> fieldErrors() {
        return fieldErrors;
    }
}
