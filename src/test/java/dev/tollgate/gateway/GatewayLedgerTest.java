package dev.tollgate.gateway;

import static dev.tollgate.testing.TestData.asAdmin;
import static dev.tollgate.testing.TestData.createTenant;
import static dev.tollgate.testing.TestData.issueKey;
import static dev.tollgate.testing.TestData.uniqueSlug;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.ledger.UsageLedger;
import dev.tollgate.simulator.EmbeddedSimulator;
import dev.tollgate.testing.PostgresResource;
import dev.tollgate.upstream.Upstreams;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every upstream attempt of a gateway call lands in the usage ledger, priced exactly. */
@QuarkusTest
@QuarkusTestResource(PostgresResource.class)
class GatewayLedgerTest {

    @Inject
    AgroalDataSource dataSource;
    @Inject
    UsageLedger ledger;
    @Inject
    EmbeddedSimulator simulator;
    @Inject
    Upstreams upstreams;
    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    String key;

    @BeforeEach
    void tenantWithKey() {
        key = issueKey(createTenant(uniqueSlug("ledger")));
        new SimulatorControl(simulator.baseUrl(), upstreams).reset(); // the failure tests' breaker openings too
    }

    @AfterEach
    void closeBreakers() { // the next test class finds the upstream as it expects
        upstreams.all().forEach(e -> e.breaker().reset());
    }

    @Test
    void aCallIsRecordedWithItsUsageTagsAndExactCost() throws Exception {
        Response res = chat("{\"model\":\"deepseek-v4-pro\",\"user_id\":\"end-user-7\","
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Price this call exactly.\"}]}", "team:search, env:prod");
        res.then().statusCode(200);
        JsonPath usage = res.jsonPath();
        Map<String, Object> row = onlyRow(res.header("X-Request-Id"));
        assertEquals(1, row.get("attempt"));
        assertEquals("deepseek-v4-pro", row.get("model_served"));
        assertEquals(200, row.get("http_status"));
        assertEquals("end-user-7", row.get("user_id"));
        assertEquals(List.of("team:search", "env:prod"), row.get("tags"));
        assertEquals(usage.getLong("usage.prompt_cache_miss_tokens"), row.get("prompt_cache_miss_tokens"));
        assertEquals(usage.getLong("usage.completion_tokens"), row.get("completion_tokens"));
        assertEquals(usage.getLong("usage.completion_tokens_details.reasoning_tokens"), row.get("reasoning_tokens"));
        assertEquals(false, row.get("usage_estimated"));
        // Pro list prices today: miss 1.74, output 3.48 USD per million tokens
        BigDecimal expected = new BigDecimal("1.74").multiply(BigDecimal.valueOf(usage.getLong("usage.prompt_cache_miss_tokens")))
                .add(new BigDecimal("3.48").multiply(BigDecimal.valueOf(usage.getLong("usage.completion_tokens"))))
                .add(new BigDecimal("0.0145").multiply(BigDecimal.valueOf(usage.getLong("usage.prompt_cache_hit_tokens"))))
                .movePointLeft(6);
        assertEquals(0, expected.compareTo((BigDecimal) row.get("total_cost")), "exact cost " + row.get("total_cost"));
        assertTrue(row.get("output_price_entry_id") != null);
    }

    @Test
    void tagsSentOnSeveralHeaderLinesOrInUtf8AreAllRecordedAsSent() throws Exception {
        // A list header may come as several lines (RFC 9110 5.3), and curl or Go send UTF-8 text as its bytes.
        String requestId = callWithTagLines("X-Tollgate-Tags: team:search, env:prod",
                "X-Tollgate-Tags: équipe:recherche,团队:搜索");
        assertEquals(List.of("team:search", "env:prod", "équipe:recherche", "团队:搜索"),
                onlyRow(requestId).get("tags"));
    }

