package dev.tollgate.pricing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalTime;
import org.junit.jupiter.api.Test;

class TimeWindowTest {

    private static TimeWindow w(String start, String end) {
        return new TimeWindow(LocalTime.parse(start), LocalTime.parse(end));
    }

    @Test
    void aDaytimeWindowIsHalfOpen() {
        TimeWindow morning = w("08:00", "09:00");
        assertFalse(morning.wrapsMidnight());
        assertFalse(morning.contains(LocalTime.parse("07:59:59.999999")));
        assertTrue(morning.contains(LocalTime.parse("08:00")));
        assertTrue(morning.contains(LocalTime.parse("08:59:59.999999")));
        assertFalse(morning.contains(LocalTime.parse("09:00")));
    }

    @Test
    void anOffPeakWindowWrapsMidnight() {
        TimeWindow offPeak = w("16:30", "00:30");
        assertTrue(offPeak.wrapsMidnight());
        assertFalse(offPeak.contains(LocalTime.parse("16:29:59")));
        assertTrue(offPeak.contains(LocalTime.parse("16:30")));
        assertTrue(offPeak.contains(LocalTime.parse("23:59:59.999999999")));
        assertTrue(offPeak.contains(LocalTime.MIDNIGHT));
        assertTrue(offPeak.contains(LocalTime.parse("00:29:59")));
        assertFalse(offPeak.contains(LocalTime.parse("00:30")));
        assertFalse(offPeak.contains(LocalTime.NOON));
        assertTrue(offPeak.contains(Instant.parse("2026-08-17T00:10:00Z")));
        assertFalse(offPeak.contains(Instant.parse("2026-08-17T12:00:00Z")));
    }

    @Test
    void aWindowEndingAtMidnightRunsToTheEndOfTheDay() {
        TimeWindow evening = w("16:00", "00:00");
        assertTrue(evening.contains(LocalTime.parse("23:59:59")));
        assertFalse(evening.contains(LocalTime.MIDNIGHT));
        assertFalse(evening.contains(LocalTime.parse("15:59:59")));
    }

    @Test
    void overlapIsDecidedOnTheClockFace() {
        assertTrue(w("16:30", "00:30").overlaps(w("00:00", "01:00")));
        assertTrue(w("16:30", "00:30").overlaps(w("23:00", "01:00")));
        assertTrue(w("16:30", "00:30").overlaps(w("17:00", "18:00")));
        assertTrue(w("17:00", "18:00").overlaps(w("16:30", "00:30")));
        assertFalse(w("16:30", "00:30").overlaps(w("00:30", "16:30")), "adjacent windows share no instant");
        assertFalse(w("08:00", "09:00").overlaps(w("09:00", "10:00")));
        assertTrue(w("22:00", "02:00").overlaps(w("23:00", "01:00")));
    }

    @Test
    void aWindowNeedsTwoDifferentEnds() {
        assertThrows(IllegalArgumentException.class, () -> w("08:00", "08:00"));
        assertNull(TimeWindow.ofNullable(null, null));
    }

    @Test
    void costIsExactWithoutRounding() {
        assertEquals("0.0034567876", Money.cost(1_234_567, new BigDecimal("0.0028")).toPlainString());
        assertEquals("0.003625", Money.cost(1_000_000, new BigDecimal("0.003625000000")).toPlainString());
        assertEquals("10", Money.cost(5_000_000, new BigDecimal("2.000")).toPlainString());
        assertEquals("0", Money.cost(0, new BigDecimal("3.48")).toPlainString());
        assertEquals("0.00000000000001", Money.cost(1, new BigDecimal("0.00000001")).toPlainString());
    }
}
