package dev.tollgate.catalog;

import static dev.tollgate.catalog.AliasFixtures.alias;
import static dev.tollgate.catalog.AliasFixtures.create;
import static dev.tollgate.catalog.AliasFixtures.tenantId;
import static dev.tollgate.catalog.AliasFixtures.uniqueAlias;
import static dev.tollgate.testing.TestData.as;
import static dev.tollgate.testing.TestData.asAdmin;
import static dev.tollgate.testing.TestData.createTenant;
import static dev.tollgate.testing.TestData.createUser;
import static dev.tollgate.testing.TestData.uniqueSlug;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.catalog.ModelResolution.Outcome;
import dev.tollgate.testing.PostgresResource;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(PostgresResource.class)
class AliasAdminApiTest {

    static final String PASSWORD = "alias-test-password";
    static final Instant SUNSET = Instant.parse("2026-07-24T15:59:00Z");

    @Inject
    AliasResolver resolver;
    @Inject
    AgroalDataSource dataSource;

    @AfterEach
    void removeTestAliases() {
        AliasFixtures.deleteTestAliases();
    }

    @Test
    void theLegacyDeepSeekNamesAreSeeded() {
        asAdmin().get("/api/admin/aliases").then().statusCode(200)
                .body("alias", hasItems("deepseek-chat", "deepseek-reasoner"));
        asAdmin().get("/api/admin/aliases/deepseek-chat").then().statusCode(200)
                .body("targetModel", equalTo("deepseek-v4-flash"))
                .body("impliedParams.thinking.type", equalTo("disabled"))
                .body("deprecatedAt", equalTo("2026-04-24T00:00:00Z"))
                .body("sunsetAt", equalTo("2026-07-24T15:59:00Z"))
                .body("mode", equalTo("rewrite-and-warn"))
                .body("replacementModel", equalTo("deepseek-v4-flash"))
                .body("migrationGuide", nullValue())
                .body("migrationGuideUrl", equalTo("/docs/migration-deepseek-chat.md"))
                .body("status", equalTo("past_sunset"))
                .body("keySet()", containsInAnyOrder("alias", "targetModel", "impliedParams", "deprecatedAt",
                        "sunsetAt", "mode", "replacementModel", "migrationGuide", "migrationGuideUrl", "note", "status",
                        "createdAt", "updatedAt", "version"));
        asAdmin().get("/api/admin/aliases/deepseek-reasoner").then().statusCode(200)
                .body("impliedParams.thinking.type", equalTo("enabled"));
        ModelResolution chat = resolver.resolve(1, "deepseek-chat", Instant.now());
        assertEquals(Outcome.SERVED, chat.outcome());
        assertEquals("deepseek-v4-flash", chat.model());
        assertEquals("{\"type\":\"disabled\"}", chat.impliedParams().get("thinking").toString());
        assertEquals("Fri, 24 Jul 2026 15:59:00 GMT", chat.headers().get("Sunset"));
        assertEquals(true, chat.warn());
    }

