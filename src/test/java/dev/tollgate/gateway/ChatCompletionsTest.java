package dev.tollgate.gateway;

import static dev.tollgate.testing.TestData.createTenant;
import static dev.tollgate.testing.TestData.issueKey;
import static dev.tollgate.testing.TestData.uniqueSlug;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.ledger.UsageLedger;
import dev.tollgate.simulator.EmbeddedSimulator;
import dev.tollgate.testing.LogCapture;
import dev.tollgate.testing.PostgresResource;
import dev.tollgate.upstream.Upstreams;
import io.agroal.api.AgroalDataSource;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * POST /v1/chat/completions as a client notices it, over plain HTTP: what reaches the upstream, what comes
 * back, the stream's shape, retries, cancellation and errors. The upstream is the built-in simulator.
 */
@QuarkusTest
@QuarkusTestResource(PostgresResource.class)
class ChatCompletionsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private static String key;
    /** What the upstream sees as user_id for this test's tenant when the client sends none: its cache space. */
    private static String tenantSpace;

    @Inject
    EmbeddedSimulator embedded;
    @Inject
    Upstreams upstreams;
    @Inject
    AgroalDataSource dataSource;
    @Inject
    MeterRegistry registry;
    @Inject
    UsageLedger ledger;

    @TestHTTPResource("/v1/chat/completions")
    URL chatUrl;

    private SimulatorControl sim;

    @BeforeEach
    void setUp() throws Exception {
        sim = new SimulatorControl(embedded.baseUrl(), upstreams);
        sim.reset();
        if (key == null) {
            String slug = createTenant(uniqueSlug("chat"));
            key = issueKey(slug);
            tenantSpace = "t" + tenantId(slug);
        }
    }

    @AfterEach
    void tearDown() {
        sim.reset(); // no queued fault or open breaker leaks into the next test
    }

    // ------------------------------------------------------------------ what reaches the upstream

    @Test
    void forwardsEveryFieldIncludingUnknownOnesUnchanged() throws Exception {
        String body = """
                {"model":"deepseek-v4-flash",
                 "messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"What is 1+1?"}],
                 "thinking":{"type":"enabled"},"reasoning_effort":"max","max_tokens":300,"temperature":0.3,
                 "top_p":0.9,"stop":["\\n\\n"],"logprobs":true,"top_logprobs":2,"user_id":"end-user_42",
                 "frequency_penalty":0,"presence_penalty":0,
                 "x_future_field":{"nested":[1,2.5,"three",null,true]},"another_unknown":"kept"}""";
        chat(body).then().statusCode(200);

        JsonNode received = sim.lastRequest();
        assertEquals(inTenantSpace(body, tenantSpace + "_end-user_42"), received.path("body"),
                "the upstream got the client's body unchanged, user_id in the tenant's cache space");
        // the upstream sees the gateway's own key, never the tenant's
        String upstreamKey = sim.upstreamKeys().get(0);
        assertEquals("Bearer ****" + upstreamKey.substring(upstreamKey.length() - 4),
                received.path("headers").path("authorization").asText());
    }

    @Test
    void forwardsAStreamingRequestUnchangedApartFromAskingForUsage() throws Exception {
        String withoutUsage = """
                {"model":"deepseek-v4-flash","stream":true,"x_vendor":{"a":1},
                 "messages":[{"role":"user","content":"Hi"}]}""";
        sse(withoutUsage);
        ObjectNode expected = inTenantSpace(withoutUsage, tenantSpace);
        expected.putObject("stream_options").put("include_usage", true); // usage is money: Tollgate always asks
        assertEquals(expected, sim.lastRequest().path("body"));

        String withUsage = """
                {"model":"deepseek-v4-flash","stream":true,"stream_options":{"include_usage":true},"x_vendor":[true],
                 "messages":[{"role":"user","content":"Hi"}]}""";
        sse(withUsage);
        assertEquals(inTenantSpace(withUsage, tenantSpace), sim.lastRequest().path("body"));
    }

    /**
     * All tenants share the upstream account, whose prompt cache is kept per user_id and whose answers report
     * cache hits: a tenant must not be able to tell, or share, what another tenant has cached.
     */
    @Test
    void eachTenantHasAPromptCacheOfItsOwn() throws Exception {
        String otherSlug = createTenant(uniqueSlug("cache-other"));
        String otherKey = issueKey(otherSlug);
        String otherSpace = "t" + tenantId(otherSlug);
        String prompt = "You are the support assistant of a company whose prompt is its own. ".repeat(20);
        String body = userMessage(prompt, false);

        assertEquals(0, cacheHits(key, body), "first call of the prompt");
        assertTrue(cacheHits(key, body) >= 64, "the same tenant's second call hits its cache");
        assertEquals(tenantSpace, sim.lastRequest().path("body").path("user_id").asText());
        assertEquals(0, cacheHits(otherKey, body), "another tenant cannot see it is cached");
        assertEquals(otherSpace, sim.lastRequest().path("body").path("user_id").asText());
        // nor reach it by naming the first tenant's space as its user_id
        ObjectNode posing = (ObjectNode) JSON.readTree(body);
        posing.put("user_id", tenantSpace);
        assertEquals(0, cacheHits(otherKey, posing.toString()));
        assertEquals(otherSpace + "_" + tenantSpace, sim.lastRequest().path("body").path("user_id").asText());

        // within a tenant, user_id keeps separating its own users, as DeepSeek's does
        posing.put("user_id", "alice");
        assertEquals(0, cacheHits(key, posing.toString()));
        assertTrue(cacheHits(key, posing.toString()) >= 64);
        posing.put("user_id", "bob");
        assertEquals(0, cacheHits(key, posing.toString()));
    }

    private long cacheHits(String tenantKey, String body) {
        return given().header("Authorization", "Bearer " + tenantKey).contentType(ContentType.JSON).body(body)
                .post("/v1/chat/completions").then().statusCode(200).extract().jsonPath()
                .getLong("usage.prompt_cache_hit_tokens");
    }

    /** The body as the upstream should get it: as sent, with user_id in the tenant's cache space. */
    private static ObjectNode inTenantSpace(String body, String userId) throws Exception {
        ObjectNode expected = (ObjectNode) JSON.readTree(body);
        expected.put("user_id", userId);
        return expected;
    }

    private long tenantId(String slug) throws Exception {
        try (var c = dataSource.getConnection(); var st = c.prepareStatement("select id from tenant where slug = ?")) {
            st.setString(1, slug);
            try (var rs = st.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    // ------------------------------------------------------------------ what comes back

    @Test
    void returnsTheUpstreamBodyUnchangedWithTollgateHeaders() throws Exception {
        String body = """
                {"model":"deepseek-v4-flash","messages":[{"role":"user","content":"Say hello to the gateway."}]}""";
        Response viaGateway = chat(body, "X-Client-Request-Id", "client-req-0001");
        viaGateway.then().statusCode(200)
                .contentType(startsWith("application/json"))
                .header("X-Request-Id", matchesPattern("[0-9a-f-]{36}"))
                .header("X-Client-Request-Id", "client-req-0001")
                .header("X-Tollgate-Model", "deepseek-v4-flash");
        String direct = direct(body).body();

        assertEquals(withoutIds(direct), withoutIds(viaGateway.asString()),
                "byte for byte the upstream's answer, apart from its random id and timestamp");

        // a client id that is not sane is not echoed; the request id is Tollgate's either way
        chat(body, "X-Client-Request-Id", "not a sane id!").then().statusCode(200)
                .header("X-Request-Id", matchesPattern("[0-9a-f-]{36}"))
                .header("X-Client-Request-Id", nullValue());
        chat(body).then().statusCode(200).header("X-Request-Id", matchesPattern("[0-9a-f-]{36}"))
                .header("X-Client-Request-Id", nullValue());
    }

    @Test
    void aNonStreamingAnswerHeldOpenWithBlankLinesArrivesAsPlainJson() {
        chat(userMessage("Hi [[sim:fault=blank-lines]]", false)).then().statusCode(200)
                .body("object", equalTo("chat.completion"))
                .body("choices[0].finish_reason", equalTo("stop"));
    }

    @Test
    void aSlowNonStreamedAnswerBeatsAClientTimeoutThatOnlyCoversTheWaitForHeaders() throws Exception {
        // The OpenAI SDKs' timeout runs until the response headers. The upstream takes 6 s to its first token and,
        // as DeepSeek does, holds the response open meanwhile with a blank line each second, its 200 already sent:
        // called directly, a 3 s timeout is met; so it must be through the gateway.
        HttpRequest request = HttpRequest.newBuilder(URI.create(chatUrl.toString())).timeout(Duration.ofSeconds(3))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(userMessage("Hi [[sim:latency=6000/1000]]", false))).build();
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        assertTrue(response.body().startsWith("\n"), "the upstream's blank lines came first");
        JsonNode answer = JSON.readTree(response.body());
        assertEquals("chat.completion", answer.get("object").asText());
        assertEquals("deepseek-v4-flash", response.headers().firstValue("X-Tollgate-Model").orElseThrow());
    }

    @Test
    void aNonStreamedAnswerThatBreaksOffAfterItsBlankLinesBreaksTheClientsConnection() {
        // Its 200 is out with the blank lines, so no 502 can follow: the client must not take what came for an answer.
        HttpRequest request = HttpRequest.newBuilder(URI.create(chatUrl.toString())).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        userMessage("Hi [[sim:fault=blank-lines,disconnect-mid-stream]]", false))).build();
        assertThrows(IOException.class, () -> HTTP.send(request, HttpResponse.BodyHandlers.ofString()));
    }

    @Test
    void aJsonBodyDeclaredAsAFormAsCurlDashDSendsItIsStillRead() throws Exception {
        // curl -d without a Content-Type header declares a form; the prompt is long and has a "%" in it
        String body = userMessage("Summarise: prices fell 20% off peak. " + "More context. ".repeat(300), false);
        HttpRequest request = HttpRequest.newBuilder(URI.create(chatUrl.toString())).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());

        assertEquals(200, response.statusCode(), response.body());
        assertEquals("chat.completion", JSON.readTree(response.body()).path("object").asText());
        assertEquals(inTenantSpace(body, tenantSpace), sim.lastRequest().path("body"));
    }

    @Test
    void streamingRelaysKeepAliveCommentsAndEndsWithDone() throws Exception {
        HttpResponse<String> response = sse(userMessage("Hi [[sim:fault=keep-alive]]", true));
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
        assertEquals("deepseek-v4-flash", response.headers().firstValue("X-Tollgate-Model").orElse(null));
        assertTrue(response.headers().firstValue("X-Request-Id").isPresent());

        List<String> lines = response.body().lines().filter(l -> !l.isEmpty()).toList();
        assertEquals(3, lines.stream().filter(": keep-alive"::equals).count(), response.body());
        assertEquals("data: [DONE]", lines.get(lines.size() - 1));
        assertTrue(response.body().endsWith("data: [DONE]\n\n"));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"", "Connection: keep-alive\r\n"})
    void aStreamReachesAnHttp10ClientWhichHasNoChunkedEncoding(String connection) throws Exception {
        // nginx proxies in HTTP/1.0 unless told otherwise: the stream is as long as the connection
        String clientId = "http10-" + UUID.randomUUID();
        byte[] body = userMessage("Hi", true).getBytes(StandardCharsets.UTF_8);
        String answer;
        try (Socket socket = new Socket(chatUrl.getHost(), chatUrl.getPort())) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.0\r\nAuthorization: Bearer " + key + "\r\nX-Client-Request-Id: "
                    + clientId + "\r\n" + connection + "Content-Type: application/json\r\nContent-Length: " + body.length
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8); // to the close
        }
        assertTrue(answer.startsWith("HTTP/1.0 200"), answer);
        assertFalse(answer.toLowerCase().contains("transfer-encoding"), answer);
        assertTrue(answer.endsWith("data: [DONE]\n\n"), answer);
        ClientCalls.awaitRows(ledger, dataSource, clientId);
        assertEquals(List.of("200 ok"), ClientCalls.recorded(dataSource,
                "http_status || ' ' || coalesce(error_type, 'ok')", clientId));
    }

    /**
     * Tollgate always asks the upstream for usage; the client still gets exactly the stream it asked for,
     * whichever of the two usage forms the upstream uses: event for event what the upstream itself would send,
     * except that usage the client asked for always comes in OpenAI's documented form, a final chunk of its own.
     */
    @Test
    void aStreamEndsAtDoneEvenWhenTheUpstreamKeepsItsResponseOpen() {
        // Some OpenAI-compatible servers send [DONE] and leave the response open until they time out.
        HttpResponse<String> response = sse(userMessage("Hi [[sim:fault=hold-after-done]]", true));
        assertEquals(200, response.statusCode());
        assertTrue(response.body().endsWith("data: [DONE]\n\n"), response.body());
        assertFalse(response.body().contains("\"error\""), "a whole answer, not a broken one: " + response.body());
        // nor does the held response keep its upstream connection and slot
        JsonNode stats = sim.awaitStats("the held response let go", s -> s.path("inFlightTotal").asInt() == 0);
        assertEquals(1, stats.path("cancelled").asLong());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"unterminated-done", "no-done"})
    void aWholeStreamEndsWellHoweverTheUpstreamFramesItsEnd(String fault) throws Exception {
        // Some OpenAI-compatible servers close right after "data: [DONE]", without the blank line that ends an
        // event, or after the usage chunk without [DONE]. The answer is whole either way.
        String clientId = "framing-" + UUID.randomUUID();
        HttpResponse<String> response = send(URI.create(chatUrl.toString()), "Bearer " + key,
                userMessage("Hi [[sim:fault=" + fault + "]]", true), "X-Client-Request-Id", clientId);
        assertEquals(200, response.statusCode());
        assertTrue(response.body().endsWith("\n\ndata: [DONE]\n\n"), response.body());
        assertFalse(response.body().contains("\"error\""), "a whole answer, not a broken one: " + response.body());
        List<JsonNode> events = events(response.body());
        assertEquals("stop", events.get(events.size() - 1).path("choices").path(0).path("finish_reason").asText());

        ClientCalls.awaitRows(ledger, dataSource, clientId);
        assertEquals(List.of("200 ok reported"), ClientCalls.recorded(dataSource, "http_status || ' '"
                + " || coalesce(error_type, 'ok') || ' ' || case when usage_estimated then 'estimated' else 'reported' end",
                clientId), "recorded as a success, with the upstream's usage");
    }

    @ParameterizedTest(name = "usage form {0}, include_usage {1}")
    @CsvSource({"live,true", "live,false", "documented,true", "documented,false"})
    void givesTheClientExactlyTheStreamShapeItAskedFor(String usageForm, boolean includeUsage) throws Exception {
        ObjectNode body = (ObjectNode) JSON.readTree(userMessage(
                "Count to three. [[sim:usage=" + usageForm + "]]", true));
        if (includeUsage) {
            body.putObject("stream_options").put("include_usage", true);
        }
        String request = JSON.writeValueAsString(body);

        List<JsonNode> viaGateway = events(sse(request).body());
        List<JsonNode> expected = new ArrayList<>();
        for (JsonNode event : events(direct(request).body())) {
            if (event.path("usage").isObject() && !event.path("choices").isEmpty()) { // the live form
                ObjectNode finish = event.deepCopy();
                finish.putNull("usage");
                ObjectNode usage = event.deepCopy();
                usage.putArray("choices");
                expected.add(finish);
                expected.add(usage);
            } else {
                expected.add(event);
            }
        }
        assertEquals(expected.size(), viaGateway.size());
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(withoutIds(expected.get(i)), withoutIds(viaGateway.get(i)), "event " + i);
        }

        JsonNode last = viaGateway.get(viaGateway.size() - 1);
        if (!includeUsage) {
            assertTrue(viaGateway.stream().noneMatch(e -> e.has("usage")), "no usage field anywhere");
            assertEquals("stop", last.path("choices").path(0).path("finish_reason").asText());
        } else {
            assertTrue(last.path("choices").isArray() && last.path("choices").isEmpty());
            assertTrue(last.path("usage").path("total_tokens").asInt() > 0);
            assertEquals(expected.get(expected.size() - 1).path("usage"), last.path("usage"), "the upstream's numbers");
            JsonNode finish = viaGateway.get(viaGateway.size() - 2);
            assertEquals("stop", finish.path("choices").path(0).path("finish_reason").asText());
            assertTrue(viaGateway.subList(0, viaGateway.size() - 1).stream().allMatch(e -> e.get("usage").isNull()));
        }
    }

    // ------------------------------------------------------------------ retries and cancellation

    @Test
    void retriesUpstream503sBeforeTheFirstByte() throws Exception {
        sim.queueFaults("503", "503");
        chat(userMessage("Hi", false)).then().statusCode(200).body("object", equalTo("chat.completion"));
        assertEquals(3, sim.stat("chatRequests"));
        assertEquals(2, sim.stats().path("errors").path("503").asInt());
        assertEquals(inTenantSpace(userMessage("Hi", false), tenantSpace), sim.lastRequest().path("body"),
                "the third attempt sends the whole body again");

        sim.reset();
        sim.queueFaults("503", "503");
        HttpResponse<String> stream = sse(userMessage("Hi", true));
        assertEquals(200, stream.statusCode());
        assertTrue(stream.body().endsWith("data: [DONE]\n\n"));
        assertEquals(3, sim.stat("chatRequests"));
    }

    @Test
    void neverRetriesOnceTheStreamHasStarted() throws Exception {
        HttpResponse<String> response = sse(userMessage("Tell me a story [[sim:fault=disconnect-mid-stream]]", true));
        assertEquals(200, response.statusCode());
        List<JsonNode> events = events(response.body());
        assertTrue(events.size() > 2, "part of the answer arrived first");
        assertTrue(events.get(0).has("choices"));
        JsonNode error = events.get(events.size() - 1).path("error");
        assertEquals("api_error", error.path("type").asText());
        assertEquals("upstream_disconnect", error.path("code").asText());
        assertFalse(response.body().contains("[DONE]"), "an incomplete answer must not look complete");

        assertEquals(1, sim.stat("chatRequests"), "no second attempt after the first byte");
        assertEquals(1, sim.stat("dropped"));
    }

    @Test
    void theBreakerHearsOfEachAnswerOnceWhenItEnds() throws Exception {
        CircuitBreaker.Metrics breaker = upstreams.all().stream()
                .filter(e -> e.models().contains("deepseek-v4-flash")).findFirst().orElseThrow().breaker().getMetrics();
        assertEquals(200, sse(userMessage("Hi", true)).statusCode());
        chat(userMessage("Hi", false)).then().statusCode(200);
        assertEquals(2, breaker.getNumberOfSuccessfulCalls());
        // answers that break off after their 200: one failure each, not a success and then a failure
        sse(userMessage("Tell me a story [[sim:fault=disconnect-mid-stream]]", true));
        chat(userMessage("Tell me a story [[sim:fault=disconnect-mid-stream]]", false)).then().statusCode(502);
        assertEquals(2, breaker.getNumberOfSuccessfulCalls());
        assertEquals(2, breaker.getNumberOfFailedCalls());
        assertEquals(4, breaker.getNumberOfBufferedCalls());
    }

    @Test
    void aHalfOpenBreakerClosesOnItsTrialsFirstBytesNotWhenTheirStreamsEnd() throws Exception {
        CircuitBreaker breaker = upstreams.all().stream()
                .filter(e -> e.models().contains("deepseek-v4-flash")).findFirst().orElseThrow().breaker();
        breaker.transitionToOpenState();
        breaker.transitionToHalfOpenState();
        // its two trial calls are slow streams (5 tokens a second)
        String body = userMessage("Write a long essay [[sim:latency=100/5]]", true);
        try (LogCapture log = LogCapture.of(Upstreams.class); Socket first = rawPost(body); Socket second = rawPost(body)) {
            for (Socket trial : List.of(first, second)) {
                BufferedReader in = new BufferedReader(
                        new InputStreamReader(trial.getInputStream(), StandardCharsets.UTF_8));
                String line;
                while ((line = in.readLine()) != null && !line.startsWith("data: {")) {
                    // headers, chunk sizes
                }
                assertTrue(line != null, "the trial's stream had started");
            }
            // both trials answered: the endpoint is back for everyone while they are still streaming
            assertEquals(CircuitBreaker.State.CLOSED, breaker.getState());
            assertTrue(log.messages().contains("INFO Upstream endpoint simulator answered its trial calls: back in service"),
                    "the operator reads that it is back: " + log.messages());
            assertEquals(2, sim.stats().path("inFlightTotal").asInt(), "both trials are still streaming");
            chat(userMessage("Hi", false)).then().statusCode(200);
        }
        // both cancelled, so neither lands in the next test's counters
        sim.awaitStats("the trials cancelled", s -> s.path("inFlightTotal").asInt() == 0);
    }

    @Test
    void aClientLeavingMidStreamCancelsTheUpstreamCall() throws Exception {
        // slow enough that the answer is still streaming when the client goes
        String body = userMessage("Write a long essay [[sim:latency=100/2]]", true);
        try (Socket socket = rawPost(body)) {
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            assertTrue(in.readLine().startsWith("HTTP/1.1 200"));
            String line;
            while ((line = in.readLine()) != null && !line.startsWith("data: {")) {
                // headers, chunk sizes
            }
            assertTrue(line != null && line.contains("chat.completion.chunk"), "the stream had started");
        } // the client is gone

        JsonNode stats = sim.awaitStats("the upstream call cancelled", s -> s.path("cancelled").asLong() >= 1);
        assertEquals(0, stats.path("completed").asLong());
        assertEquals(0, stats.path("inFlightTotal").asInt());
    }

    @Test
    void aClientLeavingBeforeANonStreamingAnswerCancelsTheUpstreamCall() throws Exception {
        String body = userMessage("Write a long essay [[sim:latency=5000/5]]", false);
        try (Socket socket = rawPost(body)) {
            // this test's own call, not one an earlier test left behind
            sim.awaitStats("the upstream call in flight",
                    s -> s.path("chatRequests").asLong() == 1 && s.path("inFlightTotal").asInt() >= 1);
        }
        JsonNode stats = sim.awaitStats("the upstream call cancelled", s -> s.path("cancelled").asLong() >= 1);
        assertEquals(0, stats.path("completed").asLong());
    }

    // ------------------------------------------------------------------ errors

    @Test
    void upstreamFailuresNeverShowTheUpstreamKey() {
        List<String> secrets = new ArrayList<>();
        for (String k : sim.upstreamKeys()) {
            secrets.add(k);
            secrets.add("****" + k.substring(Math.max(0, k.length() - 4)));
        }
        assertFalse(secrets.isEmpty());
        Map<String, Integer> expected = Map.of("400", 400, "401", 502, "402", 402, "422", 422, "429", 429,
                "500", 502, "503", 503, "drop", 502, "disconnect-mid-stream", 502);
        expected.forEach((fault, status) -> {
            sim.reset();
            Response r = chat(userMessage("Hi [[sim:fault=" + fault + "]]", false));
            r.then().statusCode(status)
                    .contentType(startsWith("application/json"))
                    .header("X-Request-Id", matchesPattern(".+"))
                    .body("error.message", matchesPattern(".+"))
                    .body("error.type", matchesPattern("[a-z_]+"));
            for (String secret : secrets) {
                assertFalse(r.asString().contains(secret), fault + " answered " + r.asString());
                assertFalse(r.headers().toString().contains(secret), fault + " headers " + r.headers());
            }
        });
        sim.reset();
        String midStream = sse(userMessage("Tell me a story [[sim:fault=disconnect-mid-stream]]", true)).body();
        assertTrue(midStream.contains("\"error\""));
        for (String secret : secrets) {
            assertFalse(midStream.contains(secret));
        }
    }

    @Test
    void upstreamErrorsMapToTheRightStatusWithAHelpfulMessage() {
        chat(userMessage("Hi [[sim:fault=401]]", false)).then().statusCode(502)
                .body("error.code", equalTo("upstream_auth_failed"))
                .body("error.message", containsString("operator"));
        chat(userMessage("Hi [[sim:fault=402]]", false)).then().statusCode(402)
                .body("error.code", equalTo("upstream_balance_exhausted"))
                .body("error.message", containsString("operator"));
        chat(userMessage("Hi [[sim:fault=500]]", false)).then().statusCode(502)
                .body("error.type", equalTo("api_error"))
                .body("error.message", containsString("500"));
        // a 200 that is not the API's answer (a proxy's page) is no answer: streamed or not, a 502 that says so
        for (boolean stream : new boolean[] {false, true}) {
            chat(userMessage("Hi [[sim:fault=html-page]]", stream)).then().statusCode(502)
                    .contentType(startsWith("application/json"))
                    .body("error.code", equalTo("upstream_invalid_answer"))
                    .body("error.message", containsString("text/html"));
        }
        // the upstream's own words about an invalid request help the client fix it
        chat(userMessage("Hi [[sim:fault=422]]", false)).then().statusCode(422)
                .body("error.message", containsString("Invalid Parameters"));
    }

    /** Only the operator can mend the gateway's own key or balance: the log says which, once a spell, not per call. */
    @Test
    void anUpstreamRefusingItsCredentialsIsLoggedOncePerSpell() {
        chat(userMessage("Hi", false)).then().statusCode(200);
        try (LogCapture log = LogCapture.of(Upstreams.class)) {
            chat(userMessage("Hi [[sim:fault=401]]", false)).then().statusCode(502);
            chat(userMessage("Hi [[sim:fault=401]]", true)).then().statusCode(502);
            chat(userMessage("Hi [[sim:fault=402]]", false)).then().statusCode(402);
            chat(userMessage("Hi", false)).then().statusCode(200);
            chat(userMessage("Hi [[sim:fault=402]]", false)).then().statusCode(402);
            assertEquals(List.of(
                    "WARN Upstream endpoint simulator answers HTTP 401: it refuses its API key; check "
                            + "tollgate.upstream.endpoints.simulator.api-key",
                    "WARN Upstream endpoint simulator answers HTTP 402: its account is out of balance; top it up",
                    "WARN Upstream endpoint simulator answers HTTP 402: its account is out of balance; top it up"),
                    log.messages().stream().filter(m -> m.contains("answers HTTP")).toList());
        }
    }

    @Test
    void badInputIsA400ThatNamesTheProblemNeverA500() {
        assertBadRequest("{\"model\":\"deepseek-v4-flash\",", null, "JSON");
        assertBadRequest("not json at all", null, "JSON");
        assertBadRequest("", null, "empty");
        assertBadRequest("[1,2]", null, "JSON object");
        assertBadRequest("{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}", "model", "model");
        assertBadRequest("{\"model\":42,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}", "model", "model");
        assertBadRequest("{\"model\":\"\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}", "model", "model");
        assertBadRequest("{\"model\":\"deepseek-v4-flash\"}", "messages", "messages");
        assertBadRequest("{\"model\":\"deepseek-v4-flash\",\"messages\":[]}", "messages", "messages");
        assertBadRequest("{\"model\":\"deepseek-v4-flash\",\"messages\":\"Hi\"}", "messages", "messages");
        assertBadRequest("{\"model\":\"deepseek-v4-flash\",\"stream\":\"yes\","
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}", "stream", "stream");
        assertBadRequest("{\"model\":\"deepseek-v4-flash\",\"stream\":1,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}", "stream", "stream");
        assertBadRequest("{\"model\":\"deepseek-v4-flash\",\"stream\":true,\"stream_options\":true,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}", "stream_options", "stream_options");
        // Tollgate sets include_usage itself, so the upstream never sees what the client sent there
        assertBadRequest("{\"model\":\"deepseek-v4-flash\",\"stream\":true,\"stream_options\":{\"include_usage\":\"yes\"},"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}", "stream_options.include_usage", "include_usage");
        // what follows the object would go upstream too: a second object there names a model never checked
        assertBadRequest(userMessage("Hi", false) + " garbage", null, "JSON");
        assertBadRequest(userMessage("Hi", false) + "{\"model\":\"deepseek-v4-pro\"}", null, "one object");
        long before = sim.stat("chatRequests");
        given().header("Authorization", "Bearer " + key).header("Content-Encoding", "gzip")
                .contentType(ContentType.JSON).body(userMessage("Hi", false)).post("/v1/chat/completions").then()
                .statusCode(415).body("error.code", equalTo("unsupported_content_encoding"))
                .body("error.message", containsString("uncompressed"));
        // a form type in capitals is read as JSON too, not decoded as a form with Quarkus' 2 KB field limit
        given().header("Authorization", "Bearer " + key).contentType("Application/X-WWW-Form-Urlencoded")
                .body(userMessage("100% of " + "x".repeat(3000), false)).post("/v1/chat/completions").then()
                .statusCode(200);
        assertEquals(before + 1, sim.stat("chatRequests"), "only the good call went upstream");
        // fields only the upstream checks: its own 400, in its words, which name the field
        Response thinking = chat("{\"model\":\"deepseek-v4-flash\",\"thinking\":true,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}");
        thinking.then().statusCode(400).body("error.message", containsString("thinking"));
        chat("{\"model\":\"deepseek-v4-flash\",\"max_tokens\":\"many\","
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}")
                .then().statusCode(400).body("error.message", containsString("max_tokens"));
        chat("{\"model\":\"deepseek-v4-flash\",\"messages\":[{\"role\":\"wizard\",\"content\":\"Hi\"}]}")
                .then().statusCode(400).body("error.type", matchesPattern("[a-z_]+"));
        assertEquals(0, sim.stats().path("errors").path("500").asInt());
    }

    @Test
    void aBodyInUtf16OrUtf32IsA400NotAFailure() {
        String body = userMessage("Hi", true);
        for (Charset charset : List.of(StandardCharsets.UTF_16LE, StandardCharsets.UTF_16BE, StandardCharsets.UTF_16,
                Charset.forName("UTF-32"))) { // UTF_16 with its byte-order mark, the others without
            Response r = asTenant().body(body.getBytes(charset)).post("/v1/chat/completions");
            r.then().statusCode(400).contentType(startsWith("application/json"))
                    .body("error.type", equalTo("invalid_request_error"))
                    .body("error.message", containsString("UTF-8"));
        }
        assertEquals(0, sim.stat("chatRequests"), "nothing sent upstream");
    }

    @Test
    void keysSeenBeforeRideOutADatabaseOutageAndUnknownKeysGetA503() throws Exception {
        chat(userMessage("Hi", false)).then().statusCode(200); // `key` is in the cache now
        String freshTenant = createTenant(uniqueSlug("keydb"));
        String fresh = issueKey(freshTenant); // this one is not
        Counter failures = registry.counter("tollgate.keys.lookup.failures");
        double failuresBefore = failures.count();
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
            st.execute("alter table api_key rename to api_key_offline"); // every key lookup now fails in the database
            try {
                Thread.sleep(2_500); // past the test profile's key TTL (2s): `key` must be read again, and cannot be
                long start = System.nanoTime();
                for (int i = 0; i < 3; i++) {
                    chat(userMessage("Hi", false)).then().statusCode(200); // on the state read before the outage
                }
                // once a TTL (2 s), not on every call; a slow machine may take more than one TTL for the three
                long ttlsTaken = 1 + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) / 2_000;
                double asked = failures.count() - failuresBefore;
                assertTrue(asked >= 1 && asked <= ttlsTaken, "asked " + asked + " times in " + ttlsTaken + " TTLs");
                for (String path : List.of("/v1/chat/completions", "/v1/models")) {
                    RequestSpecification spec = given().header("Authorization", "Bearer " + fresh)
                            .contentType(ContentType.JSON).body(userMessage("Hi", false));
                    Response r = path.endsWith("models") ? spec.get(path) : spec.post(path);
                    r.then().statusCode(503).contentType(ContentType.JSON)
                            .body("error.type", equalTo("api_error"))
                            .body("error.code", equalTo("key_check_unavailable"))
                            .body("error.message", containsString("Retry"))
                            .body(not(containsString("api_key_offline")));
                }
            } finally {
                st.execute("alter table api_key_offline rename to api_key");
            }
            // the failure was not remembered: the new key works as soon as the database answers
            given().header("Authorization", "Bearer " + fresh).contentType(ContentType.JSON)
                    .body(userMessage("Hi", false)).post("/v1/chat/completions").then().statusCode(200);
            assertEquals(5, sim.stat("chatRequests"), "calls whose key could not be checked never reach the upstream");

            // and with the database back, a change made elsewhere (no eviction here) applies after one TTL
            st.execute("update api_key set revoked_at = now() - interval '1 second' where tenant_id = "
                    + "(select id from tenant where slug = '" + freshTenant + "')");
            Thread.sleep(2_500);
            given().header("Authorization", "Bearer " + fresh).contentType(ContentType.JSON)
                    .body(userMessage("Hi", false)).post("/v1/chat/completions").then().statusCode(401);
        }
    }

    @Test
    void aKeyCheckThatHangsInTheDatabaseGivesUpAfterAFewSecondsInsteadOfHangingTheCall() throws Exception {
        chat(userMessage("Hi", false)).then().statusCode(200); // `key` is in the cache now
        String fresh = issueKey(createTenant(uniqueSlug("keyslow")));
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            st.execute("lock table api_key in access exclusive mode"); // key reads now wait: no answer, no error
            try {
                Thread.sleep(2_500); // past the test profile's key TTL (2s)
                // bounds only so that a hang fails the test instead of stalling the build
                assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
                    chat(userMessage("Hi", false)).then().statusCode(200);
                    given().header("Authorization", "Bearer " + fresh).contentType(ContentType.JSON)
                            .body(userMessage("Hi", false)).post("/v1/chat/completions").then().statusCode(503)
                            .body("error.code", equalTo("key_check_unavailable"));
                });
            } finally {
                c.rollback();
            }
        }
        // Once the database answers again the key works. A read that timed out just as the lock went (its query
        // timeout and the call's wait are both 3 s) may still answer one more call with a 503, as an SDK would retry.
        int status = 0;
        for (int i = 0; i < 20 && status != 200; i++) {
            status = given().header("Authorization", "Bearer " + fresh).contentType(ContentType.JSON)
                    .body(userMessage("Hi", false)).post("/v1/chat/completions").statusCode();
            if (status != 200) {
                assertEquals(503, status);
                Thread.sleep(500);
            }
        }
        assertEquals(200, status);
    }

    @Test
    void authAndModelErrorsAreOpenAiErrors() {
        given().contentType(ContentType.JSON).body(userMessage("Hi", false)).post("/v1/chat/completions").then()
                .statusCode(401).body("error.type", equalTo("authentication_error"))
                .body("error.code", equalTo("invalid_api_key"));
        // the key is checked first: a bad key with a bad body is told about the key
        given().header("Authorization", "Bearer tg-nope").contentType(ContentType.JSON).body("not json")
                .post("/v1/chat/completions").then().statusCode(401).body("error.code", equalTo("invalid_api_key"));
        chat("{\"model\":\"deepseek-v9-ultra\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}").then()
                .statusCode(404).body("error.code", equalTo("model_not_found")).body("error.param", equalTo("model"))
                .header(ChatPipeline.MODEL_HEADER, nullValue()); // nothing was served
        // a name no header could carry is still just an unknown model, answered at once
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> chat(
                "{\"model\":\"deepseek-v4-flash\\nX-Injected: 1\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}")
                .then().statusCode(404).body("error.code", equalTo("model_not_found"))
                .header("X-Injected", nullValue()));
        String flashOnly = issueKey(createTenant(uniqueSlug("flashonly")),
                Map.of("name", "flash only", "allowedModels", List.of("deepseek-v4-flash")));
        given().header("Authorization", "Bearer " + flashOnly).contentType(ContentType.JSON)
                .body("{\"model\":\"deepseek-v4-pro\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}")
                .post("/v1/chat/completions").then()
                .statusCode(403).body("error.type", equalTo("permission_error")).body("error.param", equalTo("model"));
        assertEquals(0, sim.stat("chatRequests"), "refused requests never reach the upstream");
    }

    @Test
    void aClientThatLeavesWhileItsKeyIsLookedUpIsNeverSentUpstream() throws Exception {
        String fresh = issueKey(createTenant(uniqueSlug("keyleaver"))); // not in the key cache yet
        long before = sim.stat("chatRequests");
        String clientId = "left-during-key-check-" + UUID.randomUUID();
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            st.execute("lock table api_key in access exclusive mode"); // the key's read waits
            try (Socket socket = ClientCalls.post(chatUrl, fresh, clientId)) {
                awaitKeyReadBlocked();
            } // the client leaves, and then the key's read answers
            Thread.sleep(500); // for the gateway to see the connection closed
            c.rollback();
        }
        // the key itself works; its call is looked up after the first one's read has answered
        given().header("Authorization", "Bearer " + fresh).contentType(ContentType.JSON).body(userMessage("Hi", false))
                .post("/v1/chat/completions").then().statusCode(200);
        ledger.flush();
        assertEquals(before + 1, sim.stat("chatRequests"), "nobody waits for the first answer: it is never asked for");
        assertEquals(List.of(), ClientCalls.recorded(dataSource, "attempt", clientId), "nothing to bill");
    }

    /** Until a query of the gateway waits for the lock on api_key (a session of its own, not the test's). */
    private void awaitKeyReadBlocked() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
            while (true) {
                try (ResultSet rs = st.executeQuery("select count(*) from pg_stat_activity where wait_event_type ="
                        + " 'Lock' and query ilike 'select%from api_key%' and pid <> pg_backend_pid()")) {
                    rs.next();
                    if (rs.getInt(1) > 0) {
                        return;
                    }
                }
                assertTrue(System.nanoTime() < deadline, "the key's read never reached the database");
                Thread.sleep(20);
            }
        }
    }

    @Test
    void aBodyOfUnknownLengthIsNotReadForACallerWithoutAValidKey() throws Exception {
        // 11 MB, over the 10 MiB limit, in chunks: no Content-Length tells the gateway its size beforehand
        assertEquals(401, statusOfChunkedPost("Bearer tg-nope", 11 << 20, false), "the key first, not the body's size");
        assertEquals(413, statusOfChunkedPost("Bearer " + key, 11 << 20, false), "a valid key's oversized body");
        // a refused body is read and dropped up to a bound (64 MiB), then the connection is closed
        assertEquals(401, statusOfChunkedPost("Bearer tg-nope", 200 << 20, true));
    }

    /**
     * POSTs {@code bytes} of chunked body (as far as the gateway reads it) and returns the status it answers;
     * {@code cutOff}: the gateway must close the connection before the whole body was sent.
     */
    private int statusOfChunkedPost(String authorization, int bytes, boolean cutOff) throws Exception {
        try (Socket socket = new Socket(chatUrl.getHost(), chatUrl.getPort())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nAuthorization: " + authorization
                    + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            byte[] chunk = new byte[64 * 1024];
            java.util.Arrays.fill(chunk, (byte) ' ');
            boolean sentAll = false;
            try {
                for (int sent = 0; sent < bytes; sent += chunk.length) {
                    out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(chunk);
                    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                }
                out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                sentAll = true;
            } catch (java.io.IOException closedEarly) {
                // the gateway may answer and close before the whole body is sent; its answer is still there
            }
            if (cutOff) {
                assertFalse(sentAll, "the gateway read all " + bytes + " bytes of a body it refused");
            }
            String status = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine();
            return Integer.parseInt(status.split(" ")[1]);
        }
    }

    // ------------------------------------------------------------------ helpers

    private void assertBadRequest(String body, String param, String messagePart) {
        Response r = chat(body);
        r.then().statusCode(400)
                .contentType(startsWith("application/json"))
                .body("error.type", equalTo("invalid_request_error"))
                .body("error.message", containsString(messagePart));
        if (param == null) {
            r.then().body("error.param", nullValue());
        } else {
            r.then().body("error.param", equalTo(param));
        }
        assertFalse(r.asString().contains("Exception"), r.asString());
        assertNotEquals(500, r.statusCode());
    }

    private static String userMessage(String text, boolean stream) {
        ObjectNode body = JSON.createObjectNode().put("model", "deepseek-v4-flash");
        body.putArray("messages").addObject().put("role", "user").put("content", text);
        if (stream) {
            body.put("stream", true);
        }
        return body.toString();
    }

    private RequestSpecification asTenant() {
        return given().header("Authorization", "Bearer " + key).contentType(ContentType.JSON);
    }

    private Response chat(String body, String... headers) {
        RequestSpecification spec = asTenant().body(body);
        for (int i = 0; i < headers.length; i += 2) {
            spec.header(headers[i], headers[i + 1]);
        }
        return spec.post("/v1/chat/completions");
    }

    private HttpResponse<String> sse(String body) {
        return send(URI.create(chatUrl.toString()), "Bearer " + key, body);
    }

    /** The same request straight to the simulator, for comparison. */
    private HttpResponse<String> direct(String body) {
        return send(URI.create(sim.baseUrl() + "/chat/completions"), "Bearer sk-direct-comparison", body);
    }

    private static HttpResponse<String> send(URI uri, String authorization, String body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
                .header("Authorization", authorization).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError("POST " + uri + " failed", e);
        }
    }

    private Socket rawPost(String body) throws Exception {
        Socket socket = new Socket(chatUrl.getHost(), chatUrl.getPort());
        socket.setSoTimeout(30_000);
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        OutputStream out = socket.getOutputStream();
        out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + key
                + "\r\nContent-Type: application/json\r\nContent-Length: " + bytes.length + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.write(bytes);
        out.flush();
        return socket;
    }

    /** The JSON data events of a stream, in order ([DONE] left out). */
    private static List<JsonNode> events(String sse) {
        List<JsonNode> events = new ArrayList<>();
        for (String line : sse.split("\n")) {
            if (line.startsWith("data: ") && !line.equals("data: [DONE]")) {
                events.add(SimulatorControl.read(line.substring(6)));
            }
        }
        return events;
    }

    private static String withoutIds(String json) {
        return json.replaceAll("\"id\":\"[^\"]*\"", "\"id\":\"-\"").replaceAll("\"created\":\\d+", "\"created\":0");
    }

    private static JsonNode withoutIds(JsonNode event) {
        ObjectNode copy = event.deepCopy();
        copy.remove("id");
        copy.remove("created");
        return copy;
    }
}
