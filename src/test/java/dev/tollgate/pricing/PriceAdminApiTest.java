package dev.tollgate.pricing;

import static dev.tollgate.pricing.PricingFixtures.createModel;
import static dev.tollgate.pricing.PricingFixtures.midnightInDays;
import static dev.tollgate.testing.TestData.as;
import static dev.tollgate.testing.TestData.asAdmin;
import static dev.tollgate.testing.TestData.createTenant;
import static dev.tollgate.testing.TestData.createUser;
import static dev.tollgate.testing.TestData.uniqueSlug;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tollgate.testing.PostgresResource;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(PostgresResource.class)
class PriceAdminApiTest {

    static final String PASSWORD = "price-test-password";

    @Inject
    AgroalDataSource dataSource;

    private static Map<String, Object> entry(String model, String tokenClass, Object rate, Instant from) {
        Map<String, Object> body = new HashMap<>();
        body.put("model", model);
        body.put("tokenClass", tokenClass);
        body.put("usdPerMillionTokens", rate);
        body.put("validFrom", from.toString());
        body.put("note", "test price");
        return body;
    }

    private static int create(Map<String, Object> body) {
        return asAdmin().body(body).post("/api/admin/prices").then().statusCode(201).extract().path("id");
    }

    /** The seeded entry of a real model and token class that is open-ended. */
    private static int openEndedSeed(String model, String tokenClass) {
        List<Integer> ids = asAdmin().queryParam("model", model).get("/api/admin/prices").then().statusCode(200)
                .extract().path("findAll { it.tokenClass == '" + tokenClass
                        + "' && it.createdBy == 'migration V011' && it.validUntil == null }.id");
        return ids.get(0);
    }

    private static int seed(String model, String tokenClass, String validFrom) {
        List<Integer> ids = asAdmin().queryParam("model", model).get("/api/admin/prices").then().statusCode(200)
                .extract().path("findAll { it.tokenClass == '" + tokenClass + "' && it.validFrom == '" + validFrom
                        + "' }.id");
        return ids.get(0);
    }

    @Test
    void createsAnEntryFromAFutureInstantAndQuotesWithIt() {
        String model = createModel(dataSource, "create");
        Instant from = midnightInDays(3);
        Map<String, Object> body = entry(model, "output", "1.250000", from);
        body.put("validUntil", from.plus(Duration.ofDays(30)).toString());
        int id = asAdmin().body(body).post("/api/admin/prices").then().statusCode(201)
                .header("Location", containsString("/api/admin/prices/"))
                .body("model", equalTo(model))
                .body("tokenClass", equalTo("output"))
                .body("usdPerMillionTokens", equalTo("1.25"))
                .body("validFrom", equalTo(from.toString()))
                .body("windowStart", nullValue())
                .body("state", equalTo("scheduled"))
                .body("createdBy", equalTo("admin"))
                .extract().path("id");
        create(entry(model, "input_cache_hit", 0.01, from));
        create(entry(model, "input_cache_miss", "0.1", from));

        asAdmin().get("/api/admin/prices/" + id).then().statusCode(200).body("note", equalTo("test price"));
        asAdmin().queryParam("model", model).get("/api/admin/prices").then().statusCode(200)
                .body("tokenClass", contains("input_cache_hit", "input_cache_miss", "output"));
        asAdmin().queryParam("model", model).queryParam("at", from.toString())
                .queryParam("cacheHitTokens", 100).queryParam("cacheMissTokens", 10).queryParam("outputTokens", 7)
                .get("/api/admin/prices/quote").then().statusCode(200)
                .body("lines.cost", contains("0.000001", "0.000001", "0.00000875"))
                .body("total", equalTo("0.00001075"))
                .body("priceEntryIds[2]", equalTo(id));
        // A quote before the entries start, or after the output entry ends, has no price.
        asAdmin().queryParam("model", model).queryParam("at", from.minusMillis(1).toString())
                .get("/api/admin/prices/quote").then().statusCode(400).body("errors[0].field", equalTo("at"));
        asAdmin().queryParam("model", model).queryParam("at", from.plus(Duration.ofDays(30)).toString())
                .get("/api/admin/prices/quote").then().statusCode(400)
                .body("errors[0].message", containsString("no output price"));

        asAdmin().queryParam("size", 500).get("/api/admin/audit").then().statusCode(200)
                .body("findAll { it.entityType == 'price_entry' && it.entityId == '" + id + "' }.action",
                        contains("price.create"));
    }

