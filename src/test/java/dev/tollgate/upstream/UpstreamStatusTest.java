package dev.tollgate.upstream;

import static dev.tollgate.testing.TestData.ADMIN;
import static dev.tollgate.testing.TestData.ADMIN_PASSWORD;
import static dev.tollgate.testing.TestData.as;
import static dev.tollgate.testing.TestData.asAdmin;
import static dev.tollgate.testing.TestData.createTenant;
import static dev.tollgate.testing.TestData.createUser;
import static dev.tollgate.testing.TestData.issueKey;
import static dev.tollgate.testing.TestData.uniqueSlug;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.gateway.UpstreamFailoverTest;
import dev.tollgate.testing.ConsoleSession;
import dev.tollgate.testing.Management;
import dev.tollgate.testing.SeparateSimulator;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What an operator sees of the upstream endpoints: the failover set-up's six, one of each kind: working ones,
 * one nobody listens on, one whose key is refused, one whose base URL has a path the server does not serve.
 */
@QuarkusTest
@TestProfile(UpstreamFailoverTest.TwoEndpointsPerModel.class)
class UpstreamStatusTest {

    private static final String PASSWORD = "upstream-status-pw";

    @Inject
    BalanceMonitor balances;
    @Inject
    Upstreams upstreams;

    @AfterEach
    void balanceBack() {
        SeparateSimulator.simulator().balanceAvailable(true);
        SeparateSimulator.simulator().balanceTotal(new BigDecimal("110.00"));
        balances.checkAllNow();
    }

    @Test
    void eachEndpointsBalanceIsShownAsItsServerAnswered() {
        String body = asAdmin().post("/api/admin/upstreams/balance-check").then().statusCode(200).extract().asString();
        JsonPath json = JsonPath.from(body);
        // best first: priority, then name
        assertEquals(List.of("light", "nobody", "primary", "revoked", "wrongpath", "backup"), json.getList("name"));
        assertEquals("AVAILABLE", state(json, "primary"));
        assertEquals("CNY", json.getString("find { it.name == 'primary' }.balance.amounts[0].currency"));
        assertTrue(body.contains("\"total\":110.00"), "DeepSeek's string amount kept exact: " + body);
        assertEquals("KEY_REFUSED", state(json, "revoked"));
        assertEquals("NOT_OFFERED", state(json, "wrongpath"));
        assertEquals("FAILED", state(json, "nobody"));
        assertEquals("connection refused", json.getString("find { it.name == 'nobody' }.balance.detail"));
        assertFalse(body.contains("sk-failover"), "no API key in the answer");

        String metrics = Management.metrics();
        assertTrue(metrics.contains("tollgate_upstream_balance{currency=\"CNY\",endpoint=\"primary\"} 110.0"), metrics);
        assertTrue(metrics.contains("tollgate_upstream_balance_available{endpoint=\"primary\"} 1.0"), metrics);
        assertTrue(metrics.contains("tollgate_upstream_balance_available{endpoint=\"nobody\"} NaN"), metrics);
    }

    @Test
    void anAccountThatRunsOutIsFlaggedOnEveryConsolePageForThoseWhoPayIt() {
        String finance = uniqueSlug("upstream-finance");
        createUser(finance, PASSWORD, "finance", null);
        String tenantAdmin = uniqueSlug("upstream-tenant");
        createUser(tenantAdmin, PASSWORD, "tenant-admin", createTenant(uniqueSlug("upstream-own")));
        ConsoleSession admin = ConsoleSession.login(ADMIN, ADMIN_PASSWORD);
        admin.post("/console/upstreams/balance-check", Map.of()).then().statusCode(303);
        admin.get("/console/tenants").then().statusCode(200).body(not(containsString("Upstream out of balance")));

        SeparateSimulator.simulator().balanceAvailable(false);
        admin.post("/console/upstreams/balance-check", Map.of()).then().statusCode(303);
        JsonPath json = asAdmin().get("/api/admin/upstreams").then().statusCode(200).extract().jsonPath();
        assertEquals("EXHAUSTED", state(json, "primary"));
        assertTrue(Management.metrics().contains("tollgate_upstream_balance_available{endpoint=\"primary\"} 0.0"));
        admin.get("/console/tenants").then().statusCode(200).body(containsString("Upstream out of balance"),
                containsString("The accounts of <code>light</code>, <code>primary</code>, <code>backup</code> have"
                        + " run out"));
        ConsoleSession.login(finance, PASSWORD).get("/console/upstreams").then().statusCode(200)
                .body(containsString("Upstream out of balance"), containsString("Out of balance"));
        ConsoleSession.login(tenantAdmin, PASSWORD).get("/console/tenants").then().statusCode(200)
                .body(not(containsString("Upstream out of balance")));

        SeparateSimulator.simulator().balanceAvailable(true);
        admin.post("/console/upstreams/balance-check", Map.of()).then().statusCode(303);
        admin.get("/console/tenants").then().statusCode(200).body(not(containsString("Upstream out of balance")));
    }

