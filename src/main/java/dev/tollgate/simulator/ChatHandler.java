package dev.tollgate.simulator;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.TextNode;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * POST /chat/completions: authenticate, read and check the body, apply faults, take a concurrency slot,
 * plan the answer, then hand it to an {@link Exchange} to pace it out.
 */
final class ChatHandler implements Handler<RoutingContext> {

    /** Per-request directives written into the last message, for callers that cannot set our headers. */
    private static final Pattern MARKER = Pattern.compile("\\[\\[sim:(fault|latency|usage)=([^\\]]*)]]");

    private final DeepSeekSimulator simulator;
    private final ObjectReader reader;

    ChatHandler(DeepSeekSimulator simulator, ObjectMapper mapper) {
        this.simulator = simulator;
        // serde reads the whole body: anything after the JSON value but whitespace is a 400 upstream
        this.reader = mapper.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    @Override
    public void handle(RoutingContext ctx) {
        SimulatorStats stats = simulator.stats();
        stats.request();
        stats.chatRequest();
        Fault queued = null;
        try {
            HttpServerRequest request = ctx.request();
            JsonNode root = null;
            try {
                simulator.authenticate(request);
                root = parse(ctx.body().buffer());
            } finally { // refused ones too: a 401 is what one comes to the log for
                simulator.record(request, root != null ? root : TextNode.valueOf(text(ctx.body().buffer())));
            }
            ChatRequest chat = ChatRequest.parse(root);
            // a request's own checks come before faults, as simulator.md promises
            Prompt prompt = Prompt.of(chat);
            int requested = prompt.tokens() + (chat.maxTokens() == null ? 0 : chat.maxTokens());
            if (requested > Models.CONTEXT_TOKENS) {
                throw new ApiError(400, "This model's maximum context length is " + Models.CONTEXT_TOKENS
                        + " tokens. However, you requested " + requested + " tokens (" + prompt.tokens()
                        + " in the messages, " + (requested - prompt.tokens()) + " in the completion). "
                        + "Please reduce the length of the messages or completion.");
            }
            Set<Fault> faults = EnumSet.noneOf(Fault.class);
            String latencyName = simulator.settings().latency();
            SimulatorSettings.UsageForm usageForm = simulator.settings().usageForm();
            String header = request.getHeader(Fault.HEADER);
            if (header != null) {
                faults.addAll(Fault.parseList(header));
            }
            latencyName = orElse(request.getHeader(LatencyProfile.HEADER), latencyName);
            String form = request.getHeader(SimulatorSettings.UsageForm.HEADER);
            if (form != null) {
                usageForm = SimulatorSettings.UsageForm.parse(form);
            }
            Matcher m = MARKER.matcher(chat.lastText());
            while (m.find()) {
                switch (m.group(1)) {
                    case "fault" -> faults.addAll(Fault.parseList(m.group(2)));
                    case "latency" -> latencyName = m.group(2);
                    default -> usageForm = SimulatorSettings.UsageForm.parse(m.group(2));
                }
            }
            LatencyProfile latency = LatencyProfile.of(latencyName, chat.model());
            faults.addAll(simulator.faults().pick(chat.model()));
            queued = simulator.faults().takeNext();
            if (queued != null) {
                faults.add(queued);
                if (queued.status() > 0) { // the queued error is this request's answer, whatever else applies
                    stats.fault();
                    throw ApiError.forFault(queued);
                }
            }
            for (Fault fault : faults) {
                if (fault.status() > 0) {
                    stats.fault();
                    throw ApiError.forFault(fault);
                }
            }
            if (!simulator.balanceAvailable()) {
                throw ApiError.forFault(Fault.INSUFFICIENT_BALANCE);
            }
            Completion completion = Generator.plan(chat, prompt, faults);
            int limit = simulator.settings().concurrencyLimit(chat.model());
            int over = stats.admit(chat.model(), limit);
            if (over > 0) {
                throw ApiError.concurrency(over, limit);
            }
            // counted once admitted: a refused request showed none of its faults
            if (!faults.isEmpty()) {
                stats.fault();
            }
            respond(ctx, chat, prompt, completion, faults, latency, usageForm);
        } catch (ApiError e) {
            putBack(queued);
            simulator.sendError(ctx, e);
        } catch (IllegalArgumentException e) {
            putBack(queued);
            // a simulator directive the caller got wrong: say so plainly
            simulator.sendError(ctx, new ApiError(400, e.getMessage()));
        }
    }

    /**
     * A queued fault that did not show because the request was refused (429, 402, an error fault of its own)
     * goes back to the head of the queue, so "the next request gets it" still holds. An error fault from the
     * queue is the refusal itself and stays used.
     */
    private void putBack(Fault queued) {
        if (queued != null && queued.status() == 0) {
            simulator.faults().putBack(queued);
        }
    }

    /** From here on the request holds a concurrency slot, which the exchange gives back. */
    private void respond(RoutingContext ctx, ChatRequest chat, Prompt prompt, Completion completion,
            Set<Fault> faults, LatencyProfile latency, SimulatorSettings.UsageForm usageForm) {
        SimulatorStats stats = simulator.stats();
        Responses responses = new Responses(randomUuid(), System.currentTimeMillis() / 1000, chat, completion);
        Vertx vertx = ctx.vertx();
        Exchange exchange = new Exchange(vertx, ctx.response(), stats, chat.model(), latency,
                simulator.settings().keepAliveInterval().toMillis(), faults, chat.stream());
        if (chat.stream()) {
            stats.streamed();
        }
        // the cache is looked up as the prefill begins: a twin request still in its prefill has persisted nothing yet
        long[] units = prompt.unitHashes();
        int hit = simulator.cache().hitTokens(chat.model(), chat.userId(), units);
        exchange.start(() -> {
            // the prefill is done: this prompt's units are persisted now
            simulator.cache().persist(chat.model(), chat.userId(), units);
            // the end of the model's output is a unit too (persisted at once: the simulator knows the answer now)
            simulator.cache().persist(chat.model(), chat.userId(),
                    prompt.unitHashesWith(completion.asPrompt(chat.thinking())));
            Responses.Usage usage = new Responses.Usage(prompt.tokens(), hit, completion.completionTokens(),
                    completion.reasoningTokens(), chat.thinking());
            stats.usage(usage.promptTokens(), hit, usage.completionTokens());
            if (chat.stream()) {
                int tail = !chat.includeUsage() || usageForm == SimulatorSettings.UsageForm.LIVE ? 2 : 3;
                exchange.sendEvents(responses.events(usage, usageForm), tail);
            } else {
                exchange.sendBody(responses.body(usage).toString(), usage.completionTokens());
            }
        });
    }

    /** A body that is not JSON (or was not read), as the request log keeps it. */
    private static String text(Buffer body) {
        return body == null ? "" : body.toString(StandardCharsets.UTF_8);
    }

    private JsonNode parse(Buffer body) {
        JsonNode root;
        try {
            root = body == null ? null : reader.readTree(body.getBytes());
        } catch (JsonProcessingException e) {
            // Jackson's size limits (nesting, string length) come without a location
            JsonLocation at = e.getLocation();
            throw new ApiError(400, "Failed to parse the JSON body into the target type: " + e.getOriginalMessage()
                    + (at == null ? "" : " at line " + at.getLineNr() + " column " + at.getColumnNr()));
        } catch (java.io.IOException e) {
            throw new ApiError(400, "Failed to parse the JSON body into the target type: " + e.getMessage());
        }
        if (root == null || root.isMissingNode()) { // empty, or nothing but whitespace
            throw new ApiError(400, "Failed to parse the JSON body into the target type: "
                    + "EOF while parsing a value at line 1 column " + (body == null ? 0 : body.length()));
        }
        return root;
    }

    /** A version-4 UUID from a fast non-cryptographic source: ids need to be unique, not secret. */
    private static String randomUuid() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        long msb = (r.nextLong() & ~0xF000L) | 0x4000L;
        long lsb = (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb).toString();
    }

    private static String orElse(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value;
    }
}