    /**
     * Past 64 characters a tag is cut, on a whole character: half an emoji was stored as "?", a tag the client
     * never sent. Characters are counted as people count them, an emoji one.
     */
    @Test
    void aLongTagIsCutOnAWholeCharacter() throws Exception {
        String cutInTheEmoji = "a".repeat(63) + "😀b";
        String emoji = "😀".repeat(70);
        String requestId = callWithTagLines("X-Tollgate-Tags: " + cutInTheEmoji + "," + emoji);
        assertEquals(List.of("a".repeat(63) + "😀", "😀".repeat(64)), onlyRow(requestId).get("tags"));
    }

    /**
     * first_byte_at is when the answer began: a stream's first chunk (its time to first token), not the upstream's
     * headers, which came at once; an error's status line, which was left out.
     */
    @Test
    void theFirstByteIsTheAnswersBeginningAndAnErrorsStatus() throws Exception {
        Response streamed = chat("{\"model\":\"deepseek-v4-flash\",\"stream\":true,\"max_tokens\":20,\"messages\":"
                + "[{\"role\":\"user\",\"content\":\"Hi [[sim:latency=400/50]]\"}]}", null);
        streamed.then().statusCode(200);
        Map<String, Object> row = onlyRow(streamed.header("X-Request-Id"));
        // the simulator's first chunk comes 400 ms after the request, its last 20 tokens at 50/s later
        Instant received = instant(row.get("received_at"));
        Instant firstByte = instant(row.get("first_byte_at"));
        assertTrue(Duration.between(received, firstByte).toMillis() >= 400, row.toString());
        assertTrue(Duration.between(firstByte, instant(row.get("finished_at"))).toMillis() >= 300, row.toString());

        Response refused = chat("{\"model\":\"deepseek-v4-flash\",\"messages\":"
                + "[{\"role\":\"user\",\"content\":\"Hi [[sim:fault=400]]\"}]}", null);
        refused.then().statusCode(400);
        assertNotNull(onlyRow(refused.header("X-Request-Id")).get("first_byte_at"), "its status line came");
    }

    private static Instant instant(Object timestamp) {
        return timestamp instanceof java.sql.Timestamp t ? t.toInstant()
                : ((java.time.OffsetDateTime) timestamp).toInstant();
    }