    @Test
    void anAccountRunningLowIsFlaggedBeforeItRunsOut() {
        ConsoleSession admin = ConsoleSession.login(ADMIN, ADMIN_PASSWORD);
        admin.post("/console/upstreams/balance-check", Map.of()).then().statusCode(303);
        admin.get("/console/tenants").then().statusCode(200).body(not(containsString("running low")));

        // below the default 50 CNY warning level, still taking calls
        SeparateSimulator.simulator().balanceTotal(new BigDecimal("42.1"));
        Response check = admin.post("/console/upstreams/balance-check", Map.of());
        check.then().statusCode(303);
        admin.request().cookie("tollgate-flash", check.cookie("tollgate-flash")).get("/console/upstreams").then()
                .statusCode(200).body(containsString("<div class=\"flash warning\" role=\"alert\">Balances checked."
                        + " Running low: light (42.10 CNY left), primary (42.10 CNY left), backup (42.10 CNY left)."));
        JsonPath json = asAdmin().get("/api/admin/upstreams").then().statusCode(200).extract().jsonPath();
        assertEquals("AVAILABLE", state(json, "primary"));
        assertEquals(Map.of("endpoint", "primary", "currency", "CNY", "total", 42.10f, "warnBelow", 50),
                json.getMap("find { it.name == 'primary' }.lowBalance[0]"));
        assertEquals(List.of(), json.getList("find { it.name == 'nobody' }.lowBalance"));
        admin.get("/console/tenants").then().statusCode(200).body(containsString("Upstream balance running low"),
                containsString("<code>primary</code> has 42.10 CNY left, below the 50 CNY warning level;"),
                containsString("Top them up before their calls get HTTP 402."));
        String row = row(admin.get("/console/upstreams").asString(), "primary");
        assertTrue(row.contains("Running low") && row.contains("below the 50 CNY warning level"), row);

        // once it has run out, the out-of-balance warning says so instead. One check may fail on a loaded machine,
        // leaving the last answer standing as it should: asked again until each account is known to be empty
        SeparateSimulator.simulator().balanceAvailable(false);
        for (int i = 0; i < 5 && balances.exhausted().size() < 3; i++) {
            balances.checkAllNow();
        }
        assertEquals(List.of("light", "primary", "backup"), balances.exhausted(),
                asAdmin().get("/api/admin/upstreams").asString());
        admin.get("/console/tenants").then().statusCode(200).body(containsString("Upstream out of balance"),
                not(containsString("running low")));
    }

    @Test
    void callsRefusedFor402RaiseTheWarningBeforeAnyBalanceCheck() {
        String key = issueKey(createTenant(uniqueSlug("upstream-402")));
        ConsoleSession admin = ConsoleSession.login(ADMIN, ADMIN_PASSWORD);
        SeparateSimulator.simulator().balanceAvailable(false);
        try {
            chat(key, "deepseek-v4-flash").then().statusCode(402);
            admin.get("/console/tenants").then().statusCode(200)
                    .body(containsString("Upstream out of balance"), containsString("<code>primary</code>"));
        } finally {
            SeparateSimulator.simulator().balanceAvailable(true);
        }
        // topped up: a check that finds the balance ends the warning, before any call succeeds
        admin.post("/console/upstreams/balance-check", Map.of()).then().statusCode(303);
        assertEquals(List.of(), balances.exhausted());
        admin.get("/console/tenants").then().statusCode(200).body(not(containsString("Upstream out of balance")));
    }

    @Test
    void aCallAnsweredAfterATopUpEndsTheWarningBeforeTheNextCheck() {
        String key = issueKey(createTenant(uniqueSlug("upstream-topup")));
        SeparateSimulator.simulator().balanceAvailable(false);
        balances.checkAllNow();
        assertEquals(List.of("light", "primary", "backup"), balances.exhausted());
        SeparateSimulator.simulator().balanceAvailable(true);
        // the weights send one call in ten to "light": each endpoint ends its own warning when it answers
        for (int i = 0; i < 200 && balances.exhausted().contains("primary"); i++) {
            chat(key, "deepseek-v4-flash").then().statusCode(200);
        }
        assertFalse(balances.exhausted().contains("primary"), "primary answered a call");
        String metrics = Management.metrics();
        assertTrue(metrics.contains("tollgate_upstream_balance_available{endpoint=\"primary\"} 1.0"), metrics);
        assertTrue(metrics.contains("tollgate_upstream_balance_available{endpoint=\"backup\"} 0.0"), metrics);
        String row = row(ConsoleSession.login(ADMIN, ADMIN_PASSWORD).get("/console/upstreams").asString(), "primary");
        assertTrue(row.contains("In service") && row.contains("it has answered calls since"), row);
    }