    @Test
    void createUpdateAndDeleteApplyToTheGatewayAtOnceAndAreAudited() {
        String name = uniqueAlias("crud");
        Instant sunset = Instant.now().plus(Duration.ofDays(30)).truncatedTo(ChronoUnit.SECONDS);
        // Stored in whole seconds, as the headers say it.
        Map<String, Object> body = alias(name, "reject-after-sunset", sunset.plusMillis(750));
        asAdmin().body(body).post("/api/admin/aliases").then().statusCode(201)
                .header("Location", endsWith("/api/admin/aliases/" + name))
                .body("alias", equalTo(name))
                .body("targetModel", equalTo("deepseek-v4-flash"))
                .body("replacementModel", equalTo("deepseek-v4-flash"))
                .body("sunsetAt", equalTo(sunset.toString()))
                .body("mode", equalTo("reject-after-sunset"))
                .body("status", equalTo("deprecated"));
        Instant afterSunset = sunset.plusSeconds(1);
        assertEquals(Outcome.SERVED, resolver.resolve(1, name, sunset.minusSeconds(1)).outcome());
        assertEquals(Outcome.RETIRED, resolver.resolve(1, name, sunset).outcome());
        assertEquals(Outcome.RETIRED, resolver.resolve(1, name, afterSunset).outcome());

        body.put("mode", "rewrite");
        body.put("targetModel", "deepseek-v4-pro");
        body.put("impliedParams", Map.of("reasoning_effort", "max"));
        body.put("migrationGuide", "https://docs.example.com/aliases");
        body.remove("deprecatedAt");
        String deprecatedAt = asAdmin().get("/api/admin/aliases/" + name).then().extract().path("deprecatedAt");
        asAdmin().body(body).put("/api/admin/aliases/" + name).then().statusCode(200)
                .body("mode", equalTo("rewrite"))
                .body("targetModel", equalTo("deepseek-v4-pro"))
                .body("replacementModel", equalTo("deepseek-v4-pro"))
                .body("deprecatedAt", equalTo(deprecatedAt))
                .body("migrationGuideUrl", equalTo("https://docs.example.com/aliases"));
        ModelResolution r = resolver.resolve(1, name, afterSunset);
        assertEquals(Outcome.SERVED, r.outcome());
        assertEquals("deepseek-v4-pro", r.model());
        assertEquals("\"max\"", r.impliedParams().get("reasoning_effort").toString());
        assertEquals("<https://docs.example.com/aliases>; rel=\"deprecation\", <https://docs.example.com/aliases>; "
                + "rel=\"sunset\"", r.headers().get("Link"));

        asAdmin().delete("/api/admin/aliases/" + name).then().statusCode(204);
        asAdmin().get("/api/admin/aliases/" + name).then().statusCode(404).contentType("application/problem+json");
        asAdmin().delete("/api/admin/aliases/" + name).then().statusCode(404);
        asAdmin().body(body).put("/api/admin/aliases/" + name).then().statusCode(404);
        assertEquals(Outcome.UNKNOWN, resolver.resolve(1, name, afterSunset).outcome());

        asAdmin().queryParam("size", 500).get("/api/admin/audit").then().statusCode(200)
                .body("findAll { it.entityType == 'model_alias' && it.entityId == '" + name + "' }.action",
                        contains("alias.delete", "alias.update", "alias.create"))
                .body("find { it.action == 'alias.update' && it.entityId == '" + name + "' }.before.mode",
                        equalTo("reject-after-sunset"))
                .body("find { it.action == 'alias.update' && it.entityId == '" + name + "' }.after.mode",
                        equalTo("rewrite"))
                .body("find { it.action == 'alias.create' && it.entityId == '" + name + "' }.actor", equalTo("admin"));
    }

    @Test
    void anAliasAsReadCanBeEditedAndPutBackButATypoIsRefused() {
        String name = uniqueAlias("trip");
        Instant sunset = Instant.now().plus(Duration.ofDays(30)).truncatedTo(ChronoUnit.SECONDS);
        asAdmin().body(alias(name, "rewrite", sunset)).post("/api/admin/aliases").then().statusCode(201);
        // The fields only a GET shows (status, migrationGuideUrl, timestamps) are ignored on the way back.
        Map<String, Object> read = asAdmin().get("/api/admin/aliases/" + name).then().extract().as(Map.class);
        read.put("note", "round trip");
        asAdmin().body(read).put("/api/admin/aliases/" + name).then().statusCode(200)
                .body("note", equalTo("round trip")).body("mode", equalTo("rewrite"));
        read.remove("version");
        read.put("sunsetAT", sunset.plusSeconds(60).toString());
        asAdmin().body(read).put("/api/admin/aliases/" + name).then().statusCode(400)
                .body("errors.find { it.field == 'sunsetAT' }.message", containsString("sunsetAt"));
        asAdmin().get("/api/admin/aliases/" + name).then().body("sunsetAt", equalTo(sunset.toString()));
    }

