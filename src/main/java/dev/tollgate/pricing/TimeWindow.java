package dev.tollgate.pricing;

import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;

/**
 * A recurring time of day in UTC, {@code [start, end)}. When end is before start the window wraps
 * midnight: 16:30–00:30 covers 16:30:00 up to, not including, 00:30:00 the next day.
 */
public record TimeWindow(LocalTime start, LocalTime end) {

    public TimeWindow {
        if (start == null || end == null || start.equals(end)) {
            throw new IllegalArgumentException("A time window needs two different ends: " + start + "-" + end);
        }
    }

    /** The window of an entry, or null for a plain entry. */
    public static TimeWindow ofNullable(LocalTime start, LocalTime end) {
        return start == null && end == null ? null : new TimeWindow(start, end);
    }

    public boolean wrapsMidnight() {
        return end.isBefore(start);
    }

    public boolean contains(LocalTime t) {
        return wrapsMidnight() ? !t.isBefore(start) || t.isBefore(end) : !t.isBefore(start) && t.isBefore(end);
    }

    public boolean contains(Instant at) {
        return contains(LocalTime.ofInstant(at, ZoneOffset.UTC));
    }

    /** True when some time of day lies in both windows. */
    public boolean overlaps(TimeWindow other) {
        return contains(other.start) || other.contains(start);
    }

    @Override
    public String toString() {
        return start + "-" + end + " UTC";
    }
}