    /** A Flash "Hi" with these header lines written as UTF-8 bytes; the X-Request-Id of its answer. */
    private String callWithTagLines(String... headerLines) throws Exception {
        byte[] body = "{\"model\":\"deepseek-v4-flash\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}"
                .getBytes(StandardCharsets.UTF_8);
        try (Socket socket = new Socket("localhost", port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                    + "Authorization: Bearer " + key + "\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write((String.join("\r\n", headerLines) + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            out.write(body);
            out.flush();
            String head = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(head.startsWith("HTTP/1.1 200"), head);
            return head.lines().filter(l -> l.regionMatches(true, 0, "X-Request-Id:", 0, 13)).findFirst()
                    .orElseThrow().substring(13).trim();
        }
    }

    @Test
    void anAliasedCallRecordsTheNameSentAndTheModelServed() throws Exception {
        Response res = chat("{\"model\":\"deepseek-reasoner\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}", null);
        res.then().statusCode(200);
        Map<String, Object> row = onlyRow(res.header("X-Request-Id"));
        assertEquals("deepseek-reasoner", row.get("model_requested"));
        assertEquals("deepseek-reasoner", row.get("alias_used"));
        assertEquals("deepseek-v4-flash", row.get("model_served"));
        assertEquals("high", row.get("thinking_mode"));
    }

    @Test
    void aCallTollgateRefusesItselfHasOneRowWithoutUpstreamTokensOrCost() throws Exception {
        String flashOnly = issueKey(createTenant(uniqueSlug("refused")), Map.of("name", "flash only",
                "allowedModels", List.of("deepseek-v4-flash")));
        Response notAllowed = given().header("Authorization", "Bearer " + flashOnly)
                .header("X-Tollgate-Tags", "job:eval")
                .contentType("application/json").body("{\"model\":\"deepseek-v4-pro\",\"user_id\":\"u-1\","
                        + "\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}")
                .post("/v1/chat/completions");
        notAllowed.then().statusCode(403);
        Map<String, Object> row = onlyRow(notAllowed.header("X-Request-Id"));
        assertEquals(List.of(1, "deepseek-v4-pro", 403, "model_not_allowed", true, "u-1", List.of("job:eval")),
                List.of(row.get("attempt"), row.get("model_requested"), row.get("http_status"), row.get("error_type"),
                        row.get("streamed"), row.get("user_id"), row.get("tags")));
        assertNull(row.get("upstream"), "no upstream was called");
        assertNull(row.get("model_served"));
        assertNull(row.get("thinking_mode"), "nothing ran to think");
        assertNull(row.get("total_cost"), "a refused call is not billed");
        assertEquals(0L, row.get("prompt_tokens"));
        assertNotNull(row.get("finished_at"));

        Response unknown = chat("{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}", null);
        unknown.then().statusCode(404);
        row = onlyRow(unknown.header("X-Request-Id"));
        assertEquals(List.of("gpt-4o", 404, "model_not_found"),
                List.of(row.get("model_requested"), row.get("http_status"), row.get("error_type")));

        // an alias named in a call refused for its body is counted as the alias' traffic: the name is still sent
        Response invalid = chat("{\"model\":\"deepseek-chat\",\"stream\":\"yes\",\"messages\":[{\"role\":\"user\","
                + "\"content\":\"Hi\"}]}", null);
        invalid.then().statusCode(400);
        row = onlyRow(invalid.header("X-Request-Id"));
        assertEquals(List.of("deepseek-chat", "deepseek-chat", 400, "invalid_request_error"),
                List.of(row.get("model_requested"), row.get("alias_used"), row.get("http_status"),
                        row.get("error_type")));
        assertEquals(0, given().get(simulator.baseUrl() + "/_simulator/stats").then().statusCode(200).extract()
                .jsonPath().getLong("chatRequests"), "none of them reached the upstream");

        // a model name is the client's text here: kept as a row can hold it, not refused by the database
        Response odd = chat("{\"model\":\"x\\u0000" + "y".repeat(1000) + "\",\"messages\":[{\"role\":\"user\","
                + "\"content\":\"Hi\"}]}", null);
        odd.then().statusCode(404);
        assertEquals("x\uFFFD" + "y".repeat(254), onlyRow(odd.header("X-Request-Id")).get("model_requested"));

        // a body that names no model cannot be a row of a ledger kept by model
        Response noModel = chat("{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}", null);
        noModel.then().statusCode(400).body("error.param", equalTo("model"));
        assertEquals(List.of(), rows(noModel.header("X-Request-Id")));
    }

    @Test
    void aUserIdAnAliasImpliesIsRecorded() throws Exception {
        String alias = "test-uid-" + UUID.randomUUID().toString().substring(0, 8);
        asAdmin().body(Map.of("alias", alias, "targetModel", "deepseek-v4-flash",
                        "impliedParams", Map.of("user_id", "batch-jobs"), "mode", "rewrite",
                        "deprecatedAt", "2026-04-24T00:00:00Z", "sunsetAt", "2099-01-01T00:00:00Z"))
                .post("/api/admin/aliases").then().statusCode(201);
        try {
            Response res = chat("{\"model\":\"" + alias + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}",
                    null);
            res.then().statusCode(200);
            assertEquals("batch-jobs", onlyRow(res.header("X-Request-Id")).get("user_id"));
        } finally {
            asAdmin().delete("/api/admin/aliases/" + alias).then().statusCode(204);
        }
    }

    @Test
    void everyRetriedAttemptIsItsOwnRow() throws Exception {
        Response res = helloAfterFaults("503", "503");
        res.then().statusCode(200);
        List<Map<String, Object>> rows = rows(res.header("X-Request-Id"));
        assertEquals(List.of(1, 2, 3), rows.stream().map(r -> r.get("attempt")).toList());
        assertEquals(List.of(503, 503, 200), rows.stream().map(r -> r.get("http_status")).toList());
        assertNull(rows.get(0).get("total_cost"), "a refused attempt used nothing");
    }