    @Test
    void aTenantsOverrideWinsForItsCallsAndIsAudited() {
        String slug = createTenant(uniqueSlug("override"));
        long tenant = tenantId(dataSource, slug);
        String name = create(alias(uniqueAlias("override"), "rewrite", SUNSET));
        String path = "/api/admin/tenants/" + slug + "/alias-overrides/" + name;
        asAdmin().get(path).then().statusCode(200)
                .body("aliasMode", equalTo("rewrite")).body("override", nullValue()).body("mode", equalTo("rewrite"))
                .body("status", equalTo("past_sunset"));

        asAdmin().body(Map.of("mode", "reject-after-sunset")).put(path).then().statusCode(200)
                .body("tenant", equalTo(slug))
                .body("override", equalTo("reject-after-sunset"))
                .body("mode", equalTo("reject-after-sunset"))
                .body("status", equalTo("retired"))
                .body("overrideSetBy", equalTo("admin"));
        ModelResolution rejected = resolver.resolve(tenant, name, Instant.now());
        assertEquals(Outcome.RETIRED, rejected.outcome());
        assertEquals(410, rejected.error().status());
        assertEquals(Outcome.SERVED, resolver.resolve(tenant + 1_000_000, name, Instant.now()).outcome());
        asAdmin().get("/api/admin/tenants/" + slug + "/alias-overrides").then().statusCode(200)
                .body("find { it.alias == '" + name + "' }.mode", equalTo("reject-after-sunset"))
                .body("find { it.alias == 'deepseek-chat' }.override", nullValue());

        asAdmin().delete(path).then().statusCode(200).body("override", nullValue()).body("mode", equalTo("rewrite"));
        assertEquals(Outcome.SERVED, resolver.resolve(tenant, name, Instant.now()).outcome());

        asAdmin().body(Map.of("mode", "rewrite-and-warn")).put(path).then().statusCode(200);
        asAdmin().delete("/api/admin/aliases/" + name).then().statusCode(204);
        asAdmin().get(path).then().statusCode(404);
        asAdmin().queryParam("size", 500).get("/api/admin/audit").then().statusCode(200)
                .body("findAll { it.entityType == 'alias_override' && it.entityId == '" + name + "' }.action",
                        contains("alias_override.clear", "alias_override.set", "alias_override.clear",
                                "alias_override.set"));
    }

    @Test
    void platformAdminsEditFinanceReadsTenantAdminsSetOnlyTheirOwnOverride() {
        String name = create(alias(uniqueAlias("roles"), "rewrite", SUNSET));
        String finance = uniqueSlug("alias-fin");
        createUser(finance, PASSWORD, "finance", null);
        String own = createTenant(uniqueSlug("alias-own"));
        String other = createTenant(uniqueSlug("alias-other"));
        String tenantAdmin = uniqueSlug("alias-ta");
        createUser(tenantAdmin, PASSWORD, "tenant-admin", own);

        for (String user : new String[] {finance, tenantAdmin}) {
            as(user, PASSWORD).get("/api/admin/aliases").then().statusCode(200).body("alias", hasItem(name));
            as(user, PASSWORD).get("/api/admin/aliases/" + name).then().statusCode(200);
            as(user, PASSWORD).body(alias(uniqueAlias("nope"), "rewrite", SUNSET)).post("/api/admin/aliases").then()
                    .statusCode(403).contentType("application/problem+json");
            as(user, PASSWORD).body(alias(name, "reject-after-sunset", SUNSET)).put("/api/admin/aliases/" + name)
                    .then().statusCode(403);
            as(user, PASSWORD).delete("/api/admin/aliases/" + name).then().statusCode(403);
        }
        as(finance, PASSWORD).get("/api/admin/tenants/" + own + "/alias-overrides").then().statusCode(200);
        as(finance, PASSWORD).body(Map.of("mode", "rewrite")).put("/api/admin/tenants/" + own + "/alias-overrides/"
                + name).then().statusCode(403);

        as(tenantAdmin, PASSWORD).body(Map.of("mode", "reject-after-sunset"))
                .put("/api/admin/tenants/" + own + "/alias-overrides/" + name).then().statusCode(200)
                .body("mode", equalTo("reject-after-sunset")).body("overrideSetBy", equalTo(tenantAdmin));
        as(tenantAdmin, PASSWORD).delete("/api/admin/tenants/" + own + "/alias-overrides/" + name).then()
                .statusCode(200);
        // Another tenant's slug looks like no tenant at all.
        as(tenantAdmin, PASSWORD).get("/api/admin/tenants/" + other + "/alias-overrides").then().statusCode(404);
        as(tenantAdmin, PASSWORD).body(Map.of("mode", "rewrite"))
                .put("/api/admin/tenants/" + other + "/alias-overrides/" + name).then().statusCode(404);
        as(tenantAdmin, PASSWORD).delete("/api/admin/tenants/" + other + "/alias-overrides/" + name).then()
                .statusCode(404);
        asAdmin().get("/api/admin/tenants/" + other + "/alias-overrides/" + name).then().statusCode(200)
                .body("override", nullValue());

        given().get("/api/admin/aliases").then().statusCode(401);
        asAdmin().get("/api/admin/aliases/" + name).then().statusCode(200).body("mode", equalTo("rewrite"));
    }

