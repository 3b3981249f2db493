package dev.tollgate.pricing;

import static dev.tollgate.testing.TestData.asAdmin;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tollgate.testing.PostgresResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Tag;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The DeepSeek V4 history seeded by migration, quoted on both sides of every boundary. */
@QuarkusTest
@Tag("external-db")
@QuarkusTestResource(PostgresResource.class)
class SeededPriceHistoryTest {

    static final String FLASH = "deepseek-v4-flash";
    static final String PRO = "deepseek-v4-pro";

    @Inject
    CostCalculator calculator;

    /** The rate per token class at an instant, read from a quote of 1M tokens of each class. */
    private static ValidatableResponse quoteMillion(String model, String at) {
        return asAdmin().queryParam("model", model).queryParam("at", at)
                .queryParam("cacheHitTokens", 1_000_000).queryParam("cacheMissTokens", 1_000_000)
                .queryParam("outputTokens", 1_000_000)
                .get("/api/admin/prices/quote").then().statusCode(200);
    }

    private static void assertRates(String model, String at, String hit, String miss, String output) {
        quoteMillion(model, at)
                .body("lines.tokenClass", contains("input_cache_hit", "input_cache_miss", "output"))
                .body("lines.usdPerMillionTokens", contains(hit, miss, output))
                .body("lines.cost", contains(hit, miss, output));
    }

    @Test
    void flashAtLaunchAndAfterTheCacheHitCut() {
        assertRates(FLASH, "2026-04-24T00:00:00Z", "0.028", "0.14", "0.28");
        assertRates(FLASH, "2026-04-25T00:00:00Z", "0.028", "0.14", "0.28");
        assertRates(FLASH, "2026-04-26T12:14:59.999999Z", "0.028", "0.14", "0.28");
        assertRates(FLASH, "2026-04-26T12:15:00Z", "0.0028", "0.14", "0.28");
        assertRates(FLASH, "2026-04-27T00:00:00Z", "0.0028", "0.14", "0.28");
        assertRates(FLASH, "2026-11-01T00:00:00Z", "0.0028", "0.14", "0.28");
    }

    @Test
    void proUnderThePromotionThenAtListPrices() {
        assertRates(PRO, "2026-04-24T00:00:00Z", "0.03625", "0.435", "0.87");
        assertRates(PRO, "2026-04-25T00:00:00Z", "0.03625", "0.435", "0.87");
        assertRates(PRO, "2026-04-26T12:14:59Z", "0.03625", "0.435", "0.87");
        assertRates(PRO, "2026-04-26T12:15:00Z", "0.003625", "0.435", "0.87");
        assertRates(PRO, "2026-04-27T00:00:00Z", "0.003625", "0.435", "0.87");
        assertRates(PRO, "2026-05-31T15:58:59.999999Z", "0.003625", "0.435", "0.87");
        assertRates(PRO, "2026-05-31T15:59:00Z", "0.0145", "1.74", "3.48");
        assertRates(PRO, "2026-06-01T00:00:00Z", "0.0145", "1.74", "3.48");
    }

    @Test
    void anInstantWithAnOffsetIsTheSameInstant() {
        // 23:59 in Beijing on 2026-05-31 is 15:59 UTC, the end of the promotion.
        assertRates(PRO, "2026-05-31T23:58:59+08:00", "0.003625", "0.435", "0.87");
        assertRates(PRO, "2026-05-31T23:59:00+08:00", "0.0145", "1.74", "3.48");
    }

    @Test
    void costsAreExactDecimals() {
        asAdmin().queryParam("model", FLASH).queryParam("at", "2026-04-27T00:00:00Z")
                .queryParam("cacheHitTokens", 1_234_567).queryParam("cacheMissTokens", 89)
                .queryParam("outputTokens", 3_333)
                .get("/api/admin/prices/quote").then().statusCode(200)
                .body("lines[0].cost", equalTo("0.0034567876"))
                .body("lines[1].cost", equalTo("0.00001246"))
                .body("lines[2].cost", equalTo("0.00093324"))
                .body("total", equalTo("0.0044024876"));
        asAdmin().queryParam("model", PRO).queryParam("at", "2026-05-01T00:00:00Z")
                .queryParam("cacheHitTokens", 1_000_000).queryParam("cacheMissTokens", 2_000_000)
                .queryParam("outputTokens", 500_000)
                .get("/api/admin/prices/quote").then().statusCode(200)
                .body("lines.cost", contains("0.003625", "0.87", "0.435"))
                .body("total", equalTo("1.308625"));
    }