    @Test
    void aBalanceFoundEndsAnOutOfBalanceSpellButNotARefusedKey() {
        UpstreamEndpoint primary = upstreams.all().stream().filter(e -> e.name().equals("primary")).findFirst()
                .orElseThrow();
        try {
            // a proxy that refuses chat calls with 403 while the balance answers
            upstreams.refusedCredentials(primary, 403);
            balances.checkAllNow();
            assertEquals(Optional.of(403), upstreams.refusal(primary));
            upstreams.outOfBalance(primary);
            balances.checkAllNow();
            assertEquals(Optional.empty(), upstreams.refusal(primary));
        } finally {
            upstreams.answered(primary);
        }
    }

    @Test
    void aCheckSaysWhichEndpointsDidNotAnswerAsAWarning() {
        ConsoleSession admin = ConsoleSession.login(ADMIN, ADMIN_PASSWORD);
        Response check = admin.post("/console/upstreams/balance-check", Map.of());
        check.then().statusCode(303);
        // the page it leads to says it as a problem, not in the green of a success
        admin.request().cookie("tollgate-flash", check.cookie("tollgate-flash")).get("/console/upstreams").then()
                .statusCode(200).body(containsString("<div class=\"flash warning\" role=\"alert\">Balances checked."
                        + " No answer from: nobody.</div>"));
    }

    @Test
    void thePageShowsWhatTheGatewaysOwnCallsMet() {
        chat(issueKey(createTenant(uniqueSlug("upstream-status"))), "deepseek-v4-pro").then().statusCode(200);
        String page = ConsoleSession.login(ADMIN, ADMIN_PASSWORD).get("/console/upstreams").then().statusCode(200)
                .extract().asString();
        String revoked = row(page, "revoked");
        assertTrue(revoked.contains("Refusing calls"), revoked);
        assertTrue(revoked.contains("API key refused (HTTP 401): check tollgate.upstream.endpoints.revoked.api-key"),
                revoked);
        assertTrue(revoked.contains(SeparateSimulator.simulator().baseUrl()), revoked);
        assertTrue(row(page, "backup").contains("In service"), row(page, "backup"));
        assertFalse(page.contains("sk-failover"), "no API key on the page");
    }

    @Test
    void aTakenOutEndpointSaysWhenItsTrialCallsStartAndHowSoon() {
        UpstreamEndpoint backup = upstreams.all().stream().filter(e -> e.name().equals("backup")).findFirst()
                .orElseThrow();
        backup.breaker().transitionToOpenState();
        upstreams.resultReported(backup, CircuitBreaker.State.CLOSED); // as the call that opened it would
        try {
            String row = row(ConsoleSession.login(ADMIN, ADMIN_PASSWORD).get("/console/upstreams").then()
                    .statusCode(200).extract().asString(), "backup");
            assertTrue(row.contains("Taken out"), row);
            assertTrue(row.matches(
                    "(?s).*until \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}(:\\d{2})? UTC \\(in \\d+ (s|min)\\).*"), row);
        } finally {
            backup.breaker().reset();
        }
    }

    @Test
    void onlyPlatformAdminsAndFinanceSeeUpstreams() {
        String tenantAdmin = uniqueSlug("upstream-outsider");
        createUser(tenantAdmin, PASSWORD, "tenant-admin", createTenant(uniqueSlug("upstream-outsider")));
        ConsoleSession.login(tenantAdmin, PASSWORD).get("/console/upstreams").then().statusCode(403);
        as(tenantAdmin, PASSWORD).get("/api/admin/upstreams").then().statusCode(403);
        as(tenantAdmin, PASSWORD).post("/api/admin/upstreams/balance-check").then().statusCode(403);
        given().get("/api/admin/upstreams").then().statusCode(401);
    }

    @Test
    void theScheduleStopsAskingAServerThatHasNoBalance() {
        balances.checkAllNow();
        Instant wrongpath = balances.latest("wrongpath").orElseThrow().checkedAt();
        Instant primary = balances.latest("primary").orElseThrow().checkedAt();
        balances.checkOnSchedule().toCompletableFuture().join();
        assertEquals(wrongpath, balances.latest("wrongpath").orElseThrow().checkedAt(),
                "not asked again within the hour");
        assertNotEquals(primary, balances.latest("primary").orElseThrow().checkedAt(), "asked again");
    }

    private static Response chat(String key, String model) {
        return given().header("Authorization", "Bearer " + key).contentType("application/json")
                .body("{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}")
                .post("/v1/chat/completions");
    }

    private static String state(JsonPath json, String endpoint) {
        return json.getString("find { it.name == '" + endpoint + "' }.balance.state");
    }

    /** The table row of one endpoint. */
    private static String row(String page, String endpoint) {
        int start = page.indexOf("id=\"upstream-" + endpoint + "\"");
        assertTrue(start > 0, "a row for " + endpoint);
        return page.substring(start, page.indexOf("</tr>", start));
    }
}