    @Test
    void supersedesAnOpenEndedSeededEntryFromAFutureInstant() {
        int seeded = openEndedSeed("deepseek-v4-flash", "output");
        Instant t = midnightInDays(20);
        var result = asAdmin().body(Map.of("from", t.toString(), "usdPerMillionTokens", "0.30",
                        "note", "hypothetical Flash output increase"))
                .post("/api/admin/prices/" + seeded + "/supersede").then().statusCode(201)
                .body("closed.id", equalTo(seeded))
                .body("closed.validFrom", equalTo("2026-04-24T00:00:00Z"))
                .body("closed.validUntil", equalTo(t.toString()))
                .body("closed.usdPerMillionTokens", equalTo("0.28"))
                .body("closed.state", equalTo("in_force"))
                .body("created.model", equalTo("deepseek-v4-flash"))
                .body("created.tokenClass", equalTo("output"))
                .body("created.usdPerMillionTokens", equalTo("0.3"))
                .body("created.validFrom", equalTo(t.toString()))
                .body("created.validUntil", nullValue())
                .body("created.state", equalTo("scheduled"))
                .body("resumed", nullValue())
                .extract();
        int created = result.path("created.id");

        // The past is priced as before, the new price applies from t exactly.
        asAdmin().queryParam("model", "deepseek-v4-flash").queryParam("at", "2026-05-01T00:00:00Z")
                .queryParam("outputTokens", 1_000_000).get("/api/admin/prices/quote").then().statusCode(200)
                .body("lines[2].cost", equalTo("0.28")).body("lines[2].priceEntryId", equalTo(seeded));
        asAdmin().queryParam("model", "deepseek-v4-flash").queryParam("at", t.minusNanos(1000).toString())
                .queryParam("outputTokens", 1_000_000).get("/api/admin/prices/quote").then().statusCode(200)
                .body("lines[2].cost", equalTo("0.28"));
        asAdmin().queryParam("model", "deepseek-v4-flash").queryParam("at", t.toString())
                .queryParam("outputTokens", 1_000_000).get("/api/admin/prices/quote").then().statusCode(200)
                .body("lines[2].cost", equalTo("0.3")).body("lines[2].priceEntryId", equalTo(created));

        asAdmin().queryParam("size", 500).get("/api/admin/audit").then().statusCode(200)
                .body("findAll { it.entityType == 'price_entry' && it.entityId == '" + seeded + "' }.action",
                        hasItem("price.supersede"));
        // withdrawn before it applies, the seeded price is open-ended again (as other tests expect to find it)
        asAdmin().delete("/api/admin/prices/" + created).then().statusCode(200)
                .body("extended.id", equalTo(seeded)).body("extended.validUntil", nullValue());
    }

    @Test
    void aTemporaryPriceIsFollowedByTheOldRateAgainNeverByAGap() {
        int seeded = openEndedSeed("deepseek-v4-pro", "input_cache_hit");
        Instant from = midnightInDays(40);
        Instant until = midnightInDays(45);
        var result = asAdmin().body(Map.of("from", from.toString(), "validUntil", until.toString(),
                        "usdPerMillionTokens", "0.00725", "note", "hypothetical half-price week"))
                .post("/api/admin/prices/" + seeded + "/supersede").then().statusCode(201)
                .body("closed.validUntil", equalTo(from.toString()))
                .body("created.usdPerMillionTokens", equalTo("0.00725"))
                .body("created.validUntil", equalTo(until.toString()))
                .body("resumed.usdPerMillionTokens", equalTo("0.0145"))
                .body("resumed.validFrom", equalTo(until.toString()))
                .body("resumed.validUntil", nullValue())
                .body("resumed.state", equalTo("scheduled"))
                .extract();
        int created = result.path("created.id");
        int resumed = result.path("resumed.id");

        for (var at : List.of(Map.entry(from, created), Map.entry(until.minusSeconds(1), created),
                Map.entry(until, resumed), Map.entry(until.plus(Duration.ofDays(365)), resumed))) {
            asAdmin().queryParam("model", "deepseek-v4-pro").queryParam("at", at.getKey().toString())
                    .queryParam("cacheHitTokens", 1_000_000).get("/api/admin/prices/quote").then().statusCode(200)
                    .body("lines[0].priceEntryId", equalTo(at.getValue()))
                    .body("lines[0].cost", equalTo(at.getValue() == created ? "0.00725" : "0.0145"));
        }
        // both new entries have a history of their own in the audit log, not only the entry they superseded
        for (int id : List.of(created, resumed)) {
            asAdmin().queryParam("size", 500).get("/api/admin/audit").then().statusCode(200)
                    .body("findAll { it.entityType == 'price_entry' && it.entityId == '" + id + "' }.action",
                            contains("price.create"))
                    .body("find { it.entityId == '" + id + "' }.after.id", equalTo(id));
        }
        // withdrawn, last first, before they apply: the seeded price is open-ended again
        asAdmin().delete("/api/admin/prices/" + resumed).then().statusCode(200)
                .body("extended.id", equalTo(created));
        asAdmin().delete("/api/admin/prices/" + created).then().statusCode(200)
                .body("extended.id", equalTo(seeded)).body("extended.validUntil", nullValue());
    }

