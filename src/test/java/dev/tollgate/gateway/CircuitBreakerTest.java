package dev.tollgate.gateway;

import static dev.tollgate.testing.TestData.createTenant;
import static dev.tollgate.testing.TestData.issueKey;
import static dev.tollgate.testing.TestData.uniqueSlug;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.testing.LogCapture;
import dev.tollgate.testing.Management;
import dev.tollgate.testing.SeparateSimulator;
import dev.tollgate.upstream.UpstreamEndpoint;
import dev.tollgate.upstream.Upstreams;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * An endpoint that accepts connections and never answers, ahead of a working one. Its breaker opens after
 * enough timeouts; once half-open it lets only its few trial calls through while the rest go to the next
 * endpoint, so a recovering upstream is not flooded.
 */
@QuarkusTest
@TestProfile(CircuitBreakerTest.SilentFirstEndpoint.class)
class CircuitBreakerTest {

    public static class SilentFirstEndpoint implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(Endpoints.class));
        }
    }

    /** Accepts every connection and reads nothing: each request to it times out. */
    static final class SilentServer {
        final ServerSocket socket;
        final AtomicInteger accepted = new AtomicInteger();
        final List<Socket> open = new ArrayList<>();

        SilentServer() throws IOException {
            socket = new ServerSocket(0);
            Thread t = new Thread(() -> {
                while (!socket.isClosed()) {
                    try {
                        Socket s = socket.accept();
                        synchronized (open) {
                            open.add(s);
                        }
                        accepted.incrementAndGet();
                    } catch (IOException closed) {
                        return;
                    }
                }
            }, "silent-upstream");
            t.setDaemon(true);
            t.start();
        }
    }

    static SilentServer silent;
    static ServerSocket dropping;
    static final List<Socket> queued = new ArrayList<>();

    public static class Endpoints extends SeparateSimulator {
        @Override
        protected String apiKey() {
            return "sk-breaker";
        }

        @Override
        protected Map<String, String> config(String simulatorBaseUrl) {
            try {
                silent = new SilentServer();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Map<String, String> c = new HashMap<>();
            String p = "tollgate.upstream.endpoints.deepseek.";
            c.put(p + "base-url", "http://127.0.0.1:" + silent.socket.getLocalPort());
            c.put(p + "api-key", "sk-breaker");
            c.put(p + "models", "deepseek-v4-flash");
            c.put(p + "read-timeout", "1s");
            p = "tollgate.upstream.endpoints.backup.";
            c.put(p + "base-url", simulatorBaseUrl);
            c.put(p + "api-key", "sk-breaker");
            c.put(p + "models", "deepseek-v4-flash");
            c.put(p + "priority", "1");
            c.put("tollgate.upstream.breaker-open-for", "3s"); // long enough that a slow machine sees each state
            // Pro: a host whose connects hang (its accept queue is full and it never accepts), as behind a
            // firewall that drops packets
            try {
                dropping = new ServerSocket(0, 1);
                for (int i = 0; i < 2; i++) {
                    queued.add(new Socket("127.0.0.1", dropping.getLocalPort()));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            p = "tollgate.upstream.endpoints.dropping.";
            c.put(p + "base-url", "http://127.0.0.1:" + dropping.getLocalPort());
            c.put(p + "api-key", "sk-breaker");
            c.put(p + "models", "deepseek-v4-pro");
            c.put(p + "connect-timeout", "300ms");
            return c;
        }
    }

    @Inject
    Upstreams upstreams;

    @AfterAll
    static void closeServers() throws IOException {
        silent.socket.close();
        for (Socket s : queued) {
            s.close();
        }
        dropping.close();
    }

    @Test
    void aConnectThatTimesOutIsAnUnreachableUpstreamCountedByTheBreaker() {
        String key = issueKey(createTenant(uniqueSlug("dropping")));
        CircuitBreaker breaker = breaker("dropping");
        int failedBefore = breaker.getMetrics().getNumberOfFailedCalls();
        given().header("Authorization", "Bearer " + key).contentType("application/json")
                .body("{\"model\":\"deepseek-v4-pro\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}")
                .post("/v1/chat/completions").then().statusCode(502).body("error.code", equalTo("upstream_unreachable"));
        assertEquals(3, breaker.getMetrics().getNumberOfFailedCalls() - failedBefore, "each attempt's failed connect");

        // Enough failures open its breaker; with no endpoint left the 503 says when to come back (breaker-open-for
        // is 3 s), so that an SDK waits that long instead of retrying into the open breaker at once.
        Response refused = null;
        for (int i = 0; i < 10 && (refused == null || refused.statusCode() != 503); i++) {
            refused = given().header("Authorization", "Bearer " + key).contentType("application/json")
                    .body("{\"model\":\"deepseek-v4-pro\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}")
                    .post("/v1/chat/completions");
        }
        refused.then().statusCode(503).body("error.code", equalTo("upstream_unavailable"));
        long retryAfter = Long.parseLong(refused.header("Retry-After"));
        assertTrue(retryAfter >= 1 && retryAfter <= 3, "Retry-After " + retryAfter);
    }

    @Test
    void aHalfOpenEndpointGetsOnlyItsTrialCalls() throws Exception {
        String key = issueKey(createTenant(uniqueSlug("breaker")));
        ExecutorService clients = Executors.newFixedThreadPool(10);
        CircuitBreaker breaker = breaker("deepseek");
        // the transitions, not the state read afterwards: an open breaker turns half-open by itself after 3 s
        List<CircuitBreaker.StateTransition> transitions = new CopyOnWriteArrayList<>();
        breaker.getEventPublisher().onStateTransition(e -> transitions.add(e.getStateTransition()));
        try (LogCapture log = LogCapture.of(Upstreams.class)) {
            // ten timeouts (at least ten calls, all failed) open the silent endpoint's breaker
            assertEquals(List.of(504, 504, 504, 504, 504, 504, 504, 504, 504, 504), statuses(clients, key, 10));
            assertEquals(CircuitBreaker.StateTransition.CLOSED_TO_OPEN, transitions.get(0));
            assertEquals(List.of("WARN Upstream endpoint deepseek taken out for 3 s: 100% of its last 10 calls failed"),
                    log.messages());
            assertBreakerStateShown(breaker);
            assertTrue(metrics().contains("tollgate_upstream_breaker_openings_total{endpoint=\"deepseek\"} 1.0"));
            int acceptedWhenOpened = silent.accepted.get();

            awaitState(breaker, CircuitBreaker.State.HALF_OPEN); // after breaker-open-for
            // five calls at once: the two trial calls go to the silent endpoint, the other three to the next one
            assertEquals(List.of(200, 200, 200, 504, 504), statuses(clients, key, 5));
            assertEquals(2, silent.accepted.get() - acceptedWhenOpened, "connections to the half-open endpoint");
            assertEquals(CircuitBreaker.StateTransition.HALF_OPEN_TO_OPEN, transitions.get(2), "both trials failed: open again");
            assertEquals("WARN Upstream endpoint deepseek failed its trial calls: taken out again for 3 s",
                    log.messages().get(1));
            assertTrue(metrics().contains("tollgate_upstream_breaker_openings_total{endpoint=\"deepseek\"} 2.0"),
                    "each opening counted, though a scrape may never see the breaker open");
        } finally {
            clients.shutdownNow();
        }
    }

    private static List<Integer> statuses(ExecutorService clients, String key, int calls) throws Exception {
        List<Future<Integer>> futures = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
            futures.add(clients.submit(() -> given().header("Authorization", "Bearer " + key)
                    .contentType("application/json")
                    .body("{\"model\":\"deepseek-v4-flash\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}")
                    .post("/v1/chat/completions").statusCode()));
        }
        List<Integer> statuses = new ArrayList<>();
        for (Future<Integer> f : futures) {
            statuses.add(f.get(30, TimeUnit.SECONDS));
        }
        statuses.sort(null);
        return statuses;
    }

    private CircuitBreaker breaker(String endpoint) {
        return upstreams.all().stream().filter(e -> e.name().equals(endpoint)).findFirst()
                .map(UpstreamEndpoint::breaker).orElseThrow();
    }

    /**
     * The state Prometheus is shown is the breaker's: read between two equal readings of the state, since an open
     * breaker turns half-open by itself.
     */
    private static void assertBreakerStateShown(CircuitBreaker breaker) {
        for (int i = 0; i < 10; i++) {
            CircuitBreaker.State before = breaker.getState();
            String metrics = metrics();
            if (breaker.getState() != before) {
                continue;
            }
            for (String state : List.of("closed", "open", "half_open")) {
                String series = "tollgate_upstream_breaker_state{endpoint=\"deepseek\",state=\"" + state + "\"} ";
                assertTrue(metrics.contains(series + (before.name().equalsIgnoreCase(state) ? "1.0" : "0.0")),
                        "expected " + before + " in " + metrics.lines().filter(l -> l.contains("breaker")).toList());
            }
            return;
        }
        throw new AssertionError("the breaker's state kept changing");
    }

    private static String metrics() {
        return Management.metrics();
    }

    /** Waits (not a timing assertion: the bound only stops a broken build from hanging) for a state. */
    private static void awaitState(CircuitBreaker breaker, CircuitBreaker.State state) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (breaker.getState() != state) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("breaker never became " + state + "; it is " + breaker.getState());
            }
            Thread.sleep(20);
        }
    }
}
