package dev.tollgate.gateway;

import static dev.tollgate.testing.TestData.createTenant;
import static dev.tollgate.testing.TestData.issueKey;
import static dev.tollgate.testing.TestData.uniqueSlug;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.ledger.UsageLedger;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
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
    public static class HalfAnsweringUpstream extends RawUpstream {
        static final CountDownLatch halfAnswered = new CountDownLatch(1);

        @Override
        protected String readTimeout() {
            return "60s";
        }

        @Override
        protected void answer(Socket s, String body) throws IOException {
            OutputStream out = s.getOutputStream();
            out.write(("HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n"
                    + "{\"error\":{\"message\":\"Rate limit").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            halfAnswered.countDown(); // and the socket is kept open, the rest never sent
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