    @Test
    void badInputIsA400WithFieldErrors() {
        asAdmin().body(Map.of()).post("/api/admin/aliases").then().statusCode(400)
                .contentType("application/problem+json")
                .body("errors.field", containsInAnyOrder("alias", "targetModel", "sunsetAt", "mode"));
        asAdmin().post("/api/admin/aliases").then().statusCode(400).body("errors.field", contains("body"));

        Map<String, Object> unknownTarget = alias(uniqueAlias("bad"), "rewrite", SUNSET);
        unknownTarget.put("targetModel", "gpt-4o");
        unknownTarget.put("replacementModel", "deepseek-v9");
        asAdmin().body(unknownTarget).post("/api/admin/aliases").then().statusCode(400)
                .body("errors.field", containsInAnyOrder("targetModel", "replacementModel"))
                .body("errors.find { it.field == 'targetModel' }.message",
                        equalTo("unknown model 'gpt-4o'; known: deepseek-v4-flash, deepseek-v4-pro"));
        // An alias cannot point at another alias.
        Map<String, Object> chained = alias(uniqueAlias("bad"), "rewrite", SUNSET);
        chained.put("targetModel", "deepseek-chat");
        asAdmin().body(chained).post("/api/admin/aliases").then().statusCode(400)
                .body("errors.field", contains("targetModel"));

        asAdmin().body(alias(uniqueAlias("bad"), "reject", SUNSET)).post("/api/admin/aliases").then()
                .statusCode(400).body("errors.field", contains("mode"))
                .body("errors[0].message", equalTo("must be one of rewrite, rewrite-and-warn, reject-after-sunset"));

        asAdmin().body(alias("deepseek-v4-pro", "rewrite", SUNSET)).post("/api/admin/aliases").then()
                .statusCode(400).body("errors.field", contains("alias"))
                .body("errors[0].message", containsString("catalog model"));
        asAdmin().body(alias("deepseek-chat", "rewrite", SUNSET)).post("/api/admin/aliases").then()
                .statusCode(400).body("errors[0].message", equalTo("is already taken"));
        // one capital away from a model or an alias would send its callers somewhere else
        asAdmin().body(alias("DeepSeek-V4-Pro", "rewrite", SUNSET)).post("/api/admin/aliases").then()
                .statusCode(400).body("errors.field", contains("alias"))
                .body("errors[0].message", containsString("catalog model deepseek-v4-pro in other capitals"));
        asAdmin().body(alias("DEEPSEEK-CHAT", "rewrite", SUNSET)).post("/api/admin/aliases").then()
                .statusCode(400).body("errors[0].message", equalTo("is already taken as deepseek-chat"));
        for (String name : new String[] {"has space", "-leading", "a/b", "x".repeat(65), "ünï"}) {
            asAdmin().body(alias(name, "rewrite", SUNSET)).post("/api/admin/aliases").then().statusCode(400)
                    .body("errors.field", contains("alias"));
        }

        for (Object params : new Object[] {"thinking", java.util.List.of(1), Map.of("model", "deepseek-v4-pro"),
                Map.of("messages", java.util.List.of()), Map.of("thinking", true),
                Map.of("thinking", Map.of("type", "sometimes")), Map.of("user_id", "x".repeat(1100))}) {
            Map<String, Object> body = alias(uniqueAlias("bad"), "rewrite", SUNSET);
            body.put("impliedParams", params);
            asAdmin().body(body).post("/api/admin/aliases").then().statusCode(400)
                    .body("errors.field", contains("impliedParams"));
        }

        Map<String, Object> backwards = alias(uniqueAlias("bad"), "rewrite", SUNSET);
        backwards.put("deprecatedAt", SUNSET.plusSeconds(1).toString());
        asAdmin().body(backwards).post("/api/admin/aliases").then().statusCode(400)
                .body("errors.field", contains("deprecatedAt"))
                .body("errors[0].message", equalTo("must not be after the sunset, " + SUNSET));
        Map<String, Object> badGuide = alias(uniqueAlias("bad"), "rewrite", SUNSET);
        badGuide.put("migrationGuide", "javascript:alert(1)");
        asAdmin().body(badGuide).post("/api/admin/aliases").then().statusCode(400)
                .body("errors.field", contains("migrationGuide"));
        Map<String, Object> badDate = alias(uniqueAlias("bad"), "rewrite", SUNSET);
        badDate.put("sunsetAt", "next tuesday");
        asAdmin().body(badDate).post("/api/admin/aliases").then().statusCode(400)
                .body("errors.field", contains("sunsetAt"));
        asAdmin().body("{").post("/api/admin/aliases").then().statusCode(400);
        // past a double's range a number was read as infinite and stored as the string "Infinity"
        asAdmin().body("{\"alias\": \"" + uniqueAlias("bad") + "\", \"targetModel\": \"deepseek-v4-flash\", "
                + "\"deprecatedAt\": \"2026-04-24T00:00:00Z\", \"sunsetAt\": \"" + SUNSET + "\", \"mode\": \"rewrite\", \"impliedParams\": {\"temperature\": 1e400}}")
                .post("/api/admin/aliases").then().statusCode(400).body("errors.field", contains("impliedParams"))
                .body("errors[0].message", containsString("1.7976931348623157E308"));

        String slug = createTenant(uniqueSlug("alias-bad"));
        asAdmin().body(Map.of("mode", "never")).put("/api/admin/tenants/" + slug + "/alias-overrides/deepseek-chat")
                .then().statusCode(400).body("errors.field", contains("mode"));
        asAdmin().body(Map.of()).put("/api/admin/tenants/" + slug + "/alias-overrides/deepseek-chat")
                .then().statusCode(400).body("errors.field", contains("mode"));
        asAdmin().body(Map.of("mode", "rewrite")).put("/api/admin/tenants/" + slug + "/alias-overrides/gpt-4o")
                .then().statusCode(404);
        asAdmin().get("/api/admin/aliases").then().statusCode(200)
                .body("findAll { it.alias.startsWith('test-bad') }", org.hamcrest.Matchers.empty());
    }

