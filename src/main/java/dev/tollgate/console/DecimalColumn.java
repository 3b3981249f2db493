package dev.tollgate.console;

import java.util.Collection;

/**
 * A column of exact decimals aligned on the point: each value is followed by the invisible zeros that bring it
 * to the column's longest fraction, so that 0.028 and 0.0028 (ten times apart) no longer end flush and look alike.
 * The values themselves stay as stored.
 */
public record DecimalColumn(int scale) {

    static DecimalColumn of(Collection<String> values) {
        return new DecimalColumn(values.stream().mapToInt(DecimalColumn::fractionDigits).max().orElse(0));
    }

    /** The zeros, and the point when {@code value} has none, that {@code value} lacks: drawn invisible. */
    public String pad(String value) {
        int missing = scale - fractionDigits(value);
        if (missing <= 0) {
            return "";
        }
        return (value.indexOf('.') < 0 ? "." : "") + "0".repeat(missing);
    }

    private static int fractionDigits(String value) {
        int point = value.indexOf('.');
        return point < 0 ? 0 : value.length() - point - 1;
    }
}
