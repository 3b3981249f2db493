package dev.tollgate.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A faithful, fast imitation of the DeepSeek API (see docs/simulator.md) on any Vert.x instance:
 * Quarkus' own in the app and its tests, a plain one when run standalone. No CDI in here.
 *
 * <pre>
 * DeepSeekSimulator sim = DeepSeekSimulator.create(vertx, SimulatorSettings.builder().latency("zero").build());
 * sim.start().toCompletionStage().toCompletableFuture().join();
 * sim.baseUrl(); // http://127.0.0.1:port
 * </pre>
 */
public final class DeepSeekSimulator {

    /** How many recent chat requests GET /_simulator/requests keeps. */
    static final int RECENT_REQUESTS = 32;
    /** Longer strings in a logged body are cut to this many characters; the gateway's tests send up to ~4,300. */
    static final int RECORDED_STRING_CHARS = 8192;
    /** About how many characters of one body the log keeps, so 32 bodies of up to 64 MB cannot fill the heap. */
    static final int RECORDED_BODY_CHARS = 64 * 1024;
    /** The account a start or a reset gives: 110.00 CNY, of which 10.00 granted. */
    static final BigDecimal START_BALANCE = new BigDecimal("110.00");
    static final BigDecimal GRANTED = new BigDecimal("10.00");

    private final Vertx vertx;
    private final SimulatorSettings settings;
    private final SimulatorStats stats = new SimulatorStats();
    private final FaultPlan faults;
    private final PrefixCache cache;
    private final ObjectMapper mapper = new ObjectMapper();
    private final ConcurrentLinkedDeque<JsonNode> recent = new ConcurrentLinkedDeque<>();
    private final AtomicInteger recentCount = new AtomicInteger();
    private final List<String> deployments = new ArrayList<>();
    private volatile boolean balanceAvailable = true;
    private volatile BigDecimal balanceTotal = START_BALANCE;
    private volatile int port = -1;
    private long sweepTimer = -1;

    private DeepSeekSimulator(Vertx vertx, SimulatorSettings settings) {
        this.vertx = vertx;
        this.settings = settings;
        this.faults = new FaultPlan(settings);
        this.cache = new PrefixCache(settings.cacheTtl(), settings.cacheMaxEntries());
    }

    public static DeepSeekSimulator create(Vertx vertx, SimulatorSettings settings) {
        return new DeepSeekSimulator(vertx, settings);
    }

    /**
     * Listens; completes with the actual port. Several instances share the port (Vert.x shares one server
     * socket among them, a random one too), one event loop each.
     */
    public Future<Integer> start() {
        return deploy(settings.port(), Math.max(1, settings.instances())).map(actual -> {
            long sweepEvery = Math.max(1000, Math.min(60_000, settings.cacheTtl().toMillis()));
            sweepTimer = vertx.setPeriodic(sweepEvery, t -> vertx.executeBlocking(() -> {
                cache.sweep();
                return null;
            }, false));
            return actual;
        });
    }

    public Future<Void> stop() {
        if (sweepTimer >= 0) {
            vertx.cancelTimer(sweepTimer);
        }
        List<Future<Void>> undeployed = new ArrayList<>();
        for (String id : deployments) {
            undeployed.add(vertx.undeploy(id));
        }
        deployments.clear();
        return Future.all(undeployed).mapEmpty();
    }

    public int port() {
        if (port < 0) {
            throw new IllegalStateException("The simulator is not started");
        }
        return port;
    }

    /** Where to point an OpenAI/DeepSeek client; {@code /v1} may be appended, as upstream allows. */
    public String baseUrl() {
        String host = "0.0.0.0".equals(settings.host()) ? "127.0.0.1" : settings.host();
        return "http://" + host + ":" + port();
    }

    public SimulatorSettings settings() {
        return settings;
    }

    public SimulatorStats stats() {
        return stats;
    }

    public FaultPlan faults() {
        return faults;
    }

    /** When false every chat request gets 402 and /user/balance says so, as when the account runs dry. */
    public void balanceAvailable(boolean available) {
        this.balanceAvailable = available;
    }

    public boolean balanceAvailable() {
        return balanceAvailable;
    }

    /** What /user/balance reports left while the account is available, as spending or a top-up leaves it. */
    public void balanceTotal(BigDecimal total) {
        this.balanceTotal = total.setScale(2, RoundingMode.HALF_UP);
    }

    /** The last chat requests as received: time, a few headers (the key masked) and the body. */
    public List<JsonNode> recentRequests() {
        return List.copyOf(recent);
    }

    /** Between tests: counters, cache, planned faults, request log and balance back to the start. */
    public void reset() {
        stats.reset();
        cache.clear();
        faults.clear();
        recent.clear();
        recentCount.set(0);
        balanceAvailable = true;
        balanceTotal = START_BALANCE;
    }

