package dev.tollgate.simulator;

import static dev.tollgate.simulator.SimulatorHarness.chat;
import static dev.tollgate.simulator.SimulatorHarness.eventually;
import static dev.tollgate.simulator.SimulatorHarness.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FaultInjectionTest {

    @RegisterExtension
    static final SimulatorHarness sim = SimulatorHarness.zeroLatency();

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "400, invalid_request_error, Failed to deserialize",
        "401, authentication_error, Authentication Fails",
        "402, unknown_error, Insufficient Balance",
        "422, invalid_request_error, Invalid Parameters",
        "429, rate_limit_error, which exceeds your concurrency limit of",
        "500, api_error, Internal Server Error",
        "503, api_error, Server overloaded"})
    void errorFaultsAnswerInTheDocumentedShape(int status, String type, String message) {
        for (boolean byMarker : new boolean[] {false, true}) {
            HttpResponse<String> response = byMarker
                    ? sim.post("/chat/completions", chat("deepseek-v4-flash", "Hi [[sim:fault=" + status + "]]"))
                    : sim.post("/chat/completions", chat("deepseek-v4-flash", "Hi"), Fault.HEADER, "" + status);
            assertEquals(status, response.statusCode());
            assertTrue(response.headers().firstValue("Content-Type").orElseThrow().startsWith("application/json"));
            JsonNode error = parse(response.body()).get("error");
            assertTrue(error.get("message").asText().contains(message), error.get("message").asText());
            assertEquals(type, error.get("type").asText());
            assertTrue(error.has("param") && error.get("param").isNull());
            assertTrue(error.get("code").isTextual());
            assertFalse(response.headers().map().keySet().stream().anyMatch(h -> h.startsWith("x-ratelimit")));
        }
        assertEquals(2, sim.simulator.stats().snapshot().errors().get(String.valueOf(status)));
    }

    @Test
    void anUnknownFaultNameIsRefusedWithTheKnownOnes() {
        HttpResponse<String> response = sim.post("/chat/completions", chat("deepseek-v4-flash", "Hi"),
                Fault.HEADER, "explode");
        assertEquals(400, response.statusCode());
        assertTrue(response.body().contains("Unknown simulator fault 'explode'"));
        assertTrue(response.body().contains("disconnect-mid-stream"));
    }

    @Test
    void timeoutHoldsTheRequestUntilTheClientGivesUp() throws Exception {
        HttpRequest request = sim.request("/chat/completions", chat("deepseek-v4-flash", "Hi"), Fault.HEADER, "timeout")
                .timeout(Duration.ofMillis(300)).build();
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> sim.http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).get());
        assertTrue(e.getCause() instanceof HttpTimeoutException);

        ObjectNode stream = chat("deepseek-v4-pro", "Hi").put("stream", true);
        try (java.net.Socket client = sim.rawChat(stream, Fault.HEADER + ": timeout")) {
            eventually(() -> assertEquals(1, sim.simulator.stats().inFlight("deepseek-v4-pro")));
            Thread.sleep(200);
            assertEquals(0, client.getInputStream().available(), "not a byte is sent, not even headers");
        }
        eventually(() -> {
            assertEquals(0, sim.simulator.stats().inFlight("deepseek-v4-pro"));
            assertTrue(sim.simulator.stats().snapshot().cancelled() >= 1);
        });
    }

    @Test
    void dropClosesTheConnectionWithoutAByteOfAnswer() throws Exception {
        try (java.net.Socket client = sim.rawChat(chat("deepseek-v4-flash", "Hi"), Fault.HEADER + ": drop")) {
            assertEquals(0, client.getInputStream().readAllBytes().length);
        }
        eventually(() -> {
            assertEquals(1, sim.simulator.stats().snapshot().dropped());
            assertEquals(0, sim.simulator.stats().inFlightTotal());
        });
    }

    @Test
    void dropAfterKeepAlivesClosesACallThatNeverStarted() throws Exception {
        // DeepSeek's end of a call whose inference never began: its 200 and keep-alives, then the connection closed
        String plain;
        try (java.net.Socket client = sim.rawChat(chat("deepseek-v4-flash", "Hi"),
                Fault.HEADER + ": blank-lines,drop")) {
            plain = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(plain.startsWith("HTTP/1.1 200 OK"), plain);
        assertTrue(plain.endsWith("\r\n\r\n1\r\n\n\r\n1\r\n\n\r\n1\r\n\n\r\n"),
                "three blank lines, no answer, no closing chunk: " + plain);

        ObjectNode body = chat("deepseek-v4-flash", "Hi").put("stream", true);
        String stream;
        try (java.net.Socket client = sim.rawChat(body, Fault.HEADER + ": keep-alive,drop")) {
            stream = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(stream.startsWith("HTTP/1.1 200 OK"), stream);
        assertEquals(3, stream.split(": keep-alive", -1).length - 1, stream);
        assertFalse(stream.contains("data:"), stream);
        eventually(() -> {
            assertEquals(2, sim.simulator.stats().snapshot().dropped());
            assertEquals(0, sim.simulator.stats().inFlightTotal());
        });
    }

    @Test
    void timeoutAfterKeepAlivesHoldsTheCallOpenWithMoreOfThem() throws Exception {
        try (SimulatorHarness held = new SimulatorHarness(SimulatorSettings.builder().latency("zero")
                .keepAliveInterval(Duration.ofMillis(100)).build());
                java.net.Socket client = held.rawChat(chat("deepseek-v4-flash", "Hi").put("stream", true),
                        Fault.HEADER + ": keep-alive,timeout")) {
            client.setSoTimeout(10_000);
            StringBuilder received = new StringBuilder();
            byte[] buffer = new byte[8192];
            // the three at once, then one every 100 ms: DeepSeek's wait for a call it has not started
            while (received.toString().split(": keep-alive", -1).length - 1 < 6) {
                int n = client.getInputStream().read(buffer);
                assertTrue(n > 0, "the connection stays open: " + received);
                received.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
            }
            assertTrue(received.toString().startsWith("HTTP/1.1 200 OK"), received.toString());
            assertFalse(received.toString().contains("data:"), received.toString());
        }
    }

    @Test
    void disconnectMidStreamCutsTheStreamBeforeDone() throws Exception {
        ObjectNode body = chat("deepseek-v4-flash", "Tell me a story").put("stream", true);
        String received;
        try (java.net.Socket client = sim.rawChat(body, Fault.HEADER + ": disconnect-mid-stream")) {
            received = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(received.startsWith("HTTP/1.1 200 OK"));
        assertTrue(received.contains("\"role\":\"assistant\""), "the stream had begun");
        // the role chunk, then a real share of the token chunks, but not all of them
        int contentChunks = dataChunks(received) - 1;
        assertTrue(contentChunks > 1, received);
        assertTrue(contentChunks < tokenChunks(body), received);
        assertFalse(received.contains("[DONE]"));
        assertFalse(received.contains("finish_reason\":\""));
        assertFalse(received.endsWith("0\r\n\r\n"), "no closing chunk: the connection just ends");
        eventually(() -> {
            assertEquals(1, sim.simulator.stats().snapshot().dropped());
            assertEquals(0, sim.simulator.stats().inFlightTotal());
        });
    }

    @Test
    void stallMidStreamSendsHalfThenNothing() throws Exception {
        ObjectNode body = chat("deepseek-v4-flash", "Tell me a story").put("stream", true);
        try (java.net.Socket client = sim.rawChat(body, Fault.HEADER + ": stall-mid-stream")) {
            StringBuilder received = new StringBuilder();
            byte[] buffer = new byte[8192];
            client.setSoTimeout(10_000); // the role chunk and a first token, however slow the machine
            while (dataChunks(received.toString()) < 2) {
                int n = client.getInputStream().read(buffer);
                assertTrue(n > 0, "the stream ended before its first half: " + received);
                received.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
            }
            client.setSoTimeout(500); // then the rest of the half, then silence
            assertThrows(java.net.SocketTimeoutException.class, () -> {
                for (int n; (n = client.getInputStream().read(buffer)) >= 0; ) {
                    received.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
                }
            });
            int contentChunks = dataChunks(received.toString()) - 1;
            assertTrue(contentChunks > 1, received.toString());
            assertTrue(contentChunks < tokenChunks(body), received.toString());
            assertFalse(received.toString().contains("finish_reason\":\""));
            assertFalse(received.toString().contains("[DONE]"));
            assertEquals(1, sim.simulator.stats().inFlight("deepseek-v4-flash"), "still holding the request");
        }
        eventually(() -> assertEquals(1, sim.simulator.stats().snapshot().cancelled()));
    }

    @Test
    void disconnectMidStreamCutsANonStreamingBodyToo() {
        assertThrows(IOException.class, () -> sim.http.send(sim.request("/chat/completions",
                chat("deepseek-v4-flash", "Hi"), Fault.HEADER, "disconnect-mid-stream").build(),
                HttpResponse.BodyHandlers.ofString()));
    }

    @Test
    void htmlPageAnswers200WithAPageInsteadOfTheAnswer() {
        HttpResponse<String> response = sim.post("/chat/completions", chat("deepseek-v4-flash", "Hi"),
                Fault.HEADER, "html-page");
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        assertTrue(response.body().startsWith("<html>"), response.body());
    }

    @Test
    void blankLinesPrecedeTheJsonBody() {
        HttpResponse<String> response = sim.post("/chat/completions", chat("deepseek-v4-flash", "Hi"),
                Fault.HEADER, "blank-lines");
        assertEquals(200, response.statusCode());
        assertTrue(response.body().startsWith("\n\n\n{"));
        assertEquals("chat.completion", parse(response.body().strip()).get("object").asText());
    }

    @ParameterizedTest
    @CsvSource({"length, length", "content-filter, content_filter",
        "insufficient-system-resource, insufficient_system_resource"})
    void finishReasonFaultsStopHalfWay(String fault, String finishReason) {
        ObjectNode body = chat("deepseek-v4-flash", "Tell me a story");
        int full = sim.complete(body).get("usage").get("completion_tokens").asInt();
        JsonNode cut = sim.complete(body, Fault.HEADER, fault);
        assertEquals(finishReason, cut.get("choices").get(0).get("finish_reason").asText());
        assertEquals(full / 2, cut.get("usage").get("completion_tokens").asInt());
    }

    @ParameterizedTest
    @CsvSource({"length", "content-filter", "insufficient-system-resource"})
    void finishReasonFaultsKeepWithinMaxTokens(String fault) {
        ObjectNode body = chat("deepseek-v4-flash", "Tell me a story").put("max_tokens", 10);
        JsonNode cut = sim.complete(body, Fault.HEADER, fault);
        assertEquals(10, cut.get("usage").get("completion_tokens").asInt());
        // max_tokens stops the output before the fault's half way point would
        assertEquals("length", cut.get("choices").get(0).get("finish_reason").asText());
    }

    @Test
    void faultsCombine() {
        HttpResponse<String> response = sim.post("/chat/completions", chat("deepseek-v4-flash", "Hi"),
                Fault.HEADER, "blank-lines, length");
        assertTrue(response.body().startsWith("\n"));
        assertEquals("length", parse(response.body().strip()).get("choices").get(0).get("finish_reason").asText());
    }

    @Test
    void plannedFaultsHitTheNextRequestsInOrder() {
        HttpResponse<String> planned = sim.post("/_simulator/faults", parse("{\"next\":[\"503\",\"429\"]}"));
        assertEquals(List.of("503", "429"), List.of(parse(planned.body()).get("next").get(0).asText(),
                parse(planned.body()).get("next").get(1).asText()));
        assertEquals(503, status("deepseek-v4-flash"));
        assertEquals(429, status("deepseek-v4-flash"));
        assertEquals(200, status("deepseek-v4-flash"));
    }

    @Test
    void aQueuedFaultWaitsForARequestThatIsNotRefused() throws Exception {
        sim.simulator.balanceAvailable(false);
        sim.simulator.faults().next(Fault.LENGTH);
        assertEquals(402, status("deepseek-v4-flash"));
        assertEquals(List.of("length"), sim.simulator.faults().view().next());
        sim.simulator.balanceAvailable(true);
        assertEquals("length", finishReason(sim.complete(chat("deepseek-v4-flash", "Hi"))));

        // both Flash slots held by requests that are never answered: the next one gets 429
        try (java.net.Socket first = sim.rawChat(chat("deepseek-v4-flash", "one"), Fault.HEADER + ": timeout");
                java.net.Socket second = sim.rawChat(chat("deepseek-v4-flash", "two"), Fault.HEADER + ": timeout")) {
            eventually(() -> assertEquals(2, sim.simulator.stats().inFlight("deepseek-v4-flash")));
            sim.simulator.faults().next(Fault.CONTENT_FILTER);
            assertEquals(429, status("deepseek-v4-flash"));
        }
        eventually(() -> assertEquals(0, sim.simulator.stats().inFlight("deepseek-v4-flash")));
        // and refused by an error fault of its own
        assertEquals(503, sim.post("/chat/completions", chat("deepseek-v4-flash", "Hi"), Fault.HEADER, "503")
                .statusCode());
        assertEquals("content_filter", finishReason(sim.complete(chat("deepseek-v4-flash", "Hi"))));
        assertEquals("stop", finishReason(sim.complete(chat("deepseek-v4-flash", "Hi"))));
    }

    @Test
    void aModelCanBeMadeToFailUntilCleared() {
        sim.post("/_simulator/faults", parse("{\"models\":{\"deepseek-v4-pro\":\"500\"}}"));
        assertEquals(500, status("deepseek-v4-pro"));
        assertEquals(500, status("deepseek-v4-pro"));
        assertEquals(200, status("deepseek-v4-flash"));
        sim.send(HttpRequest.newBuilder(URI.create(sim.simulator.baseUrl() + "/_simulator/faults")).DELETE().build());
        assertEquals(200, status("deepseek-v4-pro"));
    }

    /** A typo in a plan would plan nothing, silently; and a plan with a mistake in it changes nothing. */
    @Test
    void aPlanNamingAModelNotServedIsRefusedWhole() {
        HttpResponse<String> refused = sim.post("/_simulator/faults",
                parse("{\"next\":[\"503\"],\"models\":{\"deepseek-chat\":\"500\"}}"));
        assertEquals(400, refused.statusCode());
        assertTrue(refused.body().contains("deepseek-v4-flash and deepseek-v4-pro"), refused.body());
        assertEquals(0, parse(sim.get("/_simulator/faults").body()).get("next").size(), "the 503 was not queued");
        assertEquals(200, status("deepseek-v4-flash"));
    }

    @Test
    void everyNthRequestFails() {
        sim.simulator.faults().every(3, Fault.OVERLOADED);
        int[] statuses = new int[7];
        for (int i = 0; i < statuses.length; i++) {
            statuses[i] = status("deepseek-v4-flash");
        }
        assertEquals("[200, 200, 503, 200, 200, 503, 200]", java.util.Arrays.toString(statuses));
    }

    @Test
    void faultsCanBeConfiguredAtStart() {
        try (SimulatorHarness failing = new SimulatorHarness(SimulatorSettings.builder().latency("zero")
                .faultForModel("deepseek-v4-pro", Fault.OVERLOADED).faultEvery(2, Fault.SERVER_ERROR).build())) {
            assertEquals(503, failing.post("/chat/completions", chat("deepseek-v4-pro", "Hi")).statusCode());
            assertEquals(500, failing.post("/chat/completions", chat("deepseek-v4-flash", "Hi")).statusCode());
            assertEquals(200, failing.post("/chat/completions", chat("deepseek-v4-flash", "Hi")).statusCode());
        }
    }

    private static String finishReason(JsonNode answer) {
        return answer.get("choices").get(0).get("finish_reason").asText();
    }

    /** The JSON events in what a raw socket received, HTTP chunk framing and all. */
    private static int dataChunks(String received) {
        int count = 0;
        for (int at = received.indexOf("data: {"); at >= 0; at = received.indexOf("data: {", at + 1)) {
            count++;
        }
        return count;
    }

    /** How many token chunks the same stream has without a fault: all but the role and the finish chunk. */
    private static int tokenChunks(ObjectNode body) {
        HttpResponse<String> whole = sim.post("/chat/completions", body);
        assertTrue(whole.body().endsWith("data: [DONE]\n\n"), whole.body());
        return dataChunks(whole.body()) - 2;
    }

    private static int status(String model) {
        return sim.post("/chat/completions", chat(model, "Hi")).statusCode();
    }
}