    @Test
    void refusesToChangeThePast() {
        int inForce = openEndedSeed("deepseek-v4-pro", "input_cache_miss");
        // Superseding from a past instant, or too soon for every instance to learn of it.
        for (Instant from : List.of(Instant.parse("2026-06-01T00:00:00Z"), Instant.now().minusSeconds(1),
                Instant.now().plusSeconds(60))) {
            asAdmin().body(Map.of("from", from.toString(), "usdPerMillionTokens", 1, "note", "retroactive"))
                    .post("/api/admin/prices/" + inForce + "/supersede").then().statusCode(409)
                    .contentType("application/problem+json")
                    .body("title", equalTo("Conflict"))
                    .body("errors[0].field", equalTo("from"))
                    .body("errors[0].message", containsString("in the future"));
        }
        // the lead time as people say it, not as Duration.toString() writes it
        asAdmin().body(Map.of("from", Instant.now().toString(), "usdPerMillionTokens", 1, "note", "soon"))
                .post("/api/admin/prices/" + inForce + "/supersede").then().statusCode(409)
                .body("errors[0].message", containsString("must be at least 5 minutes in the future"));
        // An entry that already ended cannot be superseded, closed or deleted.
        int ended = seed("deepseek-v4-pro", "output", "2026-04-24T00:00:00Z");
        asAdmin().body(Map.of("from", midnightInDays(5).toString(), "usdPerMillionTokens", 1, "note", "x"))
                .post("/api/admin/prices/" + ended + "/supersede").then().statusCode(409)
                .body("errors[0].field", equalTo("from"))
                .body("errors[0].message", containsString("ended at 2026-05-31T15:59:00Z"));
        asAdmin().body(Map.of("at", midnightInDays(5).toString()))
                .post("/api/admin/prices/" + ended + "/close").then().statusCode(409);
        asAdmin().delete("/api/admin/prices/" + ended).then().statusCode(409)
                .body("errors[0].field", equalTo("id"))
                .body("errors[0].message", containsString("never deleted"));
        asAdmin().delete("/api/admin/prices/" + inForce).then().statusCode(409);
        // A new entry cannot start in the past either.
        asAdmin().body(entry("deepseek-v4-pro", "output", 0.5, Instant.parse("2026-07-01T00:00:00Z")))
                .post("/api/admin/prices").then().statusCode(409)
                .body("errors[0].field", equalTo("validFrom"));
        // Nothing changed.
        asAdmin().get("/api/admin/prices/" + ended).then().statusCode(200)
                .body("usdPerMillionTokens", equalTo("0.87"))
                .body("validUntil", equalTo("2026-05-31T15:59:00Z"));
    }

