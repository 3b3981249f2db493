package dev.tollgate.gateway;

import static dev.tollgate.testing.TestData.asAdmin;
import static dev.tollgate.testing.TestData.createTenant;
import static dev.tollgate.testing.TestData.issueKey;
import static dev.tollgate.testing.TestData.uniqueSlug;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.ledger.UsageLedger;
import dev.tollgate.simulator.EmbeddedSimulator;
import dev.tollgate.testing.Management;
import dev.tollgate.testing.PostgresResource;
import dev.tollgate.upstream.Upstreams;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The model-alias lifecycle as a client notices it over HTTP, through POST /v1/chat/completions: the seeded
 * legacy DeepSeek names are served as deepseek-v4-flash with the thinking mode they imply, answer under the
 * name the client sent, and carry the RFC 9745 / RFC 8594 lifecycle headers; a tenant switched to
 * reject-after-sunset gets 410 (the seeded sunset, 2026-07-24 15:59 UTC, has passed). The upstream is the
 * built-in simulator.
 */
@QuarkusTest
@QuarkusTestResource(PostgresResource.class)
class AliasGatewayTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    /** As seeded by V031: deprecated from the V4 launch, 2026-04-24 00:00 UTC. */
    private static final Instant DEPRECATED_AT = Instant.parse("2026-04-24T00:00:00Z");
    private static final Instant SUNSET_AT = Instant.parse("2026-07-24T15:59:00Z");
    private static final String GUIDE = "/docs/migration-deepseek-chat.md";

    /** RFC 9745 §2.1: an RFC 9651 Date, "@" and an integer of seconds since the epoch. */
    private static final Pattern SF_DATE = Pattern.compile("@(-?\\d{1,15})");
    /** RFC 9110 §5.6.7 IMF-fixdate, the form RFC 8594 §3 asks senders to use. */
    private static final Pattern IMF_FIXDATE = Pattern.compile(
            "(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \\d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \\d{4} "
                    + "\\d{2}:\\d{2}:\\d{2} GMT");
    /** One RFC 8288 link-value: a URI reference in angle brackets and its parameters. */
    private static final Pattern LINK_VALUE = Pattern.compile("<([^>]*)>((?:\\s*;\\s*[^,;]+)*)");

    private static String key;

    @Inject
    EmbeddedSimulator embedded;
    @Inject
    Upstreams upstreams;
    @Inject
    UsageLedger ledger;
    @Inject
    AgroalDataSource dataSource;

    @TestHTTPResource("/v1/chat/completions")
    URL chatUrl;

    private SimulatorControl sim;

    @BeforeEach
    void setUp() {
        sim = new SimulatorControl(embedded.baseUrl(), upstreams);
        sim.reset();
        if (key == null) {
            key = issueKey(createTenant(uniqueSlug("alias-gw")));
        }
    }

    @AfterEach
    void tearDown() {
        sim.reset();
    }

    // ------------------------------------------------------------------ served aliases

    @Test
    void deepseekChatIsServedByFlashWithoutThinkingUnderTheNameTheClientSent() throws Exception {
        Response r = chat(key, request("deepseek-chat", "Hello there.", false));
        r.then().statusCode(200)
                .contentType(startsWith("application/json"))
                .header("X-Tollgate-Model", "deepseek-v4-flash")
                .body("object", equalTo("chat.completion"))
                .body("model", equalTo("deepseek-chat"))
                .body("choices[0].message.role", equalTo("assistant"))
                .body("choices[0].message.content", not(nullValue()))
                .body("choices[0].message", not(org.hamcrest.Matchers.hasKey("reasoning_content")))
                .body("usage.completion_tokens_details.reasoning_tokens", org.hamcrest.Matchers.anyOf(
                        nullValue(), equalTo(0)));
        assertLifecycleHeaders(r.getHeader("Deprecation"), r.getHeader("Sunset"), r.getHeader("Link"));
        // the seeded mode is rewrite-and-warn: the warning says what the alias stands for and what to send instead
        r.then().header("X-Tollgate-Warning", containsString(
                "stands for {\"model\":\"deepseek-v4-flash\",\"thinking\":{\"type\":\"disabled\"}}"));

        JsonNode upstream = sim.lastRequest().path("body");
        assertEquals("deepseek-v4-flash", upstream.path("model").asText(), "the upstream never sees the alias");
        assertEquals("disabled", upstream.path("thinking").path("type").asText(), "the alias implies no thinking");
        assertEquals(1, sim.stat("chatRequests"));
    }

    @Test
    void aStreamedDeepseekChatCarriesTheHeadersAndTheClientsNameInEveryChunk() throws Exception {
        HttpResponse<String> response = post(key, request("deepseek-chat", "Count to five.", true).toString(),
                Duration.ofSeconds(60));
        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
        assertEquals("deepseek-v4-flash", response.headers().firstValue("X-Tollgate-Model").orElse(null));
        assertLifecycleHeaders(response.headers().firstValue("Deprecation").orElse(null),
                response.headers().firstValue("Sunset").orElse(null),
                response.headers().firstValue("Link").orElse(null));
        assertTrue(response.headers().firstValue("X-Tollgate-Warning").isPresent());

        List<JsonNode> chunks = events(response.body());
        assertTrue(chunks.size() > 2, response.body());
        for (JsonNode chunk : chunks) {
            assertEquals("chat.completion.chunk", chunk.path("object").asText(), chunk.toString());
            assertEquals("deepseek-chat", chunk.path("model").asText(), "every chunk names the alias: " + chunk);
            JsonNode delta = chunk.path("choices").path(0).path("delta");
            assertTrue(delta.path("reasoning_content").isMissingNode() || delta.path("reasoning_content").isNull(),
                    "no thinking for deepseek-chat: " + chunk);
        }
        assertTrue(response.body().endsWith("data: [DONE]\n\n"));
        assertFalse(chunks.stream().anyMatch(c -> c.has("usage")), "usage the client did not ask for is removed");

        JsonNode upstream = sim.lastRequest().path("body");
        assertEquals("deepseek-v4-flash", upstream.path("model").asText());
        assertEquals("disabled", upstream.path("thinking").path("type").asText());
        assertTrue(upstream.path("stream").asBoolean());
    }

    @Test
    void deepseekReasonerThinks() throws Exception {
        Response r = chat(key, request("deepseek-reasoner", "Why is the sky blue?", false));
        r.then().statusCode(200)
                .header("X-Tollgate-Model", "deepseek-v4-flash")
                .body("model", equalTo("deepseek-reasoner"));
        String reasoning = r.path("choices[0].message.reasoning_content");
        assertTrue(reasoning != null && !reasoning.isBlank(), "thinking implied by deepseek-reasoner: " + r.asString());
        assertLifecycleHeaders(r.getHeader("Deprecation"), r.getHeader("Sunset"), r.getHeader("Link"));
        JsonNode upstream = sim.lastRequest().path("body");
        assertEquals("deepseek-v4-flash", upstream.path("model").asText());
        assertEquals("enabled", upstream.path("thinking").path("type").asText());

        // streamed, the reasoning arrives as reasoning_content deltas, still under the client's name
        HttpResponse<String> stream = post(key, request("deepseek-reasoner", "Why is the sky blue?", true).toString(),
                Duration.ofSeconds(60));
        assertEquals(200, stream.statusCode());
        List<JsonNode> chunks = events(stream.body());
        assertTrue(chunks.stream().allMatch(c -> "deepseek-reasoner".equals(c.path("model").asText())));
        assertTrue(chunks.stream().anyMatch(c -> !c.path("choices").path(0).path("delta")
                .path("reasoning_content").asText("").isEmpty()), stream.body());
    }

    @Test
    void aThinkingFieldTheClientSetsWinsOverTheAliasAndTheUpstreamsOwn400KeepsTheHeaders() {
        // deepseek-chat with thinking enabled thinks, as the client asked
        ObjectNode thinking = request("deepseek-chat", "Think first.", false);
        thinking.putObject("thinking").put("type", "enabled");
        Response r = chat(key, thinking.toString());
        r.then().statusCode(200).body("model", equalTo("deepseek-chat"));
        assertTrue(r.path("choices[0].message.reasoning_content") != null, r.asString());
        assertEquals("enabled", sim.lastRequest().path("body").path("thinking").path("type").asText());
        // and the warning, which names the alias' own thinking mode, says that fields the request sets win
        r.then().header("X-Tollgate-Warning", containsString("(fields the request sets win)"));

        // a thinking field the upstream refuses: its 400, passed through, is still an answer to an aliased call
        ObjectNode bad = request("deepseek-chat", "Hi", false);
        bad.put("thinking", true);
        Response refused = chat(key, bad.toString());
        refused.then().statusCode(400).body("error.message", containsString("thinking"));
        assertLifecycleHeaders(refused.getHeader("Deprecation"), refused.getHeader("Sunset"),
                refused.getHeader("Link"));
    }

    // ------------------------------------------------------------------ reject-after-sunset

    @Test
    void aTenantInRejectAfterSunsetGets410NamingTheReplacementWithTheHeaders() throws Exception {
        String slug = createTenant(uniqueSlug("alias-reject"));
        String rejectedKey = issueKey(slug);
        String override = "/api/admin/tenants/" + slug + "/alias-overrides/deepseek-chat";
        asAdmin().body(Map.of("mode", "reject-after-sunset")).put(override).then().statusCode(200)
                .body("mode", equalTo("reject-after-sunset"));
        try {
            List<String> requestIds = new ArrayList<>();
            for (boolean stream : new boolean[] {false, true}) {
                Response r = chat(rejectedKey, request("deepseek-chat", "Hi", stream));
                requestIds.add(r.getHeader("X-Request-Id"));
                r.then().statusCode(410)
                        .contentType(startsWith("application/json"))
                        .header("X-Tollgate-Model", nullValue()) // nothing was served
                        .body("error.type", equalTo("invalid_request_error"))
                        .body("error.code", equalTo("model_retired"))
                        .body("error.param", equalTo("model"))
                        .body("error.message", containsString("\"deepseek-chat\""))
                        .body("error.message", containsString(
                                "{\"model\":\"deepseek-v4-flash\",\"thinking\":{\"type\":\"disabled\"}}"))
                        .body("error.message", containsString(GUIDE))
                        .body("error.keySet()", org.hamcrest.Matchers.containsInAnyOrder(
                                "message", "type", "param", "code"))
                        .body("keySet()", org.hamcrest.Matchers.contains("error"));
                assertLifecycleHeaders(r.getHeader("Deprecation"), r.getHeader("Sunset"), r.getHeader("Link"));
            }
            assertEquals(0, sim.stat("chatRequests"), "a retired alias never reaches the upstream");
            // each call has its row, so the ledger shows whom the rejection still breaks; and a live count per tenant
            ledger.flush();
            for (String requestId : requestIds) {
                assertEquals(List.of("deepseek-chat 410 model_retired none"), ClientCalls.rows(dataSource,
                        "alias_used || ' ' || http_status || ' ' || error_type || ' ' || coalesce(upstream, 'none')",
                        "request_id", requestId));
            }
            Management.given().get("/q/metrics").then().statusCode(200).body(containsString(
                    "tollgate_gateway_retired_alias_calls_total{alias=\"deepseek-chat\",tenant=\"" + slug + "\"} 2.0"))
                    .body(containsString("# HELP tollgate_gateway_retired_alias_calls Chat calls refused"));

            // only deepseek-chat, only for this tenant
            chat(rejectedKey, request("deepseek-reasoner", "Hi", false)).then().statusCode(200);
            chat(key, request("deepseek-chat", "Hi", false)).then().statusCode(200);
            // and it no longer lists the alias it cannot call
            given().header("Authorization", "Bearer " + rejectedKey).get("/v1/models").then().statusCode(200)
                    .body("data.id", not(org.hamcrest.Matchers.hasItem("deepseek-chat")))
                    .body("data.id", org.hamcrest.Matchers.hasItem("deepseek-reasoner"));
        } finally {
            asAdmin().delete(override).then().statusCode(200);
        }
        // back to the alias' own mode: served again, at once
        chat(rejectedKey, request("deepseek-chat", "Hi", false)).then().statusCode(200)
                .body("model", equalTo("deepseek-chat"));
    }

    // ------------------------------------------------------------------ the Link target

    @Test
    void theLinkedMigrationGuideIsServedAndIsTheRepositorysDoc() throws Exception {
        Response r = chat(key, request("deepseek-chat", "Hi", false));
        r.then().statusCode(200);
        List<String> targets = linkTargets(r.getHeader("Link"));
        assertEquals(List.of(GUIDE, GUIDE), targets);

        String served = given().get(targets.get(0)).then().statusCode(200).extract().asString();
        Path doc = Path.of("docs/migration-deepseek-chat.md");
        assertTrue(Files.isRegularFile(doc), "the guide is in the repository");
        assertEquals(Files.readString(doc), served, "the app serves the repository's guide");
        assertTrue(served.contains("deepseek-chat") && served.contains("deepseek-v4-flash"));
    }

    // ------------------------------------------------------------------ early errors

    @Test
    void anAliasedCallWithEmptyMessagesIsAnOpenAi400WithTheLifecycleHeaders() {
        Response r = chat(key, "{\"model\":\"deepseek-chat\",\"messages\":[]}");
        r.then().statusCode(400)
                .contentType(startsWith("application/json"))
                .body("error.type", equalTo("invalid_request_error"))
                .body("error.param", equalTo("messages"))
                .header("X-Tollgate-Model", nullValue());
        // docs/api.md and the migration guide: the headers go on every answer to an aliased call
        assertLifecycleHeaders(r.getHeader("Deprecation"), r.getHeader("Sunset"), r.getHeader("Link"));
        assertEquals(0, sim.stat("chatRequests"));
    }

    @Test
    void aModelNameWithANewlineIsAPromptOpenAi404() {
        for (String model : new String[] {"a\nb", "deepseek-chat\n", "deepseek-chat\r\nX-Injected: 1"}) {
            ObjectNode body = request("deepseek-chat", "Hi", false);
            body.put("model", model); // JSON-escaped by Jackson: "a\nb"
            HttpResponse<String> response = assertTimeoutPreemptively(Duration.ofSeconds(15),
                    () -> post(key, body.toString(), Duration.ofSeconds(10)));
            assertEquals(404, response.statusCode(), response.body());
            assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
            JsonNode error = SimulatorControl.read(response.body()).path("error");
            assertEquals("model_not_found", error.path("code").asText(), response.body());
            assertEquals("invalid_request_error", error.path("type").asText());
            assertEquals("model", error.path("param").asText());
            assertTrue(error.path("message").asText().contains(model), response.body());
            assertTrue(response.headers().firstValue("X-Injected").isEmpty());
            assertTrue(response.headers().firstValue("Deprecation").isEmpty(), "not an alias");
        }
        assertEquals(0, sim.stat("chatRequests"));
    }

    // ------------------------------------------------------------------ helpers

    /** Deprecation, Sunset and Link exactly as seeded, each in its RFC's syntax. */
    /** The guide the Link header names opens in a browser as text (it went out without a Content-Type). */
    @Test
    void theMigrationGuideTheLinkNamesIsServedAsText() {
        given().get(GUIDE).then().statusCode(200).contentType("text/plain; charset=utf-8")
                .body(org.hamcrest.Matchers.containsString("deepseek-chat"));
    }

    private static void assertLifecycleHeaders(String deprecation, String sunset, String link) {
        assertTrue(deprecation != null && SF_DATE.matcher(deprecation).matches(),
                "Deprecation is an RFC 9745 date (@<seconds>): " + deprecation);
        assertEquals("@" + DEPRECATED_AT.getEpochSecond(), deprecation);
        assertEquals("@1776988800", deprecation);

        assertTrue(sunset != null && IMF_FIXDATE.matcher(sunset).matches(),
                "Sunset is an RFC 8594 HTTP-date (IMF-fixdate): " + sunset);
        // RFC 1123 parsing checks the day of the week against the date
        assertEquals(SUNSET_AT, ZonedDateTime.parse(sunset, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
        assertEquals("Fri, 24 Jul 2026 15:59:00 GMT", sunset);

        assertEquals("<" + GUIDE + ">; rel=\"deprecation\", <" + GUIDE + ">; rel=\"sunset\"", link);
        assertEquals(List.of(GUIDE, GUIDE), linkTargets(link));
    }

    /** The targets of an RFC 8288 Link header, after checking each has rel deprecation or sunset. */
    private static List<String> linkTargets(String link) {
        assertTrue(link != null, "a Link header");
        List<String> targets = new ArrayList<>();
        List<String> rels = new ArrayList<>();
        Matcher m = LINK_VALUE.matcher(link);
        while (m.find()) {
            targets.add(m.group(1));
            Matcher rel = Pattern.compile(";\\s*rel=\"?([^\";]+)\"?").matcher(m.group(2));
            assertTrue(rel.find(), "a rel parameter: " + link);
            rels.add(rel.group(1));
        }
        assertEquals(List.of("deprecation", "sunset"), rels, link);
        return targets;
    }

    private static ObjectNode request(String model, String text, boolean stream) {
        ObjectNode body = JSON.createObjectNode().put("model", model);
        body.putArray("messages").addObject().put("role", "user").put("content", text);
        if (stream) {
            body.put("stream", true);
        }
        return body;
    }

    private static Response chat(String apiKey, ObjectNode body) {
        return chat(apiKey, body.toString());
    }

    private static Response chat(String apiKey, String body) {
        return given().header("Authorization", "Bearer " + apiKey).contentType(ContentType.JSON).body(body)
                .post("/v1/chat/completions");
    }

    private HttpResponse<String> post(String apiKey, String body, Duration timeout) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(chatUrl.toString())).timeout(timeout)
                .header("Authorization", "Bearer " + apiKey).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError("POST " + chatUrl + " failed", e);
        }
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
}
