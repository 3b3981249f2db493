package dev.tollgate.gateway;

import static dev.tollgate.testing.TestData.createTenant;
import static dev.tollgate.testing.TestData.issueKey;
import static dev.tollgate.testing.TestData.uniqueSlug;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.ledger.UsageLedger;
import io.agroal.api.AgroalDataSource;
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
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A call the upstream refused is never billed, even when its client leaves while the refusal comes in. */
@QuarkusTest
@TestProfile(RefusedCallTest.SlowRefusal.class)
class RefusedCallTest {

    public static class SlowRefusal implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(HalfAnsweringUpstream.class));
        }
    }

    /** Reads each request, then sends a 429's status line and the start of its body, and nothing more. */
    public static class HalfAnsweringUpstream implements QuarkusTestResourceLifecycleManager {
        static final CountDownLatch halfAnswered = new CountDownLatch(1);
        private ServerSocket server;
        private final List<Socket> open = new CopyOnWriteArrayList<>(); // added by its thread, closed by stop()

        @Override
        public Map<String, String> start() {
            try {
                server = new ServerSocket(0);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            Thread t = new Thread(this::serve, "half-answering-upstream");
            t.setDaemon(true);
            t.start();
            String p = "tollgate.upstream.endpoints.deepseek.";
            return Map.of("tollgate.simulator.enabled", "false",
                    p + "base-url", "http://127.0.0.1:" + server.getLocalPort(),
                    p + "api-key", "sk-refusing",
                    p + "models", "deepseek-v4-flash,deepseek-v4-pro",
                    p + "read-timeout", "60s");
        }

        private void serve() {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    open.add(s);
                    readRequest(s.getInputStream());
                    OutputStream out = s.getOutputStream();
                    out.write(("HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n"
                            + "{\"error\":{\"message\":\"Rate limit").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    halfAnswered.countDown();
                } catch (IOException closed) {
                    return;
                }
            }
        }

        private static void readRequest(InputStream in) throws IOException {
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
            in.readNBytes(Integer.parseInt(length.substring(length.indexOf(':') + 1).trim()));
        }

        @Override
        public void stop() {
            try {
                server.close();
                for (Socket s : open) {
                    s.close();
                }
            } catch (IOException ignored) {
                // the test is over
            }
        }
    }

    @TestHTTPResource("/v1/chat/completions")
    URL chatUrl;
    @Inject
    AgroalDataSource dataSource;
    @Inject
    UsageLedger ledger;

    @Test
    void aClientLeavingWhileTheUpstreamsRefusalArrivesIsNotBilled() throws Exception {
        String key = issueKey(createTenant(uniqueSlug("refused")));
        String clientId = "refused-" + UUID.randomUUID();
        try (Socket client = ClientCalls.post(chatUrl, key, clientId)) {
            assertTrue(HalfAnsweringUpstream.halfAnswered.await(30, TimeUnit.SECONDS), "the upstream was called");
            // for the gateway to read the status line that came in just now; generous for a loaded machine, and
            // far inside the 60 s read timeout
            Thread.sleep(3000);
        } // the client leaves while the rest of the refusal never comes

        ClientCalls.awaitRows(ledger, dataSource, clientId);
        List<String> rows = ClientCalls.recorded(dataSource,
                "http_status || ' ' || error_type || ' ' || coalesce(total_cost::text, 'unbilled')", clientId);
        assertEquals(List.of("429 upstream_http_429 unbilled"), rows,
                "recorded as the upstream answered, and nothing billed for a call it refused");
    }
}