    /**
     * PostgreSQL's timestamps run from 24 November 4714 BC to the end of 294276 AD: the first and last instants are
     * stored, one outside is a field error (not the database's refusal, which names no field), and a NUL character
     * in a JSON text is refused as in any other text.
     */
    @Test
    void instantsAtTheEndsOfTheDatabasesRangeAreStoredAndOnePastThemIsAFieldError() {
        Map<String, Object> oldest = alias(uniqueAlias("range"), "rewrite", SUNSET);
        oldest.put("deprecatedAt", "-4713-11-24T00:00:00Z");
        oldest.put("sunsetAt", "+294276-12-31T23:59:59Z");
        asAdmin().body(oldest).post("/api/admin/aliases").then().statusCode(201)
                .body("deprecatedAt", equalTo("-4713-11-24T00:00:00Z"))
                .body("sunsetAt", equalTo("+294276-12-31T23:59:59Z"));
        Map<String, Object> before = alias(uniqueAlias("range"), "rewrite", SUNSET);
        before.put("deprecatedAt", "-4713-11-23T23:59:59Z");
        asAdmin().body(before).post("/api/admin/aliases").then().statusCode(400)
                .contentType("application/problem+json").body("errors.field", contains("deprecatedAt"))
                .body("errors[0].message", equalTo("must be a date between 4713 BC and 294276 AD"));
        Map<String, Object> after = alias(uniqueAlias("range"), "rewrite", SUNSET);
        after.put("sunsetAt", "+294277-01-01T00:00:00Z");
        after.put("note", "a\u0000b");
        after.put("impliedParams", Map.of("metadata\u0000", "x"));
        asAdmin().body(after).post("/api/admin/aliases").then().statusCode(400)
                .body("errors.field", containsInAnyOrder("sunsetAt", "note", "impliedParams"));
        String slug = createTenant(uniqueSlug("alias-range"));
        asAdmin().body(Map.of("mode", "rewrite\u0000")).put("/api/admin/tenants/" + slug
                + "/alias-overrides/deepseek-chat").then().statusCode(400).body("errors.field", contains("mode"));
    }