    @Test
    void anUpstreamThatClosesTheConnectionBeforeAnsweringIsRetriedAndBothAttemptsRecorded() throws Exception {
        Response res = helloAfterFaults("drop");
        res.then().statusCode(200);
        List<Map<String, Object>> rows = rows(res.header("X-Request-Id"));
        assertEquals(List.of(1, 2), rows.stream().map(r -> r.get("attempt")).toList());
        assertEquals("upstream_disconnect", rows.get(0).get("error_type"));
        assertNull(rows.get(0).get("http_status"), "no answer came");
        assertNull(rows.get(0).get("total_cost"));
        assertEquals(200, rows.get(1).get("http_status"));
    }

    /** Queues faults for the simulator's next requests, then sends a plain Flash call. */
    private Response helloAfterFaults(String... faults) {
        given().contentType("application/json").body(Map.of("next", List.of(faults)))
                .post(simulator.baseUrl() + "/_simulator/faults").then().statusCode(org.hamcrest.Matchers.lessThan(300));
        return chat("{\"model\":\"deepseek-v4-flash\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}", null);
    }

    @Test
    void aClientThatLeavesMidStreamIsStillRecordedWithEstimatedUsage() throws Exception {
        String body = "{\"model\":\"deepseek-v4-flash\",\"stream\":true,\"messages\":[{\"role\":\"user\","
                + "\"content\":\"Write a long story. [[sim:latency=50/20]]\"}]}";
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<InputStream> res = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofInputStream());
        // Java's own client upgrades a cleartext connection to HTTP/2: leaving resets the stream, not the connection
        assertEquals(HttpClient.Version.HTTP_2, res.version());
        String requestId = res.headers().firstValue("X-Request-Id").orElseThrow();
        InputStream stream = res.body();
        byte[] some = new byte[2048];
        int read = 0;
        while (read < 600) {
            int n = stream.read(some, 0, some.length);
            assertTrue(n >= 0, "the stream ended after " + read + " bytes");
            read += n;
        }
        stream.close(); // the client leaves
        List<Map<String, Object>> rows = List.of();
        for (int i = 0; i < 100 && rows.isEmpty(); i++) {
            rows = rows(requestId);
            if (rows.isEmpty()) {
                Thread.sleep(100);
            }
        }
        assertEquals(1, rows.size(), "the aborted call was recorded, once");
        Map<String, Object> row = rows.get(0);
        assertEquals(499, row.get("http_status"));
        assertEquals("client_disconnect", row.get("error_type"));
        assertEquals(true, row.get("usage_estimated"));
        assertTrue((Long) row.get("completion_tokens") > 0, "what was streamed is billed");
        assertFalse(((BigDecimal) row.get("total_cost")).signum() == 0);

