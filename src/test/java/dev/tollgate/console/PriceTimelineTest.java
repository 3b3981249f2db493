package dev.tollgate.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.pricing.PriceEntryView;
import dev.tollgate.pricing.TokenClass;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The price book's chart stays readable whatever dates the entries carry. */
class PriceTimelineTest {

    private static final Instant NOW = Instant.parse("2026-12-01T00:00:00Z");

    private static PriceEntryView entry(long id, String from, String until) {
        return new PriceEntryView(id, "deepseek-v4-pro", TokenClass.OUTPUT, "3.48", Instant.parse(from),
                until == null ? null : Instant.parse(until), null, null, "", NOW, "test", "in force");
    }

    @Test
    void anEntryEndingInTheYear9999DoesNotStretchTheAxis() {
        PriceTimeline t = PriceTimeline.of(List.of(entry(1, "2026-04-24T00:00:00Z", "2026-06-01T00:00:00Z"),
                entry(2, "2026-06-01T00:00:00Z", "9999-12-31T00:00:00Z"),
                entry(3, "9999-12-31T00:00:00Z", null)), NOW);
        assertTrue(t.ticks().size() <= 33, t.ticks().size() + " month ticks"); // April 2026 to two years ahead
        List<PriceTimeline.Bar> bars = t.rows().get(0).bars();
        PriceTimeline.Bar history = bars.get(0);
        assertTrue(history.width() > 2, "the real history keeps a readable width: " + history.width());
        for (PriceTimeline.Bar b : bars) {
            assertTrue(b.left() >= 0 && b.left() + b.width() <= 100.0001, b.toString());
        }
        assertEquals("#3: $3.48 / 1M tokens from 9999-12-31 00:00 UTC, open-ended", bars.get(2).title());
        // an entry ending past the axis is drawn running on, as an open-ended one is; one that ends on it is not
        assertEquals(List.of(false, true, true), bars.stream().map(PriceTimeline.Bar::open).toList());
        assertEquals(List.of("JUL 2026", "OCT 2026", "JAN 2027"), t.ticks().stream().filter(PriceTimeline.Tick::quarter)
                .map(PriceTimeline.Tick::label).limit(3).toList());
    }
}
