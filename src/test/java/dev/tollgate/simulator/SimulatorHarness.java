package dev.tollgate.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A simulator on a plain Vert.x and a JDK HTTP client pointed at it: what a test of the simulator needs,
 * without Quarkus. One per test class, registered as an extension.
 */
final class SimulatorHarness implements AutoCloseable, BeforeEachCallback, AfterAllCallback {

    static final ObjectMapper JSON = new ObjectMapper();

    final Vertx vertx = Vertx.vertx();
    final DeepSeekSimulator simulator;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    SimulatorHarness(SimulatorSettings settings) {
        simulator = DeepSeekSimulator.create(vertx, settings);
        join(simulator.start());
    }

    /** Instant answers, small limits, no keep-alives unless asked for. */
    static SimulatorHarness zeroLatency() {
        return new SimulatorHarness(SimulatorSettings.builder().latency("zero").keepAliveInterval(Duration.ZERO)
                .concurrency(Models.FLASH, 2).concurrency(Models.PRO, 2).build());
    }

    void reset() {
        simulator.reset();
    }

    /** As a JUnit extension ({@code @RegisterExtension static}): reset before each test, stop after the last. */
    @Override
    public void beforeEach(ExtensionContext context) {
        reset();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    @Override
    public void close() {
        join(simulator.stop());
        join(vertx.close());
    }

    // ------------------------------------------------------------------ requests

    static ObjectNode chat(String model, String userText) {
        ObjectNode body = JSON.createObjectNode();
        body.put("model", model);
        ArrayNode messages = body.putArray("messages");
        messages.addObject().put("role", "user").put("content", userText);
        return body;
    }

    HttpResponse<String> post(String path, JsonNode body, String... headers) {
        return send(request(path, body, headers).build());
    }

    CompletableFuture<HttpResponse<String>> postAsync(String path, JsonNode body, String... headers) {
        return http.sendAsync(request(path, body, headers).build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpRequest.Builder request(String path, JsonNode body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(simulator.baseUrl() + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        boolean ownKey = false;
        for (int i = 0; i < headers.length; i += 2) {
            ownKey |= headers[i].equalsIgnoreCase("Authorization");
        }
        if (!ownKey) {
            b.header("Authorization", "Bearer sk-test-0000abcd");
        }
        if (headers.length > 0) {
            b.headers(headers);
        }
        return b;
    }

    /**
     * A chat request written on a raw socket, so a test decides exactly when the client goes away
     * (the JDK client keeps a timed-out connection open for a while).
     */
    java.net.Socket rawChat(JsonNode body, String... headerLines) throws IOException {
        java.net.Socket socket = new java.net.Socket("127.0.0.1", simulator.port());
        byte[] bytes = body.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        StringBuilder head = new StringBuilder("POST /chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Authorization: Bearer sk-raw\r\nContent-Type: application/json\r\nContent-Length: "
                + bytes.length + "\r\n");
        for (String line : headerLines) {
            head.append(line).append("\r\n");
        }
        socket.getOutputStream().write(head.append("\r\n").toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
        return socket;
    }

    HttpResponse<String> get(String path, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(simulator.baseUrl() + path)).GET();
        if (headers.length > 0) {
            b.headers(headers);
        }
        return send(b.build());
    }

    HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A successful non-streaming chat answer, parsed. */
    JsonNode complete(JsonNode body, String... headers) {
        HttpResponse<String> response = post("/chat/completions", body, headers);
        if (response.statusCode() != 200) {
            throw new AssertionError("Expected 200, got " + response.statusCode() + ": " + response.body());
        }
        return parse(response.body());
    }

    static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The lines of an SSE body that carry something: "data: ..." events and ": ..." comments. */
    static List<String> sseLines(String body) {
        List<String> lines = new ArrayList<>();
        for (String line : body.split("\n")) {
            if (!line.isEmpty()) {
                lines.add(line);
            }
        }
        return lines;
    }

    /** The JSON chunks of an SSE body, without comments and [DONE]. */
    static List<JsonNode> chunks(String body) {
        List<JsonNode> chunks = new ArrayList<>();
        for (String line : sseLines(body)) {
            if (line.startsWith("data: {")) {
                chunks.add(parse(line.substring(6)));
            }
        }
        return chunks;
    }

    static <T> T join(io.vertx.core.Future<T> future) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Polls until the condition holds (at most ten seconds, for a busy machine), for effects on another thread. */
    static void eventually(Runnable assertion) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try {
                assertion.run();
                return;
            } catch (AssertionError e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /** Text of about {@code tokens} simulator tokens (4 characters each), deterministic per seed word. */
    static String textOfTokens(String seed, int tokens) {
        StringBuilder b = new StringBuilder();
        while (b.length() < tokens * 4) {
            b.append(seed).append(' ');
        }
        return b.substring(0, tokens * 4);
    }
}
