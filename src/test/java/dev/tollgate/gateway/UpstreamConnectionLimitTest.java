package dev.tollgate.gateway;

import static dev.tollgate.testing.TestData.createTenant;
import static dev.tollgate.testing.TestData.issueKey;
import static dev.tollgate.testing.TestData.uniqueSlug;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tollgate.ledger.UsageLedger;
import dev.tollgate.testing.SeparateSimulator;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An endpoint's max-connections holds for the whole instance (here 1, fewer than the event loops): calls
 * beyond it wait for the connection, and one that cannot get it within the connect timeout is told so.
 */
@QuarkusTest
@TestProfile(UpstreamConnectionLimitTest.OneConnection.class)
class UpstreamConnectionLimitTest {

    public static class OneConnection implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(SmallUpstream.class));
        }
    }

    /** A simulator on its own port that Tollgate may open a single connection to. */
    public static class SmallUpstream extends SeparateSimulator {
        @Override
        protected String apiKey() {
            return "sk-small";
        }

        @Override
        protected Map<String, String> config(String simulatorBaseUrl) {
            return Map.of(
                    "tollgate.upstream.endpoints.deepseek.base-url", simulatorBaseUrl,
                    "tollgate.upstream.endpoints.deepseek.api-key", "sk-small",
                    "tollgate.upstream.endpoints.deepseek.max-connections", "1",
                    "tollgate.upstream.endpoints.deepseek.connect-timeout", "500ms",
                    "tollgate.upstream.endpoints.deepseek.read-timeout", "5s");
        }
    }

    private static String key;

    @Inject
    AgroalDataSource dataSource;
    @Inject
    UsageLedger ledger;

    @BeforeEach
    void setUp() {
        SeparateSimulator.simulator().reset();
        if (key == null) {
            key = issueKey(createTenant(uniqueSlug("onecon")));
        }
    }

    @Test
    void concurrentCallsTakeTheOneConnectionInTurnAndAllSucceed() {
        List<CompletableFuture<Integer>> calls = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            calls.add(CompletableFuture.supplyAsync(() -> ask("Hi").statusCode()));
        }
        calls.forEach(c -> assertEquals(200, c.orTimeout(30, TimeUnit.SECONDS).join()));
        assertEquals(8, SeparateSimulator.simulator().stats().snapshot().chatRequests());
        assertEquals(1, SeparateSimulator.simulator().stats().snapshot().maxInFlight().get("deepseek-v4-flash"),
                "never more than one call upstream at once");
    }

    @Test
    void aCallThatCannotGetTheConnectionInTimeIsToldTheUpstreamIsBusy() throws SQLException {
        // The simulator never answers this one, so it holds the only connection until the 5 s read timeout.
        CompletableFuture<Response> holder = CompletableFuture.supplyAsync(() -> ask("Hi [[sim:fault=timeout]]"));
        awaitHolderUpstream();

        // Three attempts, each waiting 500 ms for the connection, end well before the holder's timeout.
        Response busy = ask("Hi");
        busy.then().statusCode(503).body("error.code", equalTo("upstream_busy")).body("error.type", equalTo("api_error"));
        ledger.flush();
        assertEquals(List.of("upstream_busy", "upstream_busy", "upstream_busy"), errorTypes(busy.header("X-Request-Id")),
                "each attempt is in the ledger, none of them billed");

        holder.orTimeout(30, TimeUnit.SECONDS).join().then().statusCode(504);
        ask("Hi").then().statusCode(200); // the connection is free again
    }

    private List<String> errorTypes(String requestId) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement st = c.prepareStatement("select error_type, total_cost from usage_ledger"
                        + " where request_id = ? order by attempt")) {
            st.setString(1, requestId);
            List<String> types = new ArrayList<>();
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    assertEquals(null, rs.getBigDecimal("total_cost"));
                    types.add(rs.getString("error_type"));
                }
            }
            return types;
        }
    }

    private static void awaitHolderUpstream() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (SeparateSimulator.simulator().stats().inFlightTotal() < 1) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the holding call never reached the upstream");
            }
            Thread.onSpinWait();
        }
    }

    private static Response ask(String text) {
        return given().header("Authorization", "Bearer " + key).contentType("application/json")
                .body("{\"model\":\"deepseek-v4-flash\",\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}")
                .post("/v1/chat/completions");
    }
}