    // ------------------------------------------------------------------ HTTP

    private Future<Integer> deploy(int onPort, int instances) {
        Router router = router();
        return vertx.deployVerticle(() -> new AbstractVerticle() {
            @Override
            public void start(Promise<Void> started) {
                vertx.createHttpServer(new HttpServerOptions().setHost(settings.host()).setPort(onPort)
                                .setTcpNoDelay(true).setIdleTimeout(0))
                        .requestHandler(router)
                        .listen()
                        .onSuccess(server -> {
                            port = server.actualPort();
                            started.complete();
                        })
                        .onFailure(started::fail);
            }
        }, new DeploymentOptions().setInstances(instances)).map(id -> {
            synchronized (deployments) {
                deployments.add(id);
            }
            return port;
        });
    }

    private Router router() {
        Router router = Router.router(vertx);
        // Every body is read as JSON, whatever its type says: `curl -d` declares a form, which BodyHandler would
        // decode as one (refusing a field over 1 KB with a bare 400) and keep any files of.
        router.route().method(HttpMethod.POST).handler(ctx -> {
            String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
            if (type != null && (type.regionMatches(true, 0, "application/x-www-form-urlencoded", 0, 33)
                    || type.regionMatches(true, 0, "multipart/", 0, 10))) {
                ctx.request().headers().remove(HttpHeaders.CONTENT_TYPE);
            }
            ctx.next();
        });
        router.route().method(HttpMethod.POST).handler(BodyHandler.create(false).setBodyLimit(64L * 1024 * 1024));
        ChatHandler chat = new ChatHandler(this, mapper);
        for (String prefix : List.of("", "/v1")) {
            router.post(prefix + "/chat/completions").handler(chat);
            router.get(prefix + "/models").handler(authenticated(this::models));
            router.get(prefix + "/user/balance").handler(authenticated(this::balance));
        }
        router.get("/_simulator/stats").handler(ctx -> json(ctx, mapper.valueToTree(stats.snapshot())));
        router.post("/_simulator/reset").handler(ctx -> {
            reset();
            ctx.response().setStatusCode(204).end();
        });
        router.get("/_simulator/requests").handler(ctx -> json(ctx, mapper.valueToTree(recentRequests())));
        router.get("/_simulator/faults").handler(ctx -> json(ctx, mapper.valueToTree(faults.view())));
        router.delete("/_simulator/faults").handler(ctx -> {
            faults.clear();
            json(ctx, mapper.valueToTree(faults.view()));
        });
        router.post("/_simulator/faults").handler(this::planFaults);
        router.post("/_simulator/balance").handler(ctx -> {
            JsonNode body = readControl(ctx);
            if (body == null) {
                return;
            }
            try {
                BigDecimal total = body.has("total") ? new BigDecimal(body.path("total").asText()) : balanceTotal;
                balanceAvailable = body.path("available").asBoolean(true);
                balanceTotal(total);
                ctx.response().setStatusCode(204).end();
            } catch (NumberFormatException e) {
                sendError(ctx, new ApiError(400, "total must be an amount such as \"42.10\""));
            }
        });
        router.route().last().handler(ctx -> sendError(ctx, new ApiError(404, "Not Found", "invalid_request_error",
                "invalid_request_error")));
        return router;
    }

    /** An API route besides chat: counted, and refused like DeepSeek does without a valid key. */
    private Handler<RoutingContext> authenticated(Handler<RoutingContext> route) {
        return ctx -> {
            stats.request();
            try {
                authenticate(ctx.request());
            } catch (ApiError e) {
                sendError(ctx, e);
                return;
            }
            route.handle(ctx);
        };
    }