    @Test
    void refusesOverlappingEntries() {
        String model = createModel(dataSource, "overlap");
        Instant from = midnightInDays(4);
        int first = create(entry(model, "output", 1, from));
        asAdmin().body(entry(model, "output", 2, from.plus(Duration.ofDays(3))))
                .post("/api/admin/prices").then().statusCode(409)
                .body("errors[0].field", equalTo("validFrom"))
                .body("errors[0].message", containsString("overlaps entry " + first));
        // Another token class is independent.
        create(entry(model, "input_cache_miss", 2, from.plus(Duration.ofDays(3))));
        // A successor that would run past its predecessor's end into the next entry: its end is at fault.
        Instant end = from.plus(Duration.ofDays(10));
        asAdmin().body(Map.of("at", end.toString())).post("/api/admin/prices/" + first + "/close").then().statusCode(200);
        int next = create(entry(model, "output", 3, end));
        asAdmin().body(Map.of("from", from.plus(Duration.ofDays(5)).toString(), "validUntil",
                        end.plus(Duration.ofDays(1)).toString(), "usdPerMillionTokens", "2", "note", "too long"))
                .post("/api/admin/prices/" + first + "/supersede").then().statusCode(409)
                .body("errors[0].field", equalTo("validUntil"))
                .body("errors[0].message", containsString("overlaps entry " + next));
    }

    @Test
    void closesAndDeletesScheduledEntries() {
        String model = createModel(dataSource, "close");
        Instant from = midnightInDays(6);
        int id = create(entry(model, "output", 1, from));
        Instant end = from.plus(Duration.ofDays(2));
        asAdmin().body(Map.of("at", end.toString())).post("/api/admin/prices/" + id + "/close").then()
                .statusCode(200).body("validUntil", equalTo(end.toString()));
        asAdmin().body(Map.of("at", from.toString())).post("/api/admin/prices/" + id + "/close").then()
                .statusCode(409).body("errors[0].field", equalTo("at"));
        // After its end, the next entry may start.
        Instant nextEnd = end.plus(Duration.ofDays(3));
        Map<String, Object> second = entry(model, "output", 2, end);
        second.put("validUntil", nextEnd.toString());
        int next = create(second);
        // Made on its own after a deliberate close: deleting it brings back exactly that, the close included.
        asAdmin().delete("/api/admin/prices/" + next).then().statusCode(200)
                .body("deleted.id", equalTo(next))
                .body("extended", nullValue());
        asAdmin().get("/api/admin/prices/" + id).then().body("validUntil", equalTo(end.toString()));
        asAdmin().get("/api/admin/prices/" + next).then().statusCode(404);
        asAdmin().delete("/api/admin/prices/" + next).then().statusCode(404);
        asAdmin().queryParam("size", 500).get("/api/admin/audit").then().statusCode(200)
                .body("findAll { it.entityType == 'price_entry' && it.entityId == '" + id + "' }.action",
                        containsInAnyOrder("price.create", "price.close"))
                .body("findAll { it.entityType == 'price_entry' && it.entityId == '" + next + "' }.action",
                        containsInAnyOrder("price.create", "price.delete"));
        // An entry that follows nothing is simply deleted.
        int lone = create(entry(model, "input_cache_hit", 1, from));
        asAdmin().delete("/api/admin/prices/" + lone).then().statusCode(200)
                .body("deleted.id", equalTo(lone))
                .body("extended", nullValue());
    }

    @Test
    void deletingAMistakenSuccessorLeavesNoCallUnpriced() {
        int seeded = openEndedSeed("deepseek-v4-flash", "input_cache_miss");
        Instant from = midnightInDays(50);
        int mistaken = asAdmin().body(Map.of("from", from.toString(), "usdPerMillionTokens", "14",
                        "note", "meant 0.14"))
                .post("/api/admin/prices/" + seeded + "/supersede").then().statusCode(201)
                .extract().path("created.id");
        asAdmin().delete("/api/admin/prices/" + mistaken).then().statusCode(200)
                .body("extended.id", equalTo(seeded))
                .body("extended.validUntil", nullValue());
        for (Instant at : List.of(from, from.plus(Duration.ofDays(400)))) {
            asAdmin().queryParam("model", "deepseek-v4-flash").queryParam("at", at.toString())
                    .queryParam("cacheMissTokens", 1_000_000).get("/api/admin/prices/quote").then().statusCode(200)
                    .body("lines.find { it.tokenClass == 'input_cache_miss' }.priceEntryId", equalTo(seeded));
        }
    }

