package dev.tollgate.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.upstream.UpstreamBalance.State;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.PoolOptions;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Balance answers as servers really give them, the DeepSeek kind and the others, from a server of the test's own. */
class BalanceMonitorTest {

    private Vertx vertx;
    private HttpServer server;
    private BalanceMonitor monitor;
    /** Counted down by each request to /silent as it arrives. */
    private final CountDownLatch silentAsked = new CountDownLatch(1);

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        server = vertx.createHttpServer().requestHandler(req -> {
            switch (req.path()) {
                case "/deepseek/user/balance" -> req.response().putHeader("content-type", "application/json")
                        .end("{\"is_available\":false,\"balance_infos\":[{\"currency\":\"USD\",\"total_balance\":"
                                + "\"0.0000001\",\"granted_balance\":\"0.00\",\"topped_up_balance\":\"0.0000001\"}]}");
                case "/stalls/user/balance" -> req.response().setChunked(true).write("{\"is_available\":"); // no end
                case "/silent/user/balance" -> silentAsked.countDown(); // no headers, ever
                case "/huge/user/balance" -> req.response().end("{\"is_available\":true,\"pad\":\""
                        + "x".repeat(100_000) + "\"}");
                case "/portal/user/balance" -> req.response().putHeader("content-type", "text/html")
                        .end("<html><body>Bad gateway</body></html>");
                default -> req.response().setStatusCode(404).end();
            }
        }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().join();
        monitor = new BalanceMonitor();
        monitor.vertx = vertx;
        monitor.json = new ObjectMapper();
        monitor.answerTimeoutMillis = 500;
    }

    @AfterEach
    void stop() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @Test
    void deepSeeksAnswerIsReadExactly() {
        UpstreamBalance b = ask("/deepseek");
        assertEquals(State.EXHAUSTED, b.state());
        assertEquals(List.of(new UpstreamBalance.Amount("USD", new BigDecimal("0.0000001"), new BigDecimal("0.00"),
                new BigDecimal("0.0000001"))), b.amounts());
    }

