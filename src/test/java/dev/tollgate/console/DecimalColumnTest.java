package dev.tollgate.console;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Rates ten times apart must not end flush: each is padded, invisibly, to the column's longest fraction. */
class DecimalColumnTest {

    @Test
    void everyValueIsPaddedToTheLongestFractionOfItsColumn() {
        DecimalColumn rates = DecimalColumn.of(List.of("0.028", "0.0028", "3", "0.14"));
        assertEquals("0", rates.pad("0.028"));
        assertEquals("", rates.pad("0.0028"));
        assertEquals(".0000", rates.pad("3"), "a whole number gets its point too");
        assertEquals("00", rates.pad("0.14"));
        assertEquals("", DecimalColumn.of(List.of("1", "12")).pad("1"), "whole numbers only: nothing to align");
        assertEquals("", DecimalColumn.of(List.of()).pad("0.5"), "a value longer than its column is left alone");
    }
}
