package dev.tollgate.gateway;

import static dev.tollgate.testing.TestData.createTenant;
import static dev.tollgate.testing.TestData.issueKey;
import static dev.tollgate.testing.TestData.uniqueSlug;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.ledger.UsageLedger;
import dev.tollgate.upstream.AnswerMemory;
import dev.tollgate.upstream.Upstreams;
import io.agroal.api.AgroalDataSource;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Answers a real upstream may give that the simulator does not: an endless stream its client stops reading, a
 * stream the upstream ends with its own error event, a 200 whose JSON is an error, answers of a chosen size. Each
 * attempt is recorded, billed only for what the upstream made, and blamed on whoever caused it.
 */
@QuarkusTest
@TestProfile(OddUpstreamAnswersTest.Scripted.class)
class OddUpstreamAnswersTest {

    public static class Scripted implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(ScriptedUpstream.class));
        }
    }

    /**
     * Answers each request by the word its body contains: endless, error-event, json-error and the like. Pro has a
     * second endpoint on the same server, so that a retry can go elsewhere and come back.
     */
    public static class ScriptedUpstream extends RawUpstream {
        @Override
        public Map<String, String> start() {
            Map<String, String> c = new HashMap<>(super.start());
            String p = "tollgate.upstream.endpoints.second.";
            c.put(p + "base-url", c.get("tollgate.upstream.endpoints.deepseek.base-url"));
            c.put(p + "api-key", "sk-raw");
            c.put(p + "models", "deepseek-v4-pro");
            c.put(p + "read-timeout", readTimeout());
            // room for an answer of 80 KB being read (it counts twice), not for one of 100 KB nor for three of 40 KB
            c.put("tollgate.upstream.answer-memory", "192K");
            return c;
        }

        @Override
        protected String readTimeout() {
            return "2s";
        }

        @Override
        protected void answer(Socket socket, String body) throws IOException {
            try (Socket s = socket) {
                OutputStream out = s.getOutputStream();
                if (body.contains("retry-after-")) { // a rate limit that says how long to wait
                    String seconds = body.replaceAll("(?s).*retry-after-(\\d+).*", "$1");
                    json(out, "429 Too Many Requests", "Retry-After: " + seconds + "\r\n",
                            "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"rate_limit_error\"}}");
                    return;
                }
                if (body.contains("not-here")) { // a server without this path or model, as vLLM answers it
                    json(out, "404 Not Found", "", "{\"detail\":\"Not Found\"}");
                    return;
                }
                if (body.contains("not-allowed")) { // a static site or a proxy's default route where the path is
                    out.write(("HTTP/1.1 405 Method Not Allowed\r\nAllow: GET, HEAD\r\nConnection: close\r\n"
                            + "Content-Length: 0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    return;
                }
                if (body.contains("key-echo")) { // a proxy that quotes the request's Authorization header
                    json(out, "400 Bad Request", "", "{\"error\":{\"message\":\"Bad request from Bearer sk-raw\","
                            + "\"type\":\"invalid_request_error\"}}");
                    return;
                }
                if (body.contains("does-not-stream")) { // a server that ignores "stream": true
                    json(out, "200 OK", "", "{\"id\":\"x\",\"object\":\"chat.completion\",\"created\":1,\"model\":"
                            + "\"deepseek-v4-flash\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
                            + "\"content\":\"hi\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":5,"
                            + "\"completion_tokens\":1,\"total_tokens\":6}}");
                    return;
                }
                if (body.contains("too-large-here")) { // a proxy in front with a smaller body limit, as nginx answers
                    byte[] page = "<html><body><h1>413 Request Entity Too Large</h1></body></html>"
                            .getBytes(StandardCharsets.US_ASCII);
                    out.write(("HTTP/1.1 413 Request Entity Too Large\r\nContent-Type: text/html\r\nConnection: close"
                            + "\r\nContent-Length: " + page.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(page);
                    out.flush();
                    return;
                }
                if (body.contains("answer-of-")) { // a whole answer of about that many KB
                    int kb = Integer.parseInt(body.replaceAll("(?s).*answer-of-(\\d+).*", "$1"));
                    byte[] answer = ("{\"id\":\"x\",\"object\":\"chat.completion\",\"created\":1,"
                            + "\"model\":\"deepseek-v4-flash\",\"choices\":[{\"index\":0,\"message\":{\"role\":"
                            + "\"assistant\",\"content\":\"" + "word ".repeat(kb * 1024 / 5) + "\"},\"finish_reason\":"
                            + "\"stop\"}],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":" + kb * 256
                            + ",\"total_tokens\":" + (5 + kb * 256) + "}}").getBytes(StandardCharsets.US_ASCII);
                    byte[] lead = body.contains("blank-") ? "\n\n\n".getBytes(StandardCharsets.US_ASCII) : new byte[0];
                    out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
                            + "Content-Length: " + (lead.length + answer.length) + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    out.write(lead); // as DeepSeek holds a connection open while it works
                    int at = body.contains("held-") ? answer.length * 3 / 4 : answer.length;
                    out.write(answer, 0, at);
                    out.flush();
                    // a slow upstream: the rest a little at a time (never silent for the read timeout) until released
                    while (at < answer.length - 100 && !awaitRelease()) {
                        out.write(answer, at, 100);
                        out.flush();
                        at += 100;
                    }
                    out.write(answer, at, answer.length - at);
                    out.flush();
                    return;
                }
                if (body.contains("json-error")) {
                    json(out, "200 OK", "", "{\"error\":{\"message\":\"Service busy\",\"type\":\"server_error\"}}");
                    return;
                }
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                byte[] chunk = ("data: {\"id\":\"x\",\"object\":\"chat.completion.chunk\",\"created\":1,"
                        + "\"model\":\"deepseek-v4-flash\",\"choices\":[{\"index\":0,\"delta\":{\"content\":"
                        + "\"word word word word \"},\"finish_reason\":null}]}\n\n").getBytes(StandardCharsets.US_ASCII);
                if (body.contains("error-event")) { // vLLM's way: an error event mid-stream, [DONE] or a close after
                    if (!body.contains("error-event-first")) { // SGLang refuses a prompt too long so, before any chunk
                        out.write(chunk);
                    }
                    out.write(("data: {\"error\":{\"message\":\"Inference failed\",\"type\":\"server_error\","
                            + "\"param\":null,\"code\":500}}\n\n").getBytes(StandardCharsets.US_ASCII));
                    if (body.contains("then-done")) {
                        out.write("data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII));
                    }
                    out.flush();
                    return;
                }
                while (true) { // endless; a blocking write waits while the gateway has paused reading
                    out.write(chunk);
                }
            }
        }
    }

    /** Lets a held answer send its rest. */
    static volatile CountDownLatch release = new CountDownLatch(0);

    private static boolean awaitRelease() {
        try {
            return release.await(300, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    /** A whole JSON answer with this status line and extra header lines, then the connection closes. */
    private static void json(OutputStream out, String status, String headers, String body) throws IOException {
        byte[] json = body.getBytes(StandardCharsets.UTF_8);
        out.write(("HTTP/1.1 " + status + "\r\nContent-Type: application/json\r\n" + headers + "Connection: close\r\n"
                + "Content-Length: " + json.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(json);
        out.flush();
    }

    private static String key;

    @TestHTTPResource("/v1/chat/completions")
    URL chatUrl;
    @Inject
    AgroalDataSource dataSource;
    @Inject
    UsageLedger ledger;
    @Inject
    Upstreams upstreams;
    @Inject
    AnswerMemory answerMemory;

    @BeforeEach
    void setUp() {
        if (key == null) {
            key = issueKey(createTenant(uniqueSlug("odd")));
        }
        // several tests make the upstream fail on purpose: each starts with every endpoint in service
        upstreams.all().forEach(e -> e.breaker().reset());
    }

    @Test
    void aClientThatStopsReadingIsCutOffWithoutBlamingTheUpstream() throws Exception {
        CircuitBreaker breaker = breaker();
        int failedBefore = breaker.getMetrics().getNumberOfFailedCalls();
        String clientId = "stalled-" + UUID.randomUUID();
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(4096); // so that the gateway's write queue fills soon
            socket.connect(new InetSocketAddress(chatUrl.getHost(), chatUrl.getPort()));
            ClientCalls.send(socket, key, clientId, "{\"model\":\"deepseek-v4-flash\",\"stream\":true,"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"endless\"}]}");
            socket.getInputStream().read(new byte[64]); // the answer has begun; then nothing more is read
            ClientCalls.awaitRows(ledger, dataSource, clientId);
        }
        assertEquals(List.of("200 client_stalled true"), ClientCalls.recorded(dataSource,
                "http_status || ' ' || error_type || ' ' || usage_estimated", clientId));
        assertTrue(Long.parseLong(ClientCalls.recorded(dataSource, "completion_tokens", clientId).get(0)) > 0,
                "what was relayed is billed");
        assertEquals(failedBefore, breaker.getMetrics().getNumberOfFailedCalls(),
                "a client that stops reading says nothing about the upstream");
    }

    /**
     * An upstream that ends its stream with its own error event has told the client: the stream ends there, without
     * a second error from the gateway, and the ledger records the failure whether or not [DONE] followed: billed for
     * what was streamed, nothing when the error came first, and counted against the endpoint either way.
     */
    @Test
    void aStreamTheUpstreamEndsWithAnErrorEventCarriesThatErrorAloneAndIsRecordedAsFailed() throws Exception {
        for (String script : List.of("error-event-then-close", "error-event-then-done", "error-event-first-then-close",
                "error-event-first-then-done")) {
            breaker().reset();
            String clientId = script + "-" + UUID.randomUUID();
            String stream = ask(clientId, true, script).then().statusCode(200).extract().asString();
            assertEquals(1, stream.split("\"error\"", -1).length - 1, stream);
            assertTrue(stream.contains("Inference failed"), stream);
            ClientCalls.awaitRows(ledger, dataSource, clientId);
            assertEquals(List.of(script.contains("first") ? "upstream_stream_error unbilled"
                    : "upstream_stream_error estimated"), ClientCalls.recorded(dataSource, "error_type || ' ' || "
                    + "case when total_cost is null then 'unbilled' when usage_estimated then 'estimated' end",
                    clientId), script);
            assertEquals(1, breaker().getMetrics().getNumberOfFailedCalls(), script + ": a failure of the upstream");
        }
    }

    /**
     * Non-streamed answers are held whole until checked and recorded: past the memory they may hold together, a call
     * is told to retry (the SDKs retry a 503) instead of running the heap out, and the memory is given back. One the
     * whole memory could not hold is too large: a retry would not help.
     */
    @Test
    void anAnswerBeyondTheMemoryLeftForAnswersIsA503ToRetryAndTheMemoryIsGivenBack() throws Exception {
        release = new CountDownLatch(1);
        CompletableFuture<Response> held = CompletableFuture.supplyAsync(() -> ask("held-" + UUID.randomUUID(), false,
                "held-answer-of-80"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (answerMemory.held() < 100_000 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(answerMemory.held() >= 100_000, "three quarters of 80 KB read, counted twice");
        String clientId = "memory-full-" + UUID.randomUUID();
        ask(clientId, false, "answer-of-40").then().statusCode(503)
                .body("error.code", equalTo("gateway_memory_full"))
                .body("error.message", containsString("retry in a little while, or stream the answer"));
        release.countDown();
        held.get(30, TimeUnit.SECONDS).then().statusCode(200).body("usage.completion_tokens", equalTo(80 * 256));
        ClientCalls.awaitRows(ledger, dataSource, clientId);
        assertEquals(List.of("200 gateway_memory_full true"), ClientCalls.recorded(dataSource,
                "http_status || ' ' || error_type || ' ' || usage_estimated", clientId));
        assertEquals(0, breaker().getMetrics().getNumberOfFailedCalls(), "the endpoint did nothing wrong");

        ask("too-large-" + UUID.randomUUID(), false, "answer-of-100").then().statusCode(502)
                .body("error.code", equalTo("upstream_response_too_large"));
        for (int i = 0; i < 3; i++) { // each fits alone, and only if the ones before gave their memory back
            ask("fits-" + UUID.randomUUID(), false, "answer-of-40").then().statusCode(200)
                    .body("usage.completion_tokens", equalTo(40 * 256));
        }
        // an alias's large answer goes out around its renamed model, not as a copy: whole, and as long as it says
        Response aliased = given().header("Authorization", "Bearer " + key).contentType("application/json")
                .body("{\"model\":\"deepseek-chat\",\"messages\":[{\"role\":\"user\",\"content\":\"answer-of-80\"}]}")
                .post("/v1/chat/completions");
        aliased.then().statusCode(200).body("model", equalTo("deepseek-chat"))
                .body("usage.completion_tokens", equalTo(80 * 256));
        assertEquals(aliased.asByteArray().length, Integer.parseInt(aliased.header("Content-Length")));
        assertTrue(aliased.asString().contains("word word"), "the answer itself is as sent");
        // the same after the upstream's blank lines, which went out first with the 200: the rest follows in chunks
        Response afterBlankLines = given().header("Authorization", "Bearer " + key).contentType("application/json")
                .body("{\"model\":\"deepseek-chat\",\"messages\":[{\"role\":\"user\",\"content\":"
                        + "\"blank-answer-of-80\"}]}")
                .post("/v1/chat/completions");
        afterBlankLines.then().statusCode(200).body("model", equalTo("deepseek-chat"))
                .body("usage.completion_tokens", equalTo(80 * 256));
        assertTrue(afterBlankLines.asString().startsWith("\n\n\n{\"id\":\"x\""));
        assertEquals(aliased.asString(), afterBlankLines.asString().substring(3));
    }

    @Test
    void aSuccessfulStatusWhoseBodyIsAnErrorIsABadGatewayAndNotBilled() throws Exception {
        String clientId = "json-error-" + UUID.randomUUID();
        ask(clientId, false, "json-error").then().statusCode(502)
                .body("error.code", equalTo("upstream_invalid_answer"));
        ClientCalls.awaitRows(ledger, dataSource, clientId);
        assertEquals(List.of("upstream_invalid_answer unbilled"), ClientCalls.recorded(dataSource,
                "error_type || ' ' || coalesce(total_cost::text, 'unbilled')", clientId));
    }

    /** An upstream's 400 passes to the client, but not the gateway's upstream key, should the upstream quote it. */
    @Test
    void anUpstreamErrorThatQuotesTheUpstreamKeyReachesTheClientWithoutIt() throws Exception {
        String clientId = "key-echo-" + UUID.randomUUID();
        Response answer = ask(clientId, false, "key-echo");
        answer.then().statusCode(400).body("error.message", equalTo("Bad request from Bearer ***"));
        assertTrue(!answer.asString().contains("sk-raw"), answer.asString());
    }

    /**
     * A server that ignores "stream": true answers one JSON completion, which an SDK reading events takes for an
     * empty answer without error. It is a 502 the client can act on, as an event stream to a call that did not
     * ask for one is.
     */
    @Test
    void aCompletionInsteadOfTheStreamAskedForIsABadGateway() throws Exception {
        String clientId = "does-not-stream-" + UUID.randomUUID();
        ask(clientId, true, "does-not-stream").then().statusCode(502)
                .body("error.code", equalTo("upstream_invalid_answer"))
                .body("error.message", containsString("does not stream"));
        ClientCalls.awaitRows(ledger, dataSource, clientId);
        assertEquals(List.of("200 upstream_invalid_answer"), ClientCalls.recorded(dataSource,
                "http_status || ' ' || error_type", clientId));
    }

    /**
     * An upstream with a smaller body limit than the gateway's refuses the request as too large: the client's 413,
     * which no retry mends. It was a 502 "retry in a little while", which the SDKs retried.
     */
    @Test
    void anUpstreamThatFindsTheRequestTooLargeIsTheClientsFourThirteen() throws Exception {
        String clientId = "too-large-" + UUID.randomUUID();
        ask(clientId, false, "too-large-here").then().statusCode(413)
                .body("error.type", equalTo("invalid_request_error"))
                .body("error.code", equalTo("request_too_large"))
                .body("error.message", containsString("upstream"));
        ClientCalls.awaitRows(ledger, dataSource, clientId);
        assertEquals(List.of("1 upstream_http_413"), ClientCalls.recorded(dataSource,
                "attempt || ' ' || error_type", clientId), "not retried");
    }

    /** The only endpoint answers 404: a set-up matter the operator must mend, which an SDK must not retry. */
    @Test
    void anEndpointWithoutThePathIsReportedAsASetUpMatterNotToRetry() throws Exception {
        // 404: no such path or model; 405: a static site or a proxy's default route where the path is
        for (var script : Map.of("not-here", "404", "not-allowed", "405").entrySet()) {
            String clientId = script.getKey() + "-" + UUID.randomUUID();
            ask(clientId, false, script.getKey()).then().statusCode(502)
                    .header("X-Should-Retry", "false")
                    .body("error.code", equalTo("upstream_not_configured"))
                    .body("error.message", containsString("HTTP " + script.getValue()));
            ClientCalls.awaitRows(ledger, dataSource, clientId);
            assertEquals(List.of("1 upstream_http_" + script.getValue()), ClientCalls.recorded(dataSource,
                    "attempt || ' ' || error_type", clientId), "no retry of the one endpoint");
        }
    }

    @Test
    void anUpstreamsRetryAfterIsWaitedOutWhenShortAndPassedOnWhenLong() throws Exception {
        String shortWait = "retry-short-" + UUID.randomUUID();
        long started = System.nanoTime();
        ask(shortWait, false, "retry-after-1").then().statusCode(429).header("Retry-After", "1")
                .body("error.code", equalTo("upstream_rate_limited"));
        // a lower bound, not a timing target: the two retries each waited the second asked for
        assertTrue(System.nanoTime() - started >= 2_000_000_000L, "the upstream's wait was waited out");
        ClientCalls.awaitRows(ledger, dataSource, shortWait);
        assertEquals(List.of("1", "2", "3"), ClientCalls.recorded(dataSource, "attempt", shortWait),
                "a one-second wait is the gateway's to make: all its attempts were made");

        String longWait = "retry-long-" + UUID.randomUUID();
        ask(longWait, false, "retry-after-30").then().statusCode(429).header("Retry-After", "30");
        ClientCalls.awaitRows(ledger, dataSource, longWait);
        assertEquals(List.of("1"), ClientCalls.recorded(dataSource, "attempt", longWait),
                "half a minute is the client's to wait, not a call held open: no retry");
    }

    /** With two endpoints, a retry coming back to the first waits out what the first asked for. */
    @Test
    void aRetryThatComesBackToAnEndpointWaitsOutItsRetryAfter() throws Exception {
        String clientId = "retry-two-" + UUID.randomUUID();
        long started = System.nanoTime();
        given().header("Authorization", "Bearer " + key).header("X-Client-Request-Id", clientId)
                .contentType("application/json")
                .body("{\"model\":\"deepseek-v4-pro\",\"messages\":[{\"role\":\"user\",\"content\":\"retry-after-2\"}]}")
                .post("/v1/chat/completions").then().statusCode(429).header("Retry-After", "2");
        // a lower bound, not a timing target: the third attempt went back to the first endpoint two seconds on
        assertTrue(System.nanoTime() - started >= 2_000_000_000L, "the first endpoint's wait was waited out");
        ledger.flush(); // the answer came after every attempt was recorded
        List<String> endpoints = ClientCalls.recorded(dataSource, "upstream", clientId);
        assertEquals(3, endpoints.size(), endpoints.toString());
        assertTrue(!endpoints.get(0).equals(endpoints.get(1)) && endpoints.get(0).equals(endpoints.get(2)),
                "the second attempt went to the other endpoint, the third came back: " + endpoints);
    }

    /** A Flash call under the client's own id, whose message tells the scripted upstream how to answer. */
    private static Response ask(String clientId, boolean stream, String script) {
        return given().header("Authorization", "Bearer " + key).header("X-Client-Request-Id", clientId)
                .contentType("application/json")
                .body("{\"model\":\"deepseek-v4-flash\"," + (stream ? "\"stream\":true," : "")
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"" + script + "\"}]}")
                .post("/v1/chat/completions");
    }

    private CircuitBreaker breaker() {
        return upstreams.all().stream().filter(e -> e.name().equals("deepseek")).findFirst().orElseThrow().breaker();
    }

}