    @Test
    void aQuoteNamesTheEntriesUsedWithTheirSources() {
        quoteMillion(PRO, "2026-04-25T00:00:00Z")
                .body("priceEntryIds", hasSize(3))
                .body("entries", hasSize(3))
                .body("entries.id", equalTo(quoteMillion(PRO, "2026-04-25T00:00:00Z").extract().path("priceEntryIds")))
                .body("entries[0].tokenClass", equalTo("input_cache_hit"))
                .body("entries[0].validFrom", equalTo("2026-04-24T00:00:00Z"))
                .body("entries[0].validUntil", equalTo("2026-04-26T12:15:00Z"))
                .body("entries[0].note", containsString("75% off promotion"))
                .body("entries[0].state", equalTo("ended"))
                .body("entries[2].note", containsString("2026-05-31 15:59 UTC"));
    }

    @Test
    void theSeedIsListedPerModel() {
        asAdmin().queryParam("model", PRO).get("/api/admin/prices").then().statusCode(200)
                .body("findAll { it.tokenClass == 'output' && it.createdBy == 'migration V011' }.usdPerMillionTokens",
                        contains("0.87", "3.48"))
                .body("findAll { it.tokenClass == 'input_cache_hit' && it.createdBy == 'migration V011' }.usdPerMillionTokens",
                        contains("0.03625", "0.003625", "0.0145"))
                .body("model", org.hamcrest.Matchers.everyItem(equalTo(PRO)));
    }

    @Test
    void theJavaApiGivesTheSameExactCostAndTheEntriesUsed() {
        CallCost before = calculator.cost(PRO, Instant.parse("2026-05-31T15:58:59Z"), new TokenCounts(0, 0, 1_000_000));
        CallCost after = calculator.cost(PRO, Instant.parse("2026-05-31T15:59:00Z"), new TokenCounts(0, 0, 1_000_000));
        assertEquals(new BigDecimal("0.87"), before.output().cost());
        assertEquals(new BigDecimal("3.48"), after.output().cost());
        assertEquals(new BigDecimal("3.48"), after.total());
        assertEquals(3, after.priceEntryIds().size());
        assertEquals(after.output().priceEntryId(), after.priceEntryIds().get(2));

        CallCost flash = calculator.cost(FLASH, Instant.parse("2026-04-27T00:00:00Z"), new TokenCounts(1_234_567, 0, 0));
        assertEquals("0.0034567876", flash.inputCacheHit().cost().toPlainString());
        assertEquals(new BigDecimal("0.0028"), flash.inputCacheHit().usdPerMillionTokens());
        assertEquals(BigDecimal.ZERO, flash.inputCacheMiss().cost());
        assertEquals(List.of(flash.inputCacheHit(), flash.inputCacheMiss(), flash.output()), flash.lines());
    }

    @Test
    void theJavaApiReportsWhatCannotBePriced() {
        PriceUnavailableException unknown = assertThrows(PriceUnavailableException.class,
                () -> calculator.cost("deepseek-v9", Instant.parse("2026-06-01T00:00:00Z"), new TokenCounts(1, 1, 1)));
        assertEquals(PriceUnavailableException.Reason.UNKNOWN_MODEL, unknown.reason());

        PriceUnavailableException early = assertThrows(PriceUnavailableException.class,
                () -> calculator.cost(FLASH, Instant.parse("2026-04-23T23:59:59Z"), new TokenCounts(0, 0, 0)));
        assertEquals(PriceUnavailableException.Reason.NO_PRICE_IN_FORCE, early.reason());
        assertEquals(TokenClass.INPUT_CACHE_HIT, early.tokenClass());
        assertEquals(FLASH, early.model());

        assertThrows(IllegalArgumentException.class, () -> new TokenCounts(-1, 0, 0));
    }

    @Test
    void beforeLaunchThereIsNoPrice() {
        asAdmin().queryParam("model", FLASH).queryParam("at", "2026-04-23T23:59:59Z")
                .get("/api/admin/prices/quote").then().statusCode(400)
                .contentType("application/problem+json")
                .body("errors[0].field", equalTo("at"))
                .body("errors[0].message", containsString("no input_cache_hit price for deepseek-v4-flash"));
    }
}