    @Test
    void deletingASuccessorAfterAnEarlierSupersedeOfTheSameEntryStillLeavesNoGap() {
        String model = createModel(dataSource, "twice");
        Instant from = midnightInDays(8);
        int base = create(entry(model, "output", 1, from));
        Instant later = from.plus(Duration.ofDays(10));
        int second = asAdmin().body(Map.of("from", later.toString(), "usdPerMillionTokens", "3", "note", "later"))
                .post("/api/admin/prices/" + base + "/supersede").then().statusCode(201).extract().path("created.id");
        // the same entry superseded again, from an earlier instant: base now ends before `second` starts
        Instant earlier = from.plus(Duration.ofDays(5));
        int between = asAdmin().body(Map.of("from", earlier.toString(), "usdPerMillionTokens", "2", "note", "earlier"))
                .post("/api/admin/prices/" + base + "/supersede").then().statusCode(201)
                .body("created.validUntil", equalTo(later.toString())).extract().path("created.id");
        // deleting the later successor gives its span to the entry that now ends where it began
        asAdmin().delete("/api/admin/prices/" + second).then().statusCode(200)
                .body("extended.id", equalTo(between))
                .body("extended.validUntil", nullValue());
        asAdmin().get("/api/admin/prices/" + between).then().body("validUntil", nullValue());
        asAdmin().get("/api/admin/prices/" + base).then().body("validUntil", equalTo(earlier.toString()));
    }

    @Test
    void deletingTheResumedRateLetsTheTemporaryOneRunOnRatherThanLeaveAGap() {
        String model = createModel(dataSource, "resume");
        Instant from = midnightInDays(8);
        int base = create(entry(model, "output", 1, from));
        Instant promoFrom = from.plus(Duration.ofDays(2));
        Instant promoUntil = from.plus(Duration.ofDays(4));
        var result = asAdmin().body(Map.of("from", promoFrom.toString(), "validUntil", promoUntil.toString(),
                        "usdPerMillionTokens", "0.5", "note", "promotion"))
                .post("/api/admin/prices/" + base + "/supersede").then().statusCode(201).extract();
        int promo = result.path("created.id");
        int resumed = result.path("resumed.id");
        asAdmin().delete("/api/admin/prices/" + resumed).then().statusCode(200)
                .body("extended.id", equalTo(promo))
                .body("extended.validUntil", nullValue());
        asAdmin().get("/api/admin/prices/" + promo).then().body("validUntil", nullValue());
        asAdmin().get("/api/admin/prices/" + resumed).then().statusCode(404);
        asAdmin().get("/api/admin/prices/" + base).then().body("validUntil", equalTo(promoFrom.toString()));
    }

    @Test
    void deletingTwoScheduledChangesInTurnLeavesNoGap() {
        Chain chain = chainOfTwoChanges("chain");
        // both changes called off, the first one first: the base rate must run on past where the second began
        asAdmin().delete("/api/admin/prices/" + chain.first()).then().statusCode(200)
                .body("extended.id", equalTo(chain.base()))
                .body("extended.validUntil", equalTo(chain.secondFrom().toString()));
        asAdmin().delete("/api/admin/prices/" + chain.second()).then().statusCode(200)
                .body("extended.id", equalTo(chain.base()))
                .body("extended.validUntil", nullValue());
        asAdmin().get("/api/admin/prices/" + chain.base()).then().body("validUntil", nullValue());
    }

    /** A base entry superseded from two days after its start, and that change superseded two days later. */
    private record Chain(int base, int first, int second, Instant secondFrom) {
    }

    private Chain chainOfTwoChanges(String name) {
        String model = createModel(dataSource, name);
        Instant from = midnightInDays(8);
        int base = create(entry(model, "output", 1, from));
        Instant second = from.plus(Duration.ofDays(4));
        int a = asAdmin().body(Map.of("from", from.plus(Duration.ofDays(2)).toString(), "usdPerMillionTokens", "2",
                "note", "first change")).post("/api/admin/prices/" + base + "/supersede").then().statusCode(201)
                .extract().path("created.id");
        int b = asAdmin().body(Map.of("from", second.toString(), "usdPerMillionTokens", "3", "note", "second change"))
                .post("/api/admin/prices/" + a + "/supersede").then().statusCode(201).extract().path("created.id");
        return new Chain(base, a, b, second);
    }

