package dev.tollgate.gateway;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.oneOf;
import static dev.tollgate.testing.TestData.createTenant;
import static dev.tollgate.testing.TestData.issueKey;
import static dev.tollgate.testing.TestData.uniqueSlug;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.InternalServerException;
import com.openai.errors.OpenAIServiceException;
import com.openai.errors.SseException;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.tollgate.testing.SeparateSimulator;
import dev.tollgate.ledger.UsageLedger;
import dev.tollgate.upstream.Upstreams;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URL;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Upstream failures that need upstream settings of their own, seen through the official OpenAI SDK: a read
 * timeout short enough to reach (504), and an endpoint nobody listens on (502). The upstream here is a
 * simulator in its own Vert.x, configured as an ordinary upstream endpoint with an API key of its own.
 */
@QuarkusTest
@TestProfile(OpenAiSdkUpstreamFailureTest.ShortTimeouts.class)
class OpenAiSdkUpstreamFailureTest {

    static final String UPSTREAM_KEY = "sk-upstream-secret-7f3a9c2e51d04b8a";
    static final String UNREACHABLE_KEY = "sk-upstream-secret-unreachable-c0ffee42";

    public static class ShortTimeouts implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(SeparateUpstream.class));
        }
    }

    /** A simulator on its own port as Flash's only upstream, and a port nobody listens on for Pro. */
    public static class SeparateUpstream extends SeparateSimulator {
        @Override
        protected String apiKey() {
            return UPSTREAM_KEY;
        }

        @Override
        protected Map<String, String> config(String simulatorBaseUrl) {
            int unusedPort;
            try (ServerSocket socket = new ServerSocket(0)) {
                unusedPort = socket.getLocalPort();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return Map.ofEntries(
                    Map.entry("tollgate.upstream.endpoints.deepseek.base-url", simulatorBaseUrl),
                    Map.entry("tollgate.upstream.endpoints.deepseek.api-key", UPSTREAM_KEY),
                    Map.entry("tollgate.upstream.endpoints.deepseek.models", "deepseek-v4-flash"),
                    Map.entry("tollgate.upstream.endpoints.deepseek.read-timeout", "1s"),
                    Map.entry("tollgate.upstream.endpoints.nobody.base-url", "http://127.0.0.1:" + unusedPort),
                    Map.entry("tollgate.upstream.endpoints.nobody.api-key", UNREACHABLE_KEY),
                    Map.entry("tollgate.upstream.endpoints.nobody.models", "deepseek-v4-pro"),
                    Map.entry("tollgate.upstream.endpoints.nobody.connect-timeout", "1s"));
        }
    }

    private static String key;

    @Inject
    Upstreams upstreams;
    @Inject
    UsageLedger ledger;
    @Inject
    DataSource dataSource;

    @TestHTTPResource("/v1")
    URL baseUrl;

    private OpenAIClient client;

    @BeforeEach
    void setUp() {
        SeparateSimulator.simulator().reset();
        if (key == null) {
            key = issueKey(createTenant(uniqueSlug("upfail")));
        }
        // an overall timeout, as applications set one: a gateway that hangs fails these tests instead of stalling them
        client = OpenAIOkHttpClient.builder().baseUrl(baseUrl.toString()).apiKey(key)
                .timeout(Duration.ofSeconds(30)).build();
    }

    @AfterEach
    void tearDown() {
        client.close();
        upstreams.all().forEach(e -> e.breaker().reset());
    }

    @Test
    void anUpstreamThatNeverAnswersIsAGatewayTimeout() {
        // one try, so that the upstream's calls count Tollgate's retries alone (not closed: it shares the client's
        // connections)
        OpenAIClient once = client.withOptions(o -> o.maxRetries(0));
        InternalServerException e = assertThrows(InternalServerException.class, () -> once.chat().completions()
                .create(ask("deepseek-v4-flash", "Hi [[sim:fault=timeout]]").build()));
        assertError(e, 504, "upstream_timeout");
        // Tollgate does not retry a timeout, it gives up on it
        assertEquals(1, SeparateSimulator.simulator().stats().snapshot().chatRequests(), "upstream calls");

        InternalServerException streamed = assertThrows(InternalServerException.class,
                () -> stream(ask("deepseek-v4-flash", "Hi [[sim:fault=timeout]]").build()));
        assertError(streamed, 504, "upstream_timeout");
    }

    @Test
    void anUpstreamStallingMidStreamEndsTheStreamWithAnError() {
        SseException e = assertThrows(SseException.class,
                () -> stream(ask("deepseek-v4-flash", "Tell me a story [[sim:fault=stall-mid-stream]]").build()));
        // silent for the read timeout after half the answer: a timeout, not a broken connection
        assertEquals(Optional.of("upstream_timeout"), e.code());
        assertNoKey(e);
        assertEquals(1, SeparateSimulator.simulator().stats().snapshot().chatRequests(), "no retry after the first byte");
    }

    @Test
    void anUpstreamStallingMidAnswerIsAGatewayTimeoutNotAHang() throws Exception {
        InternalServerException e = assertThrows(InternalServerException.class, () -> client.chat().completions()
                .create(ask("deepseek-v4-flash", "Tell me a story [[sim:fault=stall-mid-stream]]").build()));
        assertError(e, 504, "upstream_timeout");

        // the half that came is billed, as an estimate, on a row that says what happened
        String requestId = given().header("Authorization", "Bearer " + key).contentType("application/json")
                .body("{\"model\":\"deepseek-v4-flash\",\"messages\":[{\"role\":\"user\",\"content\":"
                        + "\"Tell me a story [[sim:fault=stall-mid-stream]]\"}]}")
                .post("/v1/chat/completions").then().statusCode(504).body("error.code", equalTo("upstream_timeout"))
                .extract().header("X-Request-Id");
        ledger.flush();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "select error_type, usage_estimated, completion_tokens from usage_ledger where request_id = ?")) {
            ps.setString(1, requestId);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next(), "the attempt is recorded");
                assertEquals("upstream_timeout", rs.getString(1));
                assertTrue(rs.getBoolean(2), "estimated");
                assertTrue(rs.getLong(3) > 0, "the half answer that came is billed");
                assertFalse(rs.next(), "one attempt: a timeout is not retried");
            }
        }
    }

    @Test
    void aFailingEndpointIsTakenOutByItsCircuitBreaker() {
        String body = "{\"model\":\"deepseek-v4-pro\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";
        var breaker = upstreams.all().stream().filter(e -> e.name().equals("nobody")).findFirst().orElseThrow().breaker();
        for (int i = 0; i < 10 && breaker.getState() != CircuitBreaker.State.OPEN; i++) {
            // 502 from its retries, or 503 for the call whose retries opened the breaker: no attempt follows then
            given().header("Authorization", "Bearer " + key).contentType("application/json")
                    .body(body).post("/v1/chat/completions").then().statusCode(oneOf(502, 503));
        }
        assertEquals(CircuitBreaker.State.OPEN, breaker.getState());
        // with its only endpoint out, Pro is answered at once instead of waiting on connections that fail
        given().header("Authorization", "Bearer " + key).contentType("application/json")
                .body(body).post("/v1/chat/completions").then().statusCode(503)
                .body("error.code", equalTo("upstream_unavailable"));
    }

    @Test
    void anUnreachableUpstreamIsABadGateway() {
        InternalServerException e = assertThrows(InternalServerException.class,
                () -> client.chat().completions().create(ask("deepseek-v4-pro", "Hi").build()));
        // Tollgate's three failed connects, which the SDK does not retry on top
        assertError(e, 502, "upstream_unreachable");
        assertEquals(List.of("false"), e.headers().values("X-Should-Retry"));
    }

    @Test
    void theUpstreamKeyIsSentUpstreamAndNowhereElse() {
        String answer = client.chat().completions().create(ask("deepseek-v4-flash", "Hi").build())
                .choices().get(0).message().content().orElseThrow();
        assertFalse(answer.isBlank(), "the simulator accepted the configured upstream key");
        for (String fault : List.of("400", "401", "402", "422", "500")) {
            OpenAIServiceException e = assertThrows(OpenAIServiceException.class, () -> client.chat().completions()
                    .create(ask("deepseek-v4-flash", "Hi [[sim:fault=" + fault + "]]").build()));
            assertNoKey(e);
        }
    }

    @Test
    void anOnlyEndpointRefusingItsKeyKeepsSayingSoAndIsNotTakenOut() {
        // more refusals than the breaker's window needs to open: an open breaker would answer a vague 503
        for (int i = 0; i < 12; i++) {
            InternalServerException e = assertThrows(InternalServerException.class, () -> client.chat().completions()
                    .create(ask("deepseek-v4-flash", "Hi [[sim:fault=401]]").build()));
            assertError(e, 502, "upstream_auth_failed");
        }
    }

    private static ChatCompletionCreateParams.Builder ask(String model, String text) {
        return ChatCompletionCreateParams.builder().model(model).addUserMessage(text);
    }

    private List<ChatCompletionChunk> stream(ChatCompletionCreateParams params) {
        try (StreamResponse<ChatCompletionChunk> response = client.chat().completions().createStreaming(params)) {
            return response.stream().toList();
        }
    }

    private static void assertError(OpenAIServiceException e, int status, String code) {
        assertEquals(status, e.statusCode(), e.getMessage());
        assertEquals(Optional.of(code), e.code(), e.getMessage());
        assertEquals(Optional.of("api_error"), e.type());
        assertNoKey(e);
    }

    private static void assertNoKey(OpenAIServiceException e) {
        String everything = e.getMessage() + " " + e.body() + " " + e.headers().names().stream()
                .map(n -> n + "=" + e.headers().values(n)).toList();
        for (String secret : List.of(UPSTREAM_KEY, UNREACHABLE_KEY)) {
            assertFalse(everything.contains(secret), everything);
            assertFalse(everything.contains(secret.substring(secret.length() - 4)), everything);
        }
    }
}