        HttpResponse<String> next = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port
                + "/v1/chat/completions")).header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                        "{\"model\":\"deepseek-v4-flash\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, next.statusCode(), "the client's connection still carries its calls: " + next.body());
    }

    @Test
    void aCompletedStreamIsBilledOnTheUpstreamsOwnUsageInEitherShapeWhateverTheClientAskedFor() throws Exception {
        for (String form : List.of("live", "documented")) {
            String ask = "{\"model\":\"deepseek-v4-flash\",\"stream\":true,%s\"messages\":[{\"role\":\"user\","
                    + "\"content\":\"Count the tokens once. [[sim:usage=" + form + "]]\"}]}";
            Response withUsage = chat(ask.formatted("\"stream_options\":{\"include_usage\":true},"), null);
            JsonPath seen = usageChunk(withUsage.asString());
            Map<String, Object> row = onlyRow(withUsage.header("X-Request-Id"));
            assertEquals(false, row.get("usage_estimated"), form);
            assertEquals(seen.getLong("prompt_tokens"), row.get("prompt_tokens"), form);
            assertEquals(seen.getLong("completion_tokens"), row.get("completion_tokens"), form);

            // the same prompt (the simulator's answer depends only on it), without asking for usage
            Response without = chat(ask.formatted(""), null);
            assertFalse(without.asString().contains("\"usage\":{"), "usage the client did not ask for: " + form);
            Map<String, Object> quiet = onlyRow(without.header("X-Request-Id"));
            assertEquals(false, quiet.get("usage_estimated"), form);
            assertEquals(seen.getLong("completion_tokens"), quiet.get("completion_tokens"), form);
            assertEquals(seen.getLong("prompt_tokens"), quiet.get("prompt_tokens"), form);
        }
    }

    /** The usage object of the stream's one chunk that carries it. */
    private static JsonPath usageChunk(String sse) {
        List<String> withUsage = sse.lines().filter(l -> l.startsWith("data: {") && l.contains("\"usage\":{")).toList();
        assertEquals(1, withUsage.size(), sse);
        return new JsonPath(withUsage.get(0).substring(6)).setRootPath("usage");
    }

    @Test
    void anUpstreamThatBreaksMidStreamIsRecordedWithWhatWasStreamed() throws Exception {
        Response res = chat("{\"model\":\"deepseek-v4-flash\",\"stream\":true,\"messages\":[{\"role\":\"user\","
                + "\"content\":\"Tell me a story [[sim:fault=disconnect-mid-stream]]\"}]}", null);
        res.then().statusCode(200);
        Map<String, Object> row = onlyRow(res.header("X-Request-Id"));
        assertEquals("upstream_disconnect", row.get("error_type"));
        assertEquals(true, row.get("usage_estimated"));
        assertTrue((Long) row.get("completion_tokens") > 0, "what was streamed is billed");
        // thinking is on: the reasoning streamed is estimated as reasoning tokens too, four bytes of it a token
        long reasoningBytes = res.asString().lines().filter(l -> l.startsWith("data: {"))
                .map(l -> new JsonPath(l.substring(6)).getString("choices[0].delta.reasoning_content"))
                .filter(r -> r != null).mapToLong(r -> r.getBytes(StandardCharsets.UTF_8).length).sum();
        assertTrue(reasoningBytes > 0, res.asString());
        assertEquals((reasoningBytes + 3) / 4, row.get("reasoning_tokens"));
    }

    @Test
    void aCallTheUpstreamClosedBeforeItsAnswerBeganIsRecordedAndNotBilled() throws Exception {
        // DeepSeek holds a call it has not started with keep-alives, and may close it so: it bills nothing
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        for (boolean stream : new boolean[] {false, true}) {
            String body = "{\"model\":\"deepseek-v4-flash\",\"stream\":" + stream + ",\"messages\":[{\"role\":"
                    + "\"user\",\"content\":\"Hi [[sim:fault=keep-alive,drop]]\"}]}";
            HttpResponse<InputStream> res = http.send(HttpRequest.newBuilder(
                    URI.create("http://localhost:" + port + "/v1/chat/completions"))
                    .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, res.statusCode(), "the 200 went out with the first keep-alive");
            String received;
            try (InputStream in = res.body()) {
                received = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (java.io.IOException broken) {
                received = null; // a non-streamed answer cannot end well once its 200 is out: its connection is cut
            }
            if (stream) {
                assertNotNull(received, "a stream ends with an error event");
                assertTrue(received.contains("upstream_disconnect"), received);
            } else {
                assertNull(received, "what came is not an answer, and must not pass for one");
            }
            Map<String, Object> row = onlyRow(res.headers().firstValue("X-Request-Id").orElseThrow());
            assertEquals("upstream_disconnect", row.get("error_type"), "stream " + stream);
            assertNull(row.get("total_cost"), "stream " + stream + ": the upstream never started on it");
            assertEquals(0L, row.get("completion_tokens"), "stream " + stream);
        }
    }

    @Test
    void aUserIdTheDatabaseCouldNotHoldIsRecordedAsItCanBeNotLost() throws Exception {
        // PostgreSQL text cannot hold a NUL: kept as it was, the row would be refused and the call go unbilled.
        String userId = "end\\u0000user" + "x".repeat(1000);
        Response res = chat("{\"model\":\"deepseek-v4-flash\",\"user_id\":\"" + userId + "\","
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}", null);
        res.then().statusCode(422); // DeepSeek's own rule for user_id
        Map<String, Object> row = onlyRow(res.header("X-Request-Id"));
        String recorded = (String) row.get("user_id");
        assertEquals(512, recorded.length(), "bounded to DeepSeek's limit");
        assertTrue(recorded.startsWith("end\uFFFDuser"), recorded);
    }

    @Test
    void anAnswerThatIsNotTheApisJsonIsRecordedAndNotBilled() throws Exception {
        Response res = chat("{\"model\":\"deepseek-v4-flash\",\"messages\":[{\"role\":\"user\","
                + "\"content\":\"Hi [[sim:fault=html-page]]\"}]}", null);
        res.then().statusCode(502);
        Map<String, Object> row = onlyRow(res.header("X-Request-Id"));
        assertEquals(200, row.get("http_status"));
        assertEquals("upstream_invalid_answer", row.get("error_type"));
        assertEquals(0L, row.get("prompt_tokens"));
        assertNull(row.get("total_cost"), "a proxy's page is no answer: nothing to bill");
    }

    @Test
    void callsSharingTheClientsOwnIdAreEachRecordedUnderAnIdOfTheirOwn() throws Exception {
        // An agent that sends one trace id on all its calls, several at once: none may stand in for another.
        String clientId = "agent-run-" + uniqueSlug("trace");
        int calls = 12; // under the simulator's 16 at once for Flash, so that none is refused and retried
        ExecutorService clients = Executors.newFixedThreadPool(calls); // a thread each, however many cores
        CountDownLatch go = new CountDownLatch(1);
        Set<String> requestIds = new HashSet<>();
        try {
            List<Future<Response>> sent = new ArrayList<>();
            for (int i = 0; i < calls; i++) {
                sent.add(clients.submit(() -> {
                    go.await();
                    return given().header("Authorization", "Bearer " + key).header("X-Client-Request-Id", clientId)
                            .contentType("application/json").body("{\"model\":\"deepseek-v4-flash\",\"messages\":"
                                    + "[{\"role\":\"user\",\"content\":\"Hi [[sim:latency=300/1000]]\"}]}")
                            .post("/v1/chat/completions");
                }));
            }
            go.countDown();
            for (Future<Response> call : sent) {
                Response res = call.get(30, TimeUnit.SECONDS);
                res.then().statusCode(200).header("X-Client-Request-Id", clientId);
                requestIds.add(res.header("X-Request-Id"));
            }
        } finally {
            clients.shutdownNow();
        }
        assertTrue(simulator.simulator().stats().snapshot().maxInFlight().get("deepseek-v4-flash") > 1,
                "the calls were upstream at the same time");
        assertEquals(calls, requestIds.size(), "every call has a request id of its own");

        List<Map<String, Object>> rows = rows("client_request_id", clientId);
        assertEquals(calls, rows.size(), "one row per call");
        assertEquals(requestIds, rows.stream().map(r -> (String) r.get("request_id")).collect(Collectors.toSet()));
    }

    private Response chat(String body, String tags) {
        var request = given().header("Authorization", "Bearer " + key).contentType("application/json").body(body);
        if (tags != null) {
            request.header("X-Tollgate-Tags", tags);
        }
        return request.post("/v1/chat/completions");
    }

    private Map<String, Object> onlyRow(String requestId) throws Exception {
        List<Map<String, Object>> rows = rows(requestId);
        assertEquals(1, rows.size(), "one attempt, one row");
        return rows.get(0);
    }

    private List<Map<String, Object>> rows(String requestId) throws Exception {
        return rows("request_id", requestId);
    }

    private List<Map<String, Object>> rows(String column, String value) throws Exception {
        ledger.flush();
        List<Map<String, Object>> rows = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("select * from usage_ledger where " + column + " = ?"
                        + " order by attempt")) {
            ps.setString(1, value);
            try (ResultSet rs = ps.executeQuery()) {
                ResultSetMetaData md = rs.getMetaData();
                while (rs.next()) {
                    Map<String, Object> row = new HashMap<>();
                    for (int i = 1; i <= md.getColumnCount(); i++) {
                        Object v = rs.getObject(i);
                        row.put(md.getColumnName(i), v instanceof java.sql.Array a ? List.of((Object[]) a.getArray()) : v);
                    }
                    rows.add(row);
                }
            }
        }
        return rows;
    }
}
