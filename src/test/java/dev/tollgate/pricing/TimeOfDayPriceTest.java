package dev.tollgate.pricing;

import static dev.tollgate.pricing.PricingFixtures.createModel;
import static dev.tollgate.pricing.PricingFixtures.midnightInDays;
import static dev.tollgate.testing.TestData.asAdmin;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tollgate.testing.PostgresResource;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Recurring time-of-day windows, with test data (DeepSeek's V4 off-peak hours are not known): inside
 * its UTC window a windowed entry overrides the plain one, including a window that wraps midnight.
 */
@QuarkusTest
@QuarkusTestResource(PostgresResource.class)
class TimeOfDayPriceTest {

    @Inject
    AgroalDataSource dataSource;
    @Inject
    CostCalculator calculator;

    String model;
    Instant day;
    int plainOutput;
    int offPeakOutput;
    int plainHit;
    int morningHit;

    private int create(String tokenClass, String rate, String windowStart, String windowEnd, Instant from) {
        Map<String, Object> body = new HashMap<>();
        body.put("model", model);
        body.put("tokenClass", tokenClass);
        body.put("usdPerMillionTokens", rate);
        body.put("validFrom", from.toString());
        body.put("windowStart", windowStart);
        body.put("windowEnd", windowEnd);
        body.put("note", "window test");
        return asAdmin().body(body).post("/api/admin/prices").then().statusCode(201).extract().path("id");
    }

    @BeforeEach
    void priceBook() {
        model = createModel(dataSource, "window");
        Instant from = midnightInDays(2);
        day = from.plus(Duration.ofDays(1));
        plainHit = create("input_cache_hit", "0.1", null, null, from);
        create("input_cache_miss", "1", null, null, from);
        plainOutput = create("output", "2", null, null, from);
        offPeakOutput = create("output", "1", "16:30", "00:30", from); // half price at night, wraps midnight
        morningHit = create("input_cache_hit", "0.05", "08:00:00", "09:00:00", from);
    }

    private void assertOutput(Instant at, String cost, int entryId) {
        asAdmin().queryParam("model", model).queryParam("at", at.toString()).queryParam("outputTokens", 1_000_000)
                .get("/api/admin/prices/quote").then().statusCode(200)
                .body("lines[2].cost", equalTo(cost))
                .body("lines[2].priceEntryId", equalTo(entryId));
    }

    private Instant at(String time) {
        return day.plus(Duration.between(java.time.LocalTime.MIDNIGHT, java.time.LocalTime.parse(time)));
    }

    @Test
    void aWindowThatWrapsMidnightOverridesThePlainPriceInsideIt() {
        assertOutput(at("12:00"), "2", plainOutput);
        assertOutput(at("16:29:59.999999"), "2", plainOutput);
        assertOutput(at("16:30"), "1", offPeakOutput);
        assertOutput(at("23:59:59.999999"), "1", offPeakOutput);
        assertOutput(day.plus(Duration.ofDays(1)), "1", offPeakOutput); // midnight
        assertOutput(at("00:29:59"), "1", offPeakOutput); // early on the first day as well
        assertOutput(at("00:30"), "2", plainOutput);
        // The window only applies while its entry is valid: the night before the start is unpriced.
        asAdmin().queryParam("model", model).queryParam("at", day.minus(Duration.ofDays(1)).minusSeconds(1).toString())
                .get("/api/admin/prices/quote").then().statusCode(400).body("errors[0].field", equalTo("at"));
    }

    @Test
    void aDaytimeWindowAppliesToItsOwnTokenClassOnly() {
        asAdmin().queryParam("model", model).queryParam("at", at("08:15").toString())
                .queryParam("cacheHitTokens", 2_000_000).queryParam("outputTokens", 1_000_000)
                .get("/api/admin/prices/quote").then().statusCode(200)
                .body("lines.cost", contains("0.1", "0", "2"))
                .body("priceEntryIds[0]", equalTo(morningHit))
                .body("priceEntryIds[2]", equalTo(plainOutput))
                .body("entries[0].windowStart", equalTo("08:00:00"))
                .body("entries[0].windowEnd", equalTo("09:00:00"));
        CallCost nine = calculator.cost(model, at("09:00"), new TokenCounts(2_000_000, 0, 0));
        assertEquals("0.2", nine.total().toPlainString());
        assertEquals(plainHit, nine.inputCacheHit().priceEntryId());
    }

    @Test
    void overlappingWindowsAreRefusedAdjacentOnesAccepted() {
        Map<String, Object> body = new HashMap<>();
        body.put("model", model);
        body.put("tokenClass", "output");
        body.put("usdPerMillionTokens", "0.5");
        body.put("validFrom", day.toString());
        body.put("windowStart", "23:00");
        body.put("windowEnd", "01:00");
        body.put("note", "overlaps the off-peak window");
        asAdmin().body(body).post("/api/admin/prices").then().statusCode(409)
                .body("errors[0].field", equalTo("validFrom"))
                .body("errors[0].message", containsString("overlaps entry " + offPeakOutput));
        int early = create("output", "1.5", "00:30", "06:00", day);
        assertOutput(at("00:29:59"), "1", offPeakOutput);
        assertOutput(at("00:30"), "1.5", early);
        assertOutput(at("06:00"), "2", plainOutput);
    }

    @Test
    void aWindowNeedsBothEndsAndTwoDifferentTimes() {
        Map<String, Object> body = new HashMap<>();
        body.put("model", model);
        body.put("tokenClass", "input_cache_miss");
        body.put("usdPerMillionTokens", "0.5");
        body.put("validFrom", day.toString());
        body.put("windowStart", "16:30");
        body.put("note", "half a window");
        asAdmin().body(body).post("/api/admin/prices").then().statusCode(400)
                .body("errors.field", contains("windowEnd"));
        body.put("windowEnd", "16:30");
        asAdmin().body(body).post("/api/admin/prices").then().statusCode(400)
                .body("errors.field", contains("windowEnd"));
        body.put("windowEnd", "25:00");
        asAdmin().body(body).post("/api/admin/prices").then().statusCode(400)
                .body("errors.field", contains("windowEnd"))
                .body("errors[0].message", containsString("time of day"));
    }

    @Test
    void supersedingAWindowedEntryKeepsItsWindow() {
        Instant from = day.plus(Duration.ofDays(2));
        asAdmin().body(Map.of("from", from.toString(), "usdPerMillionTokens", "0.8", "note", "cheaper nights"))
                .post("/api/admin/prices/" + offPeakOutput + "/supersede").then().statusCode(201)
                .body("created.windowStart", equalTo("16:30:00"))
                .body("created.windowEnd", equalTo("00:30:00"));
        assertOutput(from.minus(Duration.ofHours(1)), "1", offPeakOutput); // 23:00 the night before
        asAdmin().queryParam("model", model).queryParam("at", from.toString()).queryParam("outputTokens", 1_000_000)
                .get("/api/admin/prices/quote").then().statusCode(200).body("lines[2].cost", equalTo("0.8"));
        assertOutput(from.plus(Duration.ofHours(12)), "2", plainOutput);
    }
}
