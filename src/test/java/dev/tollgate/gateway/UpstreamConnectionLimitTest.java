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
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.net.Socket;
import java.net.URL;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
                    "tollgate.upstream.endpoints.deepseek.connect-timeout", "2s",
                    "tollgate.upstream.endpoints.deepseek.read-timeout", "12s");
        }
    }

    private static String key;

    @TestHTTPResource("/v1/chat/completions")
    URL chatUrl;
    @Inject
    AgroalDataSource dataSource;
    @Inject
    UsageLedger ledger;
    @Inject
    MeterRegistry registry;

    @BeforeEach
    void setUp() {
        SeparateSimulator.simulator().reset();
        if (key == null) {
            key = issueKey(createTenant(uniqueSlug("onecon")));
        }
    }

    @Test
    void concurrentCallsTakeTheOneConnectionInTurnAndAllSucceed() throws Exception {
        // the first holds the connection for 1.5 s, inside the 2 s the others may wait for it, while seven more
        // arrive at once, a thread each however many cores the machine has
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try {
            List<CompletableFuture<Integer>> calls = new ArrayList<>();
            calls.add(CompletableFuture.supplyAsync(() -> ask("Hi [[sim:latency=1500/1000]]").statusCode(), clients));
            awaitHolderUpstream();
            for (int i = 0; i < 7; i++) {
                calls.add(CompletableFuture.supplyAsync(() -> ask("Hi").statusCode(), clients));
            }
            awaitActiveRequests(8);
            calls.forEach(c -> assertEquals(200, c.orTimeout(30, TimeUnit.SECONDS).join()));
        } finally {
            clients.shutdownNow();
        }
        assertEquals(8, SeparateSimulator.simulator().stats().snapshot().chatRequests());
        assertEquals(1, SeparateSimulator.simulator().stats().snapshot().maxInFlight().get("deepseek-v4-flash"),
                "never more than one call upstream at once");
    }

    @Test
    void aCallThatCannotGetTheConnectionInTimeIsToldTheUpstreamIsBusy() throws Exception {
        // The simulator never answers this one, so it holds the only connection until the 12 s read timeout.
        CompletableFuture<Response> holder = CompletableFuture.supplyAsync(() -> ask("Hi [[sim:fault=timeout]]"));
        awaitHolderUpstream();

        // Three attempts, each waiting about 2 s for the connection, end well before the holder's timeout.
        Response busy = ask("Hi");
        busy.then().statusCode(503).body("error.code", equalTo("upstream_busy")).body("error.type", equalTo("api_error"));
        ledger.flush();
        assertEquals(List.of("upstream_busy", "upstream_busy", "upstream_busy"), errorTypes(busy.header("X-Request-Id")),
                "each attempt is in the ledger, none of them billed");

        holder.orTimeout(30, TimeUnit.SECONDS).join().then().statusCode(504);
        ask("Hi").then().statusCode(200); // the connection is free again
    }

    @Test
    void aCallWhoseClientLeftWhileItWaitedForTheConnectionIsNeverSent() throws Exception {
        // Holds the only connection for 1.5 s, less than the 2 s a waiting call waits for it: wide windows, so that
        // a slow machine still has the client leave while its call waits, and the call get the connection after.
        CompletableFuture<Response> holder = CompletableFuture.supplyAsync(() -> ask("Hi [[sim:latency=1500/1000]]"));
        awaitHolderUpstream();
        String leaver = "leaver-" + UUID.randomUUID();
        try (Socket socket = ClientCalls.post(chatUrl, key, leaver)) {
            awaitActiveRequests(2); // the holder's and the leaver's: it queues for the connection the holder has
            Thread.sleep(50); // in microseconds, or a few ms if its key is read again; well inside the holder's 1.5 s
        } // and its client goes
        ClientCalls.awaitRows(ledger, dataSource, leaver);
        // Only a call still waiting when its client left is recorded so: one served or timed out is not.
        assertEquals(List.of("client_disconnect"), recordedErrors(leaver));
        assertEquals(List.of("unbilled"), recordedCosts(leaver), "nothing was sent upstream, so nothing is billed");

        holder.orTimeout(30, TimeUnit.SECONDS).join().then().statusCode(200);
        ask("Hi").then().statusCode(200); // the connection the leaver was handed is usable again
        assertEquals(2, SeparateSimulator.simulator().stats().snapshot().chatRequests(),
                "the upstream saw the holder and the last call, never the call nobody waits for");
    }

    /** The error of each attempt of the call the client sent under its own id. */
    private List<String> recordedErrors(String clientRequestId) throws SQLException {
        return ClientCalls.recorded(dataSource, "error_type", clientRequestId);
    }

    /** The cost of each attempt of that call ("unbilled" when it has none). */
    private List<String> recordedCosts(String clientRequestId) throws SQLException {
        return ClientCalls.recorded(dataSource, "coalesce(total_cost::text, 'unbilled')", clientRequestId);
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

    private static void awaitHolderUpstream() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (SeparateSimulator.simulator().stats().inFlightTotal() < 1) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the holding call never reached the upstream");
            }
            Thread.sleep(2); // not a spin: on two cores it would take one from the calls it waits for
        }
    }

    /** Waits until the gateway is handling this many requests (a fixed sleep would guess how long that takes). */
    private void awaitActiveRequests(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (registry.find("http.server.active.requests").gauges().stream().mapToDouble(Gauge::value).sum() < n) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the gateway never had " + n + " requests at once");
            }
            Thread.sleep(2);
        }
    }

    private static Response ask(String text) {
        return given().header("Authorization", "Bearer " + key).contentType("application/json")
                .body("{\"model\":\"deepseek-v4-flash\",\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}")
                .post("/v1/chat/completions");
    }
}