    @Test
    void anAnswerThatStallsHalfWayFailsWithinTheAnswerTimeoutNotTheEndpointsReadTimeout() {
        long started = System.nanoTime();
        UpstreamBalance b = ask("/stalls");
        assertEquals(State.FAILED, b.state());
        assertEquals("no answer within 500 ms", b.detail());
        assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(30), "not the read timeout of 10 min");
    }

    @Test
    void anEndpointThatSendsNoHeadersIsSaidToHaveGivenNoneWithinItsOwnReadTimeout() {
        UpstreamBalance b = ask("http://127.0.0.1:" + server.actualPort(), "/silent", Duration.ofSeconds(1));
        assertEquals(State.FAILED, b.state());
        assertEquals("no answer within 1 s", b.detail(), "the endpoint's read timeout, shorter than the 10 s cap");
    }

    @Test
    void aCheckThatFindsEveryConnectionBusySaysSoNotThatTheServerDidNotAnswer() throws Exception {
        // one connection, held by a call the server never answers; the check waits for it past the connect timeout
        String baseUrl = "http://127.0.0.1:" + server.actualPort() + "/silent";
        UpstreamEndpoint endpoint = new UpstreamEndpoint("test", baseUrl, "sk-test", Set.of(), 0, 1,
                Duration.ofMillis(500), Duration.ofSeconds(30), new LoopLocalClients(() -> vertx.createHttpClient(
                        new PoolOptions().setHttp1MaxSize(1)), false),
                null, UpstreamEndpoint.Target.of("test", baseUrl));
        monitor.ask(endpoint); // holds the one connection
        assertTrue(silentAsked.await(10, TimeUnit.SECONDS), "the first check reached the server");
        UpstreamBalance b = monitor.ask(endpoint).toCompletionStage().toCompletableFuture()
                .orTimeout(20, TimeUnit.SECONDS).join();
        assertEquals(State.FAILED, b.state());
        assertEquals("not asked: every connection to it stayed busy with calls", b.detail());
    }

    @Test
    void aHugeAnswerIsCutOff() {
        UpstreamBalance b = ask("/huge");
        assertEquals(State.FAILED, b.state());
        assertEquals("an answer over 64 KiB", b.detail());
    }

    @Test
    void aServerNobodyListensOnIsSaidSoPlainly() throws Exception {
        int unused;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            unused = socket.getLocalPort();
        }
        UpstreamBalance b = ask("http://127.0.0.1:" + unused, "");
        assertEquals(State.FAILED, b.state());
        assertEquals("connection refused", b.detail());
    }

    @Test
    void aPageThatIsNoBalanceIsAFailureToAskAgainNotAServerWithoutBalances() {
        assertEquals(State.FAILED, ask("/portal").state());
        assertEquals(State.NOT_OFFERED, ask("/vllm").state());
    }

    @Test
    void aFailedCheckLeavesTheLastAnswerStandingAndAnOlderAnswerChangesNothing() {
        Instant t0 = Instant.parse("2026-12-03T10:00:00Z");
        UpstreamBalance exhausted = new UpstreamBalance(t0, State.EXHAUSTED, List.of(), null, null);
        UpstreamBalance failed = UpstreamBalance.failed(t0.plusSeconds(300), "Connection refused");
        UpstreamBalance kept = exhausted.then(failed);
        assertEquals(State.EXHAUSTED, kept.state(), "still out of balance as far as anyone knows");
        assertEquals(new UpstreamBalance.Failure(t0.plusSeconds(300), "Connection refused"), kept.failedSince());

        UpstreamBalance available = new UpstreamBalance(t0.plusSeconds(600), State.AVAILABLE, List.of(), null, null);
        assertEquals(available, kept.then(available));
        assertNull(kept.then(available).failedSince());
        assertEquals(available, available.then(exhausted), "an answer to an earlier check comes too late");
        assertEquals(failed, failed.then(UpstreamBalance.failed(t0, "older")));

        // two checks at once: the one asked for later failed first, then the earlier one's answer came
        UpstreamBalance late = exhausted.then(UpstreamBalance.failed(t0.plusSeconds(20), "timeout"))
                .then(new UpstreamBalance(t0.plusSeconds(10), State.AVAILABLE, List.of(), null, null));
        assertEquals(State.AVAILABLE, late.state(), "the newer real answer is kept");
        assertEquals(new UpstreamBalance.Failure(t0.plusSeconds(20), "timeout"), late.failedSince());
    }

    @Test
    void aServerWithoutABalanceIsAskedAgainHourlyOnSchedule() {
        Instant t0 = Instant.parse("2026-12-03T10:00:00Z");
        UpstreamBalance none = new UpstreamBalance(t0, State.NOT_OFFERED, List.of(), "HTTP 404", null);
        assertFalse(BalanceMonitor.dueOnSchedule(none, t0.plusSeconds(300)));
        assertTrue(BalanceMonitor.dueOnSchedule(none, t0.plusSeconds(3600)));
        UpstreamBalance available = new UpstreamBalance(t0, State.AVAILABLE, List.of(), null, null);
        assertTrue(BalanceMonitor.dueOnSchedule(available, t0.plusSeconds(300)));
    }

    private UpstreamBalance ask(String path) {
        return ask("http://127.0.0.1:" + server.actualPort(), path);
    }

    private UpstreamBalance ask(String server, String path) {
        return ask(server, path, Duration.ofSeconds(600));
    }

    private UpstreamBalance ask(String server, String path, Duration readTimeout) {
        String baseUrl = server + path;
        UpstreamEndpoint endpoint = new UpstreamEndpoint("test", baseUrl, "sk-test", Set.of(), 0, 1,
                Duration.ofSeconds(5), readTimeout, new LoopLocalClients(vertx::createHttpClient, false),
                null, UpstreamEndpoint.Target.of("test", baseUrl));
        return monitor.ask(endpoint).toCompletionStage().toCompletableFuture().orTimeout(60, TimeUnit.SECONDS).join();
    }
}
