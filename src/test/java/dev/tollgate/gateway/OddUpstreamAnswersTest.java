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
import dev.tollgate.upstream.Upstreams;
import io.agroal.api.AgroalDataSource;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Answers a real upstream may give that the simulator does not: an endless stream its client stops reading, a
 * stream that holds the connection with keep-alive comments and closes before answering, and a 200 whose JSON is
 * an error. Each attempt is recorded, billed only for what the upstream made, and blamed on whoever caused it.
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

    /** Answers each request by the word its body contains: endless, keep-alive-then-close, or json-error. */
    public static class ScriptedUpstream implements QuarkusTestResourceLifecycleManager {
        private ServerSocket server;

        @Override
        public Map<String, String> start() {
            try {
                server = new ServerSocket(0);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            Thread t = new Thread(this::serve, "scripted-upstream");
            t.setDaemon(true);
            t.start();
            String p = "tollgate.upstream.endpoints.deepseek.";
            return Map.of("tollgate.simulator.enabled", "false",
                    p + "base-url", "http://127.0.0.1:" + server.getLocalPort(),
                    p + "api-key", "sk-scripted",
                    p + "models", "deepseek-v4-flash,deepseek-v4-pro",
                    p + "read-timeout", "2s");
        }

        private void serve() {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    Thread t = new Thread(() -> answer(s), "scripted-upstream-call");
                    t.setDaemon(true);
                    t.start();
                } catch (IOException closed) {
                    return;
                }
            }
        }

        private static void answer(Socket s) {
            try (s) {
                String body = readRequest(s.getInputStream());
                OutputStream out = s.getOutputStream();
                if (body.contains("json-error")) {
                    byte[] json = "{\"error\":{\"message\":\"Service busy\",\"type\":\"server_error\"}}"
                            .getBytes(StandardCharsets.UTF_8);
                    out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
                            + "Content-Length: " + json.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(json);
                    out.flush();
                    return;
                }
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                if (body.contains("keep-alive-then-close")) {
                    out.write(": keep-alive\n\n: keep-alive\n\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    return; // closes: inference never started
                }
                byte[] chunk = ("data: {\"id\":\"x\",\"object\":\"chat.completion.chunk\",\"created\":1,"
                        + "\"model\":\"deepseek-v4-flash\",\"choices\":[{\"index\":0,\"delta\":{\"content\":"
                        + "\"word word word word \"},\"finish_reason\":null}]}\n\n").getBytes(StandardCharsets.US_ASCII);
                while (true) { // endless; a blocking write waits while the gateway has paused reading
                    out.write(chunk);
                }
            } catch (IOException gone) {
                // the gateway closed the connection
            }
        }

        private static String readRequest(InputStream in) throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("closed");
                }
                head.write(b);
            }
            String length = head.toString(StandardCharsets.US_ASCII).lines()
                    .filter(l -> l.toLowerCase().startsWith("content-length:")).findFirst().orElseThrow();
            return new String(in.readNBytes(Integer.parseInt(length.substring(length.indexOf(':') + 1).trim())),
                    StandardCharsets.UTF_8);
        }

        @Override
        public void stop() {
            try {
                server.close();
            } catch (IOException ignored) {
                // the test is over
            }
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
    Upstreams upstreams;

    @BeforeEach
    void setUp() {
        if (key == null) {
            key = issueKey(createTenant(uniqueSlug("odd")));
        }
    }

    @Test
    void aClientThatStopsReadingIsCutOffWithoutBlamingTheUpstream() throws Exception {
        CircuitBreaker breaker = breaker();
        int failedBefore = breaker.getMetrics().getNumberOfFailedCalls();
        String clientId = "stalled-" + UUID.randomUUID();
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(4096); // so that the gateway's write queue fills soon
            socket.connect(new InetSocketAddress(chatUrl.getHost(), chatUrl.getPort()));
            send(socket, clientId, "{\"model\":\"deepseek-v4-flash\",\"stream\":true,"
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

    @Test
    void aStreamThatClosesBeforeItsAnswerBeganIsNotBilled() throws Exception {
        String clientId = "unbegun-" + UUID.randomUUID();
        given().header("Authorization", "Bearer " + key).header("X-Client-Request-Id", clientId)
                .contentType("application/json")
                .body("{\"model\":\"deepseek-v4-flash\",\"stream\":true,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"keep-alive-then-close\"}]}")
                .post("/v1/chat/completions").then().statusCode(200)
                .body(containsString("upstream_disconnect"));
        ClientCalls.awaitRows(ledger, dataSource, clientId);
        assertEquals(List.of("upstream_disconnect unbilled"), ClientCalls.recorded(dataSource,
                "error_type || ' ' || coalesce(total_cost::text, 'unbilled')", clientId),
                "the upstream never started on it: nothing to bill");
    }

    @Test
    void aSuccessfulStatusWhoseBodyIsAnErrorIsABadGatewayAndNotBilled() throws Exception {
        String clientId = "json-error-" + UUID.randomUUID();
        given().header("Authorization", "Bearer " + key).header("X-Client-Request-Id", clientId)
                .contentType("application/json")
                .body("{\"model\":\"deepseek-v4-flash\",\"messages\":[{\"role\":\"user\",\"content\":\"json-error\"}]}")
                .post("/v1/chat/completions").then().statusCode(502)
                .body("error.code", equalTo("upstream_invalid_answer"));
        ClientCalls.awaitRows(ledger, dataSource, clientId);
        assertEquals(List.of("upstream_invalid_answer unbilled"), ClientCalls.recorded(dataSource,
                "error_type || ' ' || coalesce(total_cost::text, 'unbilled')", clientId));
    }

    private CircuitBreaker breaker() {
        return upstreams.all().stream().filter(e -> e.name().equals("deepseek")).findFirst().orElseThrow().breaker();
    }

    private void send(Socket socket, String clientId, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        OutputStream out = socket.getOutputStream();
        out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + key
                + "\r\nX-Client-Request-Id: " + clientId + "\r\nContent-Type: application/json\r\nContent-Length: "
                + bytes.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(bytes);
        out.flush();
    }
}