    private void models(RoutingContext ctx) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("object", "list");
        ArrayNode data = body.putArray("data");
        for (String model : Models.ALL) {
            data.addObject().put("id", model).put("object", "model").put("owned_by", "deepseek");
        }
        json(ctx, body);
    }

    private void balance(RoutingContext ctx) {
        BigDecimal total = balanceAvailable ? balanceTotal : BigDecimal.ZERO.setScale(2);
        BigDecimal granted = total.min(GRANTED); // DeepSeek spends a grant before money topped up
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("is_available", balanceAvailable);
        body.putArray("balance_infos").addObject()
                .put("currency", "CNY")
                .put("total_balance", total.toPlainString())
                .put("granted_balance", granted.toPlainString())
                .put("topped_up_balance", total.subtract(granted).toPlainString());
        json(ctx, body);
    }

    /** {"next":["503","503"], "models":{"deepseek-v4-pro":"500"}, "every":3, "everyFault":"503"}; all optional. */
    private void planFaults(RoutingContext ctx) {
        JsonNode body = readControl(ctx);
        if (body == null) {
            return;
        }
        try { // all read before any applies: a plan with a mistake in it changes nothing
            List<Fault> next = new ArrayList<>();
            for (JsonNode f : body.path("next")) {
                next.add(Fault.parse(f.asText()));
            }
            Map<String, Fault> byModel = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = body.path("models").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                Fault fault = e.getValue().isNull() ? null : Fault.parse(e.getValue().asText());
                byModel.put(Models.served(e.getKey()), fault);
            }
            Fault everyFault = body.has("every") ? Fault.parse(body.path("everyFault").asText("503")) : null;
            faults.next(next.toArray(Fault[]::new));
            byModel.forEach(faults::forModel);
            if (everyFault != null) {
                faults.every(body.get("every").asInt(), everyFault);
            }
            json(ctx, mapper.valueToTree(faults.view()));
        } catch (IllegalArgumentException e) {
            sendError(ctx, new ApiError(400, e.getMessage()));
        }
    }

    private JsonNode readControl(RoutingContext ctx) {
        try {
            return mapper.readTree(ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes());
        } catch (java.io.IOException e) {
            sendError(ctx, new ApiError(400, "Not JSON: " + e.getMessage()));
            return null;
        }
    }

    // ------------------------------------------------------------------ shared with the chat handler

    /** Any non-empty bearer token, or exactly the configured one. */
    void authenticate(HttpServerRequest request) {
        String header = request.getHeader("Authorization");
        String key = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : null;
        if (key == null || key.isEmpty() || (settings.apiKey() != null && !settings.apiKey().equals(key))) {
            throw ApiError.authentication(key);
        }
    }

    void record(HttpServerRequest request, JsonNode body) {
        ObjectNode entry = JsonNodeFactory.instance.objectNode();
        entry.put("receivedAt", Instant.now().toString());
        entry.put("path", request.path());
        ObjectNode headers = entry.putObject("headers");
        for (Map.Entry<String, String> h : request.headers()) {
            String name = h.getKey().toLowerCase(java.util.Locale.ROOT);
            String value = h.getValue();
            if (name.equals("authorization")) {
                value = value.length() > 11 ? value.substring(0, 7) + "****" + value.substring(value.length() - 4)
                        : "Bearer ****";
            }
            headers.put(name, value);
        }
        entry.set("body", clip(body, new int[] {RECORDED_BODY_CHARS}));
        recent.addLast(entry);
        if (recentCount.incrementAndGet() > RECENT_REQUESTS && recent.pollFirst() != null) {
            recentCount.decrementAndGet();
        }
    }

    /**
     * A copy of a body small enough to keep: strings over {@link #RECORDED_STRING_CHARS} are cut and say how long
     * they were, and once {@code budget} characters are used up the remaining elements and fields are left out,
     * with a note saying how many. Short values stay as sent, so tests can compare them.
     */
    static JsonNode clip(JsonNode node, int[] budget) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        if (node.isTextual()) {
            String text = node.asText();
            budget[0] -= Math.min(text.length(), RECORDED_STRING_CHARS) + 2;
            return text.length() <= RECORDED_STRING_CHARS ? node
                    : f.textNode(text.substring(0, RECORDED_STRING_CHARS) + "...[clipped: " + text.length()
                            + " characters]");
        }
        if (node.isArray()) {
            ArrayNode copy = f.arrayNode();
            for (int i = 0; i < node.size(); i++) {
                if (budget[0] <= 0) {
                    copy.add("...[clipped: " + (node.size() - i) + " more elements]");
                    break;
                }
                copy.add(clip(node.get(i), budget));
            }
            return copy;
        }
        if (node.isObject()) {
            ObjectNode copy = f.objectNode();
            int left = node.size();
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                if (budget[0] <= 0) {
                    copy.put("...", "[clipped: " + left + " more fields]");
                    break;
                }
                budget[0] -= field.getKey().length() + 4;
                copy.set(field.getKey(), clip(field.getValue(), budget));
                left--;
            }
            return copy;
        }
        budget[0] -= 8; // numbers, booleans, null: small, but a million of them are not
        return node;
    }

    PrefixCache cache() {
        return cache;
    }

    void sendError(RoutingContext ctx, ApiError error) {
        stats.error(error.status());
        if (ctx.response().headWritten()) {
            ctx.response().close();
            return;
        }
        ctx.response().setStatusCode(error.status())
                .putHeader("Content-Type", "application/json")
                .end(error.body().toString());
    }

    private static void json(RoutingContext ctx, JsonNode body) {
        ctx.response().putHeader("Content-Type", "application/json").end(body.toString());
    }
}