    /**
     * A model switched off is still a model: an alias taking its name would be shadowed, unseen, the day it is
     * switched on again, and GET /v1/models would then list it twice.
     */
    @Test
    void anAliasCannotTakeTheNameOfADisabledModel() throws Exception {
        String model = uniqueAlias("retired-model");
        execute("insert into model (id, owned_by, enabled) values ('" + model + "', 'deepseek', false)");
        try {
            asAdmin().body(alias(model, "rewrite", SUNSET)).post("/api/admin/aliases").then().statusCode(400)
                    .body("errors.field", contains("alias"))
                    .body("errors[0].message", containsString("catalog model"));
        } finally {
            execute("delete from model where id = '" + model + "'");
        }
    }

    /** Two admins creating `Foo` and `foo` at the same instant: one alias, never both. */
    @Test
    void namesDifferingOnlyInCapitalsCannotBothBeCreatedAtOnce() throws Exception {
        String name = uniqueAlias("race");
        List<String> variants = List.of(name, name.replace("race", "Race"), name.replace("race", "RACE"),
                name.replace("race", "rAce"), name.replace("race", "raCe"), name.replace("race", "racE"));
        ExecutorService pool = Executors.newFixedThreadPool(variants.size());
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Integer>> answers = new ArrayList<>();
        for (String variant : variants) {
            answers.add(pool.submit(() -> {
                go.await();
                return asAdmin().body(alias(variant, "rewrite", SUNSET)).post("/api/admin/aliases").statusCode();
            }));
        }
        go.countDown();
        List<Integer> statuses = new ArrayList<>();
        for (Future<Integer> a : answers) {
            statuses.add(a.get(60, TimeUnit.SECONDS));
        }
        pool.shutdown();
        assertEquals(1, statuses.stream().filter(s -> s == 201).count(), statuses.toString());
        // the others learn the name is taken: by the service's check (400) or, racing it, by the index (409)
        assertTrue(statuses.stream().allMatch(s -> s == 201 || s == 400 || s == 409), statuses.toString());
        List<String> created = asAdmin().get("/api/admin/aliases").then().statusCode(200).extract()
                .path("findAll { it.alias.equalsIgnoreCase('" + name + "') }.alias");
        assertEquals(1, created.size(), created.toString());
        // and the database itself refuses a second capitalisation, however it comes
        String other = variants.stream().filter(v -> !v.equals(created.get(0))).findFirst().orElseThrow();
        java.sql.SQLException refused = org.junit.jupiter.api.Assertions.assertThrows(java.sql.SQLException.class,
                () -> execute("insert into model_alias (alias, target_model, deprecated_at, sunset_at, mode,"
                        + " replacement_model) values ('" + other + "', 'deepseek-v4-flash', now(), now(), 'rewrite',"
                        + " 'deepseek-v4-flash')"));
        assertEquals("23505", refused.getSQLState(), refused.getMessage());
    }

    private void execute(String sql) throws java.sql.SQLException {
        try (java.sql.Connection c = dataSource.getConnection(); java.sql.Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    @Test
    void theEndpointsAreDocumentedInOpenApi() {
        given().queryParam("format", "json").get("/q/openapi").then().statusCode(200)
                .body("paths.'/api/admin/aliases'.post.tags", contains("Model aliases"))
                .body("paths.'/api/admin/tenants/{slug}/alias-overrides/{alias}'.put.tags", contains("Model aliases"));
    }
}