    /** Two admins calling off neighbouring changes at the same moment: both succeed, and no span is left unpriced. */
    @Test
    void neighbouringChangesDeletedAtOnceBothGoAndLeaveNoGap() throws Exception {
        ExecutorService admins = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 4; round++) {
                Chain chain = chainOfTwoChanges("race");
                CountDownLatch go = new CountDownLatch(1);
                List<Future<Integer>> deletes = new ArrayList<>();
                for (int id : new int[] {chain.first(), chain.second()}) {
                    deletes.add(admins.submit(() -> {
                        go.await();
                        return asAdmin().delete("/api/admin/prices/" + id).statusCode();
                    }));
                }
                go.countDown();
                for (Future<Integer> d : deletes) {
                    assertEquals(200, d.get(60, TimeUnit.SECONDS));
                }
                asAdmin().get("/api/admin/prices/" + chain.base()).then().body("validUntil", nullValue());
            }
        } finally {
            admins.shutdown();
        }
    }

    @Test
    void financeMayReadAndEditTenantAdminsMayNot() {
        String finance = uniqueSlug("finance");
        createUser(finance, PASSWORD, "finance", null);
        String model = createModel(dataSource, "finance");
        as(finance, PASSWORD).get("/api/admin/prices").then().statusCode(200);
        as(finance, PASSWORD).queryParam("model", "deepseek-v4-pro").queryParam("at", "2026-05-01T00:00:00Z")
                .get("/api/admin/prices/quote").then().statusCode(200);
        int id = as(finance, PASSWORD).body(entry(model, "output", "0.5", midnightInDays(3)))
                .post("/api/admin/prices").then().statusCode(201).body("createdBy", equalTo(finance))
                .extract().path("id");
        asAdmin().queryParam("size", 500).get("/api/admin/audit").then().statusCode(200)
                .body("find { it.entityType == 'price_entry' && it.entityId == '" + id + "' }.actor", equalTo(finance));

        String tenantAdmin = uniqueSlug("tadmin");
        createUser(tenantAdmin, PASSWORD, "tenant-admin", createTenant(uniqueSlug("prices")));
        as(tenantAdmin, PASSWORD).get("/api/admin/prices").then().statusCode(403)
                .contentType("application/problem+json");
        as(tenantAdmin, PASSWORD).queryParam("model", "deepseek-v4-pro").queryParam("at", "2026-05-01T00:00:00Z")
                .get("/api/admin/prices/quote").then().statusCode(403);
        as(tenantAdmin, PASSWORD).body(entry(model, "input_cache_hit", "0.5", midnightInDays(3)))
                .post("/api/admin/prices").then().statusCode(403);
        as(tenantAdmin, PASSWORD).delete("/api/admin/prices/" + id).then().statusCode(403);
        given().get("/api/admin/prices").then().statusCode(401);
    }

    @Test
    void badInputIsA400WithFieldErrors() {
        asAdmin().body(Map.of()).post("/api/admin/prices").then().statusCode(400)
                .contentType("application/problem+json")
                .body("errors.field", containsInAnyOrder("model", "tokenClass", "usdPerMillionTokens", "validFrom",
                        "note"));
        asAdmin().body(entry("deepseek-v9", "output", "-1", midnightInDays(3))).post("/api/admin/prices").then()
                .statusCode(400).body("errors.field", contains("usdPerMillionTokens"));
        asAdmin().body(entry("deepseek-v9", "output", "1", midnightInDays(3))).post("/api/admin/prices").then()
                .statusCode(400).body("errors.field", contains("model"))
                .body("errors[0].message", containsString("deepseek-v4-flash"));
        asAdmin().body(entry("deepseek-v4-pro", "output", "0.0000000000001", midnightInDays(3)))
                .post("/api/admin/prices").then().statusCode(400).body("errors.field", contains("usdPerMillionTokens"));
        asAdmin().body(entry("deepseek-v4-pro", "reasoning", "1", midnightInDays(3))).post("/api/admin/prices")
                .then().statusCode(400).contentType("application/problem+json")
                .body("errors.field", contains("tokenClass"))
                .body("errors[0].message", equalTo("must be one of input_cache_hit, input_cache_miss, output"));
        Map<String, Object> badDate = entry("deepseek-v4-pro", "output", "1", midnightInDays(3));
        badDate.put("validFrom", "next tuesday");
        asAdmin().body(badDate).post("/api/admin/prices").then().statusCode(400)
                .body("errors.field", contains("validFrom"))
                .body("errors[0].message", containsString("ISO-8601"));
        Map<String, Object> typo = entry("deepseek-v4-pro", "output", "1", midnightInDays(3));
        typo.put("windowstart", "22:00"); // dropped, it would have made an all-day price of an off-peak one
        asAdmin().body(typo).post("/api/admin/prices").then().statusCode(400)
                .body("errors.field", contains("windowstart"))
                .body("errors[0].message", containsString("windowStart"));
        Map<String, Object> backwards = entry("deepseek-v4-pro", "output", "1", midnightInDays(3));
        backwards.put("validUntil", midnightInDays(2).toString());
        asAdmin().body(backwards).post("/api/admin/prices").then().statusCode(400)
                .body("errors.field", contains("validUntil"));
        asAdmin().contentType("application/json").body("{").post("/api/admin/prices").then().statusCode(400);
        // what PostgreSQL cannot store is a field error before it is asked: a year past its range, a NUL character
        Map<String, Object> unstorable = entry("deepseek-v4-pro", "output", "1", midnightInDays(3));
        unstorable.put("validUntil", "+300000-01-01T00:00:00Z");
        unstorable.put("note", "from the \u0000 price list");
        asAdmin().body(unstorable).post("/api/admin/prices").then().statusCode(400)
                .contentType("application/problem+json")
                .body("errors.field", containsInAnyOrder("validUntil", "note"));
        asAdmin().body(Map.of("at", "+300000-01-01T00:00:00Z")).post("/api/admin/prices/1/close").then()
                .statusCode(400).body("errors.field", contains("at"));
        asAdmin().body(Map.of("from", "+300000-01-01T00:00:00Z", "usdPerMillionTokens", 1, "note", "x"))
                .post("/api/admin/prices/1/supersede").then().statusCode(400).body("errors.field", contains("from"));
        asAdmin().post("/api/admin/prices/1/supersede").then().statusCode(400).body("errors.field", contains("body"));
        asAdmin().body(Map.of("from", midnightInDays(3).toString(), "usdPerMillionTokens", 1, "note", "x"))
                .post("/api/admin/prices/999999999/supersede").then().statusCode(404)
                .contentType("application/problem+json");
        asAdmin().get("/api/admin/prices/999999999").then().statusCode(404);
    }

    /**
     * A rate with a huge exponent overflowed Bean Validation's digit count and passed as a small number, to fail
     * as a 500 once the entry was stored: it is a field error, on a new entry and on a supersede alike.
     */
    @Test
    void aRateWithAHugeExponentIsAFieldError() {
        for (Object rate : List.of("1E+2147483647", "1E+9", "1E-13")) {
            asAdmin().body(entry("deepseek-v4-pro", "output", rate, midnightInDays(3))).post("/api/admin/prices")
                    .then().statusCode(400).body("errors.field", contains("usdPerMillionTokens"))
                    .body("errors[0].message", containsString("out of bounds"));
        }
        asAdmin().contentType("application/json").body("{\"from\": \"" + midnightInDays(3)
                + "\", \"usdPerMillionTokens\": 1E+2147483647, \"note\": \"x\"}")
                .post("/api/admin/prices/1/supersede").then()
                .statusCode(400).body("errors.field", contains("usdPerMillionTokens"));
        // the largest rate the column holds passes (only the unknown model is refused)
        asAdmin().body(entry("deepseek-v9", "output", "99999999.999999999999", midnightInDays(3)))
                .post("/api/admin/prices").then().statusCode(400).body("errors.field", contains("model"));
    }

    /**
     * PostgreSQL keeps instants to the microsecond. One sent in nanoseconds was stored rounded while the answer
     * and the audit log showed it as sent, and two a few hundred nanoseconds apart were a 409 naming no field.
     */
    @Test
    void instantsAreKeptToTheMicrosecondAsStored() {
        Instant day = midnightInDays(40);
        Map<String, Object> body = entry("deepseek-v4-pro", "output", "1", day.plusNanos(700));
        body.put("windowStart", "09:00");
        body.put("windowEnd", "09:30");
        int id = asAdmin().body(body).post("/api/admin/prices").then().statusCode(201)
                .body("validFrom", equalTo(day.toString())).extract().path("id");
        asAdmin().get("/api/admin/prices/" + id).then().body("validFrom", equalTo(day.toString()));
        Map<String, Object> blink = entry("deepseek-v4-pro", "output", "1", day.plusNanos(100));
        blink.put("validUntil", day.plusNanos(400).toString());
        blink.put("windowStart", "10:00");
        blink.put("windowEnd", "10:30");
        asAdmin().body(blink).post("/api/admin/prices").then().statusCode(400)
                .body("errors.field", contains("validUntil"));
    }

    @Test
    void badQuoteParametersAreA400WithFieldErrors() {
        asAdmin().get("/api/admin/prices/quote").then().statusCode(400)
                .contentType("application/problem+json")
                .body("errors.field", containsInAnyOrder("at", "model"));
        asAdmin().queryParam("model", "deepseek-v4-pro").queryParam("at", "2026-05-01")
                .queryParam("cacheHitTokens", -1).queryParam("cacheMissTokens", "many")
                .queryParam("outputTokens", "1.5")
                .get("/api/admin/prices/quote").then().statusCode(400)
                .body("errors.field", containsInAnyOrder("at", "cacheHitTokens", "cacheMissTokens", "outputTokens"))
                .body("errors.find { it.field == 'cacheHitTokens' }.message", equalTo("must not be negative"))
                .body("errors.find { it.field == 'outputTokens' }.message", equalTo("must be a whole number of tokens"));
        asAdmin().queryParam("model", "deepseek-v4-pro").queryParam("at", "2026-05-01T00:00:00Z")
                .queryParam("outputTokens", "99999999999999999999")
                .get("/api/admin/prices/quote").then().statusCode(400)
                .body("errors[0].message", equalTo("must be at most 9223372036854775807"));
        // digits of other scripts, which Java's number parsing takes (a full-width 1, Arabic-Indic 12), are not
        // the digits a count is written in
        asAdmin().queryParam("model", "deepseek-v4-pro").queryParam("at", "2026-05-01T00:00:00Z")
                .queryParam("cacheMissTokens", "\uff11").queryParam("outputTokens", "\u0661\u0662")
                .get("/api/admin/prices/quote").then().statusCode(400)
                .body("errors.field", containsInAnyOrder("cacheMissTokens", "outputTokens"));
        asAdmin().queryParam("page", "\uff11").get("/api/admin/tenants").then().statusCode(400)
                .body("errors.field", contains("page"));
        asAdmin().queryParam("model", "deepseek-v9").queryParam("at", "2026-05-01T00:00:00Z")
                .get("/api/admin/prices/quote").then().statusCode(400)
                .body("errors.field", contains("model"))
                .body("errors[0].message", containsString("unknown model"));
    }

    /** An offset east of UTC typed into the URL as is: the query string reads its + as a space. */
    @Test
    void aQuoteAtAnOffsetTypedUnencodedIsReadAsThatOffset() {
        // 17:58:59 at +02:00 is the last second of Pro's promotion (until 15:59 UTC), 17:59:00 the first after it
        for (String at : List.of("2026-05-31T17:58:59+02:00", "2026-05-31T17:58:59%2B02:00")) {
            asAdmin().urlEncodingEnabled(false)
                    .get("/api/admin/prices/quote?model=deepseek-v4-pro&outputTokens=1000000&at=" + at)
                    .then().statusCode(200).body("at", equalTo("2026-05-31T15:58:59Z")).body("total", equalTo("0.87"));
        }
        asAdmin().urlEncodingEnabled(false)
                .get("/api/admin/prices/quote?model=deepseek-v4-pro&outputTokens=1000000&at=2026-05-31T17:59:00+02:00")
                .then().statusCode(200).body("total", equalTo("3.48"));
    }

    @Test
    void theEndpointsAreDocumentedInOpenApi() {
        given().queryParam("format", "json").get("/q/openapi").then().statusCode(200)
                .body("paths.'/api/admin/prices/quote'.get.tags", contains("Price book"))
                .body("paths.'/api/admin/prices/quote'.get.parameters.name",
                        containsInAnyOrder("model", "at", "cacheHitTokens", "cacheMissTokens", "outputTokens"))
                .body("paths.'/api/admin/prices/{id}/supersede'.post.summary", containsString("Supersede"));
    }
}
