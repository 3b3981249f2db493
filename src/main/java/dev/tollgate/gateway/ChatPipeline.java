package dev.tollgate.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.catalog.AliasResolver;
import dev.tollgate.catalog.ModelResolution;
import dev.tollgate.platform.RequestIds;
import dev.tollgate.platform.TollgateConfig;
import dev.tollgate.upstream.AnswerMemory;
import dev.tollgate.upstream.SilenceWatch;
import dev.tollgate.upstream.UpstreamBody;
import dev.tollgate.upstream.UpstreamEndpoint;
import dev.tollgate.upstream.Upstreams;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * POST /v1/chat/completions as an ordered pipeline, all on the event loop:
 * authenticate → resolve model → (reserve budget) → call upstream, retrying before the first byte →
 * relay → settle and record. Later steps (routing policy, budgets) slot in between.
 */
@ApplicationScoped
public class ChatPipeline {

    private static final Logger LOG = Logger.getLogger(ChatPipeline.class);
    static final String TAGS_HEADER = "X-Tollgate-Tags";
    static final String MODEL_HEADER = "X-Tollgate-Model";
    /** The routing context's key for the caller's authenticated API key. */
    static final String KEY = "tollgate.key";
    /** The longest upstream Retry-After the gateway waits out itself before retrying. */
    private static final long MAX_RETRY_AFTER_MILLIS = 5_000;
    /** The longest wait between two attempts, however many a call may make. */
    private static final long MAX_BACKOFF_MILLIS = 5_000;
    /** How long an upstream stream may stay open after its [DONE]. */
    private static final long DONE_GRACE_MILLIS = 1000;
    /** The ledger's error type for a stream the upstream ended with its own error event. */
    private static final String STREAM_ERROR = "upstream_stream_error";
    /** An alias's answer smaller than this is renamed in a copy and sent in one write. */
    private static final int SPLICE_BY_COPY_BELOW = 64 * 1024;

    @Inject
    AliasResolver aliases;
    @Inject
    Upstreams upstreams;
    @Inject
    ObjectMapper json;
    @Inject
    TollgateConfig config;
    @Inject
    Vertx vertx;
    @Inject
    MeterRegistry metrics;
    @Inject
    CallRecorder recorder;
    @Inject
    AnswerMemory answerMemory;

    /** A call whose key {@link ChatCompletionsRoute} checked before its body was read, under {@link #KEY}. */
    void handle(RoutingContext ctx) {
        if (ctx.response().closed()) {
            return; // the client left while its body came in: nothing is sent upstream, nothing is billed
        }
        ChatCall call = new ChatCall(ctx.get(RequestIds.KEY), ctx.get(RequestIds.CLIENT_KEY), Instant.now(), ctx);
        ctx.response().closeHandler(guarded(call, v -> clientGone(call)));
        call.key = ctx.get(KEY);
        try {
            prepare(call, parse(ctx.body().buffer()));
        } catch (RuntimeException e) { // OpenAI's 400s; a defect's 500 now, not silence until a timeout
            // recorded before the answer, so that a client reading its row after the answer finds it
            if (call.requestedModel != null) { // a body without a model cannot be a row: the ledger is by model
                OpenAiException known = e instanceof OpenAiException o ? o : null;
                recorder.refused(call, known == null ? 500 : known.status(),
                        known == null ? "gateway_error" : known.body().error().code());
            }
            GatewayResponses.error(ctx, e, call);
            return;
        }
        guarded(call, v -> attempt(call, upstreams.plan(call.servedModel))).handle(null);
    }

    private RequestBody parse(Buffer raw) {
        if (raw == null || raw.length() == 0) {
            throw new OpenAiException(400, "invalid_request_error", "invalid_request_error", null,
                    "The request body is empty; send a JSON chat completion request.");
        }
        byte[] bytes = raw.getBytes();
        if (!RequestBody.mayBeUtf8(bytes)) {
            throw new OpenAiException(400, "invalid_request_error", "invalid_request_error", null,
                    "The request body must be JSON in UTF-8; it looks like UTF-16 or UTF-32.");
        }
        try {
            RequestBody body = RequestBody.read(json, bytes);
            if (body != null) {
                return body;
            }
        } catch (JsonProcessingException e) {
            throw new OpenAiException(400, "invalid_request_error", "invalid_request_error", null,
                    "The request body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) { // reading bytes in memory fails only on their encoding
            throw new OpenAiException(400, "invalid_request_error", "invalid_request_error", null,
                    "The request body is not valid UTF-8 JSON: " + e.getMessage());
        }
        throw new OpenAiException(400, "invalid_request_error", "invalid_request_error", null,
                "The request body must be a JSON object.");
    }

    /** Validates what the gateway itself needs and fixes the model and the upstream body. */
    private void prepare(ChatCall call, RequestBody body) {
        String model = body.text("model");
        if (model == null || model.isBlank()) {
            throw invalid("model", "you must provide a model name, e.g. deepseek-v4-flash");
        }
        call.requestedModel = model;
        // Looked up before the body's other checks so that their 400s carry an alias's lifecycle headers too.
        ModelResolution resolution = aliases.resolve(call.key.tenantId(), call.requestedModel, call.receivedAt);
        call.aliasHeaders = resolution.headers();
        // known before any check can refuse the call, so that its ledger row says who sent what
        call.aliasUsed = resolution.alias();
        call.userId = body.text("user_id");
        call.tags = tags(call.ctx.request().headers());
        if (!body.hasMessages()) {
            throw invalid("messages", "messages must be a non-empty array");
        }
        RequestBody.Value stream = body.get("stream");
        if (stream != null && !stream.token().isBoolean() && !stream.isNull()) {
            throw invalid("stream", "stream must be a boolean");
        }
        call.stream = stream != null && stream.token() == JsonToken.VALUE_TRUE;
        RequestBody.Value streamOptions = body.get("stream_options");
        if (streamOptions != null && streamOptions.token() != JsonToken.START_OBJECT && !streamOptions.isNull()) {
            throw invalid("stream_options", "stream_options must be an object, e.g. {\"include_usage\": true}");
        }
        // on a stream Tollgate sets include_usage itself, so the upstream would never see a wrong one
        RequestBody.Value includeUsage = body.includeUsage();
        if (includeUsage != null && !includeUsage.token().isBoolean() && !includeUsage.isNull()) {
            throw invalid("stream_options.include_usage", "stream_options.include_usage must be a boolean");
        }
        serve(call, resolution, body); // sets the served model, which X-Tollgate-Model names only once there is one
        call.userId = body.text("user_id"); // again: an alias may imply one
        call.thinking = !"disabled".equals(body.thinkingType());
        call.reasoningEffort = body.text("reasoning_effort");
        // Only used when the upstream never reports usage: four bytes a token, the whole body counted.
        call.promptTokenEstimate = (call.ctx.body().length() + 3) / 4;
        body.limitOutputAsAsked();
        body.developerAsSystem();
        if (call.stream) {
            call.clientWantsUsage = body.wantsUsage();
            if (!call.clientWantsUsage) {
                body.askForUsage(); // usage is money: always ask for it
            }
        }
        if (config.gateway().promptCachePerTenant()) {
            body.scopeUserId(call.key.tenantId()); // after user_id is read: the ledger keeps the client's
        }
        call.upstreamBody = body.upstream();
    }

    /**
     * A catalog model is served as named; an alias is rewritten to its target with the parameters it
     * implies. Its deprecation headers (already on the call) go on every answer, the 410 of a retired alias
     * included.
     */
    private void serve(ChatCall call, ModelResolution resolution, RequestBody body) {
        if (resolution.outcome() == ModelResolution.Outcome.RETIRED) {
            // Live, for an alert: whom a rejection still breaks (the ledger has each call's row too).
            Counter.builder("tollgate_gateway_retired_alias_calls")
                    .description("Chat calls refused because they named a retired alias, by tenant")
                    .tags("alias", resolution.alias(), "tenant", call.key.tenantSlug()).register(metrics).increment();
        }
        resolution.orThrow();
        if (!resolution.allowedBy(call.key)) {
            throw new OpenAiException(403, "permission_error", "model_not_allowed", "model",
                    "This API key may not use `" + call.requestedModel + "`. GET /v1/models lists the models it may use.");
        }
        call.servedModel = resolution.model();
        if (resolution.aliased()) {
            body.serveAlias(resolution.model(), resolution.impliedParams(), json);
        }
    }

    private void attempt(ChatCall call, List<UpstreamEndpoint> plan) {
        if (call.finished) {
            return;
        }
        if (plan.isEmpty()) {
            if (upstreams.serves(call.servedModel)) { // every breaker open: the SDKs wait this, not retry into it
                call.retryAfterSeconds = upstreams.secondsUntilTrial(call.servedModel);
            }
            fail(call, upstreams.serves(call.servedModel)
                    ? new OpenAiException(503, "api_error", "upstream_unavailable", null,
                            "No upstream is available for " + call.servedModel + " right now; retry in a little while.")
                    // a set-up matter, which no retry mends
                    : new OpenAiException(503, "api_error", "upstream_not_configured", null, "No upstream endpoint"
                            + " of this gateway serves " + call.servedModel + ". Tell your Tollgate operator."));
            return;
        }
        UpstreamEndpoint endpoint = permitted(plan, call);
        if (endpoint == null) { // their breakers opened during this call, or have no trial call left
            call.retryAfterSeconds = upstreams.secondsUntilTrial(call.servedModel);
            fail(call, new OpenAiException(503, "api_error", "upstream_unavailable", null,
                    "No upstream is available for " + call.servedModel + " right now; retry in a little while."));
            return;
        }
        call.breakerPermit = true;
        call.breakerTrial = endpoint.breaker().getState() == CircuitBreaker.State.HALF_OPEN;
        long held = call.heldOffMillis(endpoint);
        if (held > 0 && held <= MAX_RETRY_AFTER_MILLIS) {
            // a retry that came back to an endpoint that sent a Retry-After (the only one, or the others' breakers
            // are open): its wait is waited out first
            breakerRelease(call, endpoint);
            vertx.setTimer(held, guarded(call, t -> attempt(call, plan)));
            return;
        }
        call.endpoint = endpoint;
        call.attempt++;
        call.attemptOpen = true;
        call.upstreamRequest = null;
        call.refusedWith = 0;
        call.retryAfterSeconds = -1; // an earlier attempt's wait is not this one's
        call.firstByteAt = null;
        call.attemptStartedNanos = System.nanoTime();
        long started = call.attemptStartedNanos;
        endpoint.client().request(endpoint.chatCompletionsRequest(call.stream))
                .onFailure(guarded(call, err -> noConnection(call, plan, endpoint, err, started)))
                .onSuccess(guarded(call, req -> {
                    if (call.finished) { // the client left while this waited for a connection: send nothing
                        req.reset();
                        return;
                    }
                    call.upstreamRequest = req;
                    req.send(call.upstreamBody)
                            .onSuccess(guarded(call, resp -> onResponse(call, plan, endpoint, resp, started)))
                            .onFailure(guarded(call, err -> onTransportFailure(call, plan, endpoint, err, started)));
                }));
    }

    /**
     * No connection was had: the endpoint refused or did not answer the connect, or every pooled connection
     * stayed busy (max-connections) for the connect timeout. Nothing was sent, so another endpoint may try.
     */
    private void noConnection(ChatCall call, List<UpstreamEndpoint> plan, UpstreamEndpoint endpoint, Throwable err,
            long started) {
        if (call.finished) {
            return;
        }
        // a TCP connect timeout is not one; a full wait queue is this gateway's load, not the endpoint's fault
        boolean poolBusy = UpstreamEndpoint.poolBusy(err);
        if (!poolBusy) {
            breakerError(call, endpoint, System.nanoTime() - started, err);
        } else {
            breakerRelease(call, endpoint); // the endpoint did nothing wrong
        }
        recorder.attempt(call, endpoint, 0, poolBusy ? "upstream_busy" : "upstream_connect_error", null, Usage.NONE);
        LOG.debugf("No connection to upstream %s on attempt %d of %s: %s", endpoint.name(), call.attempt,
                call.requestId, err);
        if (canRetry(call)) {
            retryLater(call, plan);
            return;
        }
        fail(call, poolBusy
                ? new OpenAiException(503, "api_error", "upstream_busy", null, "Every connection to the upstream for "
                        + call.servedModel + " stayed busy; retry in a little while.")
                : new OpenAiException(502, "api_error", "upstream_unreachable", null,
                        "The upstream could not be reached. Retry in a little while."));
    }

    private void onResponse(ChatCall call, List<UpstreamEndpoint> plan, UpstreamEndpoint endpoint,
            HttpClientResponse resp, long started) {
        if (call.finished) {
            resp.request().reset();
            return;
        }
        int status = resp.statusCode();
        if (status == 200) {
            // The breaker hears about a 200 once its body is complete: one that breaks off is a failure. A
            // half-open breaker's trial call only asks whether the endpoint answers again, and must not hold
            // the endpoint half-open for the length of a stream, so it is settled at the status line.
            call.answeredAfterNanos = System.nanoTime() - started;
            upstreams.answered(endpoint);
            if (call.breakerTrial) {
                breakerSuccess(call, endpoint, call.answeredAfterNanos);
            }
            if (call.stream && isEventStream(resp)) {
                relayStream(call, endpoint, resp);
            } else {
                relayBody(call, endpoint, resp);
            }
            return;
        }
        call.firstByteAt = Instant.now();
        call.refusedWith = status;
        if (status == 401 || status == 402 || status == 403) {
            upstreams.refusedCredentials(endpoint, status);
        }
        call.retryAfterSeconds = status == 429 || status == 503
                ? UpstreamErrors.retryAfterSeconds(resp.getHeader(HttpHeaderNames.RETRY_AFTER)) : -1;
        UpstreamBody.read(vertx, resp, maxAnswerBytes(), endpoint.readTimeout().toMillis(), answerMemory, null, null)
                .onComplete(guarded(call, ar -> {
            call.upstreamRequest = null; // the exchange is over: its pooled connection may serve another call now
            if (call.finished) {
                return; // the client left while the error body came in; that attempt is recorded already
            }
            Buffer errorBody = ar.succeeded() ? ar.result() : Buffer.buffer();
            // 401, 402 and 403 say this endpoint's own key or account is wrong (revoked, out of balance), not the
            // client's request: the endpoint is failing, and another one may serve. Retrying it alone is futile.
            // With no other endpoint, the client gets the refusal itself (upstream_auth_failed, with
            // X-Should-Retry: false), which an open breaker would turn into a vague "retry later".
            // So do 404 and 405: the gateway chose the path and the model, so the endpoint is set up wrong (a base
            // URL without the /v1 a vLLM needs, a server that does not serve this model name).
            boolean failover = (status == 401 || status == 402 || status == 403 || status == 404 || status == 405)
                    && call.refuse(endpoint, plan);
            // A retry waits out a Retry-After of the endpoint it goes to (this one again, when it is the only one),
            // unless that asks for longer than a call should hang: then this answer, with its wait, is the client's.
            call.holdOff(endpoint, call.retryAfterSeconds);
            boolean retryable = (status == 429 || status == 503)
                    && call.heldOffMillis(nextEndpoint(plan, call)) <= MAX_RETRY_AFTER_MILLIS || failover;
            // A 429 is the upstream's rate limit, not a broken endpoint: it moves the call on but must not
            // open the breaker, or one noisy tenant would take the endpoint away from everyone.
            if (status >= 500 || failover) {
                breakerError(call, endpoint, System.nanoTime() - started, new IllegalStateException("HTTP " + status));
            } else if (status != 429) {
                breakerSuccess(call, endpoint, System.nanoTime() - started);
            } else {
                breakerRelease(call, endpoint);
            }
            recorder.attempt(call, endpoint, status, "upstream_http_" + status, null, Usage.NONE);
            if (retryable && canRetry(call)) {
                retryLater(call, plan);
                return;
            }
            answerUpstreamError(call, endpoint, status, errorBody);
        }));
    }

    /**
     * The request was sent and no answer came: a timeout (not retried: the upstream may still be working on
     * it), or the connection closed before the answer's headers (retried while nothing reached the client).
     */
    private void onTransportFailure(ChatCall call, List<UpstreamEndpoint> plan, UpstreamEndpoint endpoint,
            Throwable err, long started) {
        if (call.finished) {
            return;
        }
        breakerError(call, endpoint, System.nanoTime() - started, err);
        boolean timeout = err instanceof TimeoutException
                || String.valueOf(err.getMessage()).toLowerCase().contains("timeout");
        recorder.attempt(call, endpoint, 0, timeout ? "upstream_timeout" : "upstream_disconnect", null, Usage.NONE);
        LOG.debugf("Upstream %s failed on attempt %d of %s: %s", endpoint.name(), call.attempt, call.requestId, err);
        if (!timeout && canRetry(call)) {
            retryLater(call, plan);
            return;
        }
        fail(call, timeout
                ? new OpenAiException(504, "api_error", "upstream_timeout", null,
                        "The upstream did not answer in time. Retry, or lower max_tokens for long answers.")
                : new OpenAiException(502, "api_error", "upstream_disconnect", null,
                        "The upstream closed the connection before answering; retry in a little while."));
    }

    /**
     * The plan's next endpoint after the one the last attempt used, whose breaker lets a call through: a closed
     * one always, a half-open one only for its few trial calls, so a recovering endpoint is not flooded.
     */
    private static UpstreamEndpoint permitted(List<UpstreamEndpoint> plan, ChatCall call) {
        for (int i = 1; i <= plan.size(); i++) {
            int index = (call.planIndex + i) % plan.size();
            UpstreamEndpoint e = plan.get(index);
            if (!call.refusedBy(e) && e.breaker().tryAcquirePermission()) {
                call.planIndex = index;
                return e;
            }
        }
        return null;
    }

    // Every permit an attempt takes ends in exactly one of these three. A call let through before the
    // breaker went half-open is not one of its trials: its result or release must not count as one.

    // A result and the state around it are read together, or two event loops reporting at once could both see the
    // breaker open (or close) and log it twice; uncontended, the lock costs a few nanoseconds.

    private void breakerSuccess(ChatCall call, UpstreamEndpoint endpoint, long tookNanos) {
        if (settle(call, endpoint)) {
            synchronized (endpoint.breaker()) {
                CircuitBreaker.State before = endpoint.breaker().getState();
                endpoint.breaker().onSuccess(tookNanos, TimeUnit.NANOSECONDS); // a half-open one may open again
                upstreams.resultReported(endpoint, before);
            }
        }
    }

    private void breakerError(ChatCall call, UpstreamEndpoint endpoint, long tookNanos, Throwable err) {
        if (settle(call, endpoint)) {
            synchronized (endpoint.breaker()) {
                CircuitBreaker.State before = endpoint.breaker().getState();
                endpoint.breaker().onError(tookNanos, TimeUnit.NANOSECONDS, err);
                upstreams.resultReported(endpoint, before);
            }
        }
    }

    private static void breakerRelease(ChatCall call, UpstreamEndpoint endpoint) {
        if (settle(call, endpoint) && call.breakerTrial) { // only a half-open breaker counts released permits
            endpoint.breaker().releasePermission();
        }
    }

    private static boolean settle(ChatCall call, UpstreamEndpoint endpoint) {
        boolean held = call.breakerPermit;
        call.breakerPermit = false;
        return held && (call.breakerTrial || endpoint.breaker().getState() != CircuitBreaker.State.HALF_OPEN);
    }

    private boolean canRetry(ChatCall call) {
        return !call.responseStarted && call.attempt < config.gateway().maxAttempts();
    }

    /** After the backoff (doubling per attempt, with jitter); an endpoint's Retry-After is waited by attempt(). */
    private void retryLater(ChatCall call, List<UpstreamEndpoint> plan) {
        // doubling per attempt, but never more than MAX_BACKOFF_MILLIS between two attempts
        long base = Math.min(MAX_BACKOFF_MILLIS, config.gateway().retryBackoff().toMillis() << Math.min(call.attempt - 1, 20));
        long delay = Math.max(1, base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1));
        vertx.setTimer(delay, guarded(call, t -> attempt(call, plan)));
    }

    /**
     * The endpoint a retry tries first, breakers allowing: the plan's next after the last attempt's, skipping
     * those that refused.
     */
    private static UpstreamEndpoint nextEndpoint(List<UpstreamEndpoint> plan, ChatCall call) {
        for (int i = 1; i <= plan.size(); i++) {
            UpstreamEndpoint e = plan.get((call.planIndex + i) % plan.size());
            if (!call.refusedBy(e)) {
                return e;
            }
        }
        return null;
    }

    /** Maps an upstream error to what the client should see; never the upstream's own credentials trouble. */
    private void answerUpstreamError(ChatCall call, UpstreamEndpoint endpoint, int status, Buffer body) {
        switch (status) {
            case 400, 422 -> GatewayResponses.passThrough(call, status,
                    UpstreamErrors.withoutKey(UpstreamErrors.asOpenAiError(json, status, body), endpoint.apiKey()));
            // the upstream takes less than the gateway does: the client's request, which no retry mends
            case 413 -> fail(call, new OpenAiException(413, "invalid_request_error", "request_too_large", null,
                    "The upstream refused the request as too large (HTTP 413); send fewer or shorter messages."));
            case 429 -> fail(call, new OpenAiException(429, "rate_limit_error", "upstream_rate_limited", null,
                    "The upstream is rate limiting requests for " + call.servedModel + "; retry with backoff."));
            case 401, 403 -> fail(call, new OpenAiException(502, "api_error", "upstream_auth_failed", null,
                    "The gateway's upstream credentials were refused. Tell your Tollgate operator."));
            // DeepSeek's own 402: a status no client library retries (they retry every 5xx, whatever
            // X-Should-Retry says), where a retry only waits for the operator to top the account up
            case 402 -> fail(call, new OpenAiException(402, "api_error", "upstream_balance_exhausted", null,
                    "The gateway's upstream account has run out of balance (this is not your Tollgate key)."
                            + " Tell your Tollgate operator."));
            // the gateway chose the path and the model: the endpoint is set up wrong, which no retry mends
            case 404, 405 -> fail(call, new OpenAiException(502, "api_error", "upstream_not_configured", null,
                    "The upstream endpoint does not serve " + call.servedModel + " at its configured address (HTTP "
                            + status + "). Tell your Tollgate operator."));
            case 503 -> fail(call, new OpenAiException(503, "api_error", "upstream_overloaded", null,
                    "The upstream is overloaded; retry in a little while."));
            default -> fail(call, new OpenAiException(502, "api_error", "upstream_error", null,
                    "The upstream failed with HTTP " + status + "; retry in a little while."));
        }
    }

    private void relayBody(ChatCall call, UpstreamEndpoint endpoint, HttpClientResponse resp) {
        // HTTP/1.0 has no chunked body: its client waits for the whole answer, as before the blank lines were passed on
        Handler<Buffer> blank = call.ctx.request().version() == HttpVersion.HTTP_1_0 ? null
                : guarded(call, b -> holdOpen(call, b));
        UpstreamBody.read(vertx, resp, maxAnswerBytes(), endpoint.readTimeout().toMillis(), answerMemory, blank,
                () -> call.firstByteAt = Instant.now()).onSuccess(guarded(call, raw -> {
            call.upstreamRequest = null; // the exchange is over: its pooled connection may serve another call now
            if (call.finished) {
                return;
            }
            // DeepSeek holds busy connections open with blank lines. No copy of the answer is made: one of tens of
            // megabytes (logprobs) would take that again from the heap
            Buffer body = withoutLeadingWhitespace(raw);
            ResponseSummary summary;
            Splice rename = null;
            try {
                summary = ResponseSummary.read(json, body);
                if (call.aliasUsed != null && summary.model() != null) { // the client gets back the name it sent
                    rename = summary.model().replacedBy(Splice.jsonString(call.requestedModel));
                }
            } catch (IOException e) {
                notAnAnswer(call, endpoint, resp);
                return;
            }
            if (!summary.isAnswer()) {
                notAnAnswer(call, endpoint, resp);
                return;
            }
            if (call.stream) { // a server that does not stream: the client's SDK would read no event from it
                invalidAnswer(call, endpoint, "a single JSON completion to a streaming request",
                        "The upstream answered a streaming request with a single JSON completion: it does not stream."
                                + " Tell your Tollgate operator.");
                return;
            }
            // Recorded (in the spool) before the answer leaves: a client that has its answer has its ledger row.
            recorder.attempt(call, endpoint, 200, null, summary.finishReason(),
                    summary.usageOrEstimate(call.promptTokenEstimate));
            breakerSuccess(call, endpoint, call.answeredAfterNanos);
            call.finished = true;
            HttpServerResponse out = call.ctx.response();
            if (!call.responseStarted) { // else its status and blank lines are out already
                GatewayResponses.headers(call, out).setStatusCode(200)
                        .putHeader(HttpHeaderNames.CONTENT_TYPE, "application/json");
            }
            if (rename == null || body.length() < SPLICE_BY_COPY_BELOW) {
                out.end(rename == null ? body : Splice.apply(body.getBytes(), List.of(rename)));
                return;
            }
            // a large answer goes out around its model name, in three writes rather than as a renamed copy
            if (!call.responseStarted) {
                out.putHeader(HttpHeaderNames.CONTENT_LENGTH,
                        String.valueOf(body.length() - (rename.to() - rename.from()) + rename.with().length));
            }
            out.write(body.slice(0, rename.from()));
            out.write(Buffer.buffer(rename.with()));
            out.end(body.slice(rename.to(), body.length()));
        })).onFailure(guarded(call, err -> midResponseFailure(call, endpoint, null, err)));
    }

    /**
     * Blank lines the upstream sends ahead of a non-streamed answer (DeepSeek does while it works on one) go on to the
     * client, after the 200 status they come with: the OpenAI SDKs' timeout runs until the response's headers, so it
     * then covers the wait for the first of them, as it does calling DeepSeek directly, not the whole answer. A
     * failure after that can no longer be a 502 or 504: the connection is closed, which the SDKs retry alike.
     */
    private void holdOpen(ChatCall call, Buffer blank) {
        if (call.finished) {
            return;
        }
        HttpServerResponse out = call.ctx.response();
        if (!call.responseStarted) {
            call.responseStarted = true;
            GatewayResponses.headers(call, out).setStatusCode(200).setChunked(true)
                    .putHeader(HttpHeaderNames.CONTENT_TYPE, "application/json");
        }
        out.write(blank);
    }

    /**
     * A 200 whose body is not the API's JSON (a proxy's or portal's page, an empty body): the client gets a
     * 502 it can act on, not a 200 its SDK cannot parse. Nothing is billed: the page is no answer.
     */
    private void notAnAnswer(ChatCall call, UpstreamEndpoint endpoint, HttpClientResponse resp) {
        String type = resp.getHeader(HttpHeaderNames.CONTENT_TYPE);
        invalidAnswer(call, endpoint, "a 200 that is not JSON (Content-Type " + type + ")",
                "The upstream answered with something other than a chat completion (Content-Type "
                        + (type == null ? "none" : type)
                        + "); a proxy may be in the way. Tell your Tollgate operator.");
    }

    private void invalidAnswer(ChatCall call, UpstreamEndpoint endpoint, String what, String message) {
        LOG.warnf("Upstream %s answered %s with %s", endpoint.name(), call.requestId, what);
        breakerError(call, endpoint, call.answeredAfterNanos, new IOException("200 answer: " + what));
        recorder.attempt(call, endpoint, 200, "upstream_invalid_answer", null, Usage.NONE);
        fail(call, new OpenAiException(502, "api_error", "upstream_invalid_answer", null, message));
    }

    private void relayStream(ChatCall call, UpstreamEndpoint endpoint, HttpClientResponse resp) {
        HttpServerResponse out = call.ctx.response();
        long maxEvent = config.upstream().maxEventSize().asLongValue();
        StreamRelay relay = new StreamRelay(json, call, maxEvent, chunk -> {
            if (!out.closed()) {
                out.write(chunk);
            }
        });
        call.relay = relay;
        call.responseStarted = true;
        GatewayResponses.headers(call, out).setStatusCode(200).setChunked(true)
                .putHeader(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8")
                .putHeader(HttpHeaderNames.CACHE_CONTROL, "no-cache");
        if (call.ctx.request().version() == HttpVersion.HTTP_1_0) {
            // No chunked encoding in HTTP/1.0 (nginx proxies in it by default): the stream lasts as long as the
            // connection. Vert.x's writeHead refuses a body of unknown length, a first write does not; and a
            // connection the client asked to keep alive is closed anyway, or its stream would never end.
            out.write(Buffer.buffer());
            call.ctx.addEndHandler(v -> call.ctx.request().connection().close());
        } else {
            out.writeHead();
        }
        long readTimeout = endpoint.readTimeout().toMillis();
        Handler<Void> silent = guarded(call, v -> {
            // silent because the client stopped reading and the upstream was paused for it: the client's doing
            midResponseFailure(call, endpoint, relay, call.clientStalled ? new ClientStalledException()
                    : new UpstreamBody.SilentException(readTimeout, null));
            resp.request().reset(); // after: the reset fails the response, which would count as a disconnect
        });
        call.silence = SilenceWatch.start(vertx, readTimeout, () -> silent.handle(null));
        resp.handler(guarded(call, data -> {
            if (call.finished) { // the call has been ended (client gone, stream cut off): what still comes is dropped
                return;
            }
            call.silence.heard();
            relay.feed(data);
            if (relay.eventTooLarge) {
                midResponseFailure(call, endpoint, relay, new UpstreamBody.TooLargeException(maxEvent, null));
                resp.request().reset(); // after: the reset fails the response, which would count as a disconnect
                return;
            }
            if (relay.done) {
                // [DONE] ends the answer. The upstream's response normally ends with it, but a server that keeps
                // it open must not hold the client's until the read timeout, nor turn a whole answer into a failure.
                streamComplete(call, endpoint, relay, out);
                // Its end normally follows at once; one still open after a grace is reset, so that the held
                // response does not keep an upstream connection (and its slot at the upstream) for minutes.
                long grace = vertx.setTimer(DONE_GRACE_MILLIS, t -> resp.request().reset());
                resp.endHandler(v -> vertx.cancelTimer(grace));
                return;
            }
            if (out.writeQueueFull()) { // slow client: stop reading upstream until it catches up
                call.clientStalled = true;
                resp.pause();
                out.drainHandler(guarded(call, v -> {
                    call.clientStalled = false;
                    call.silence.heard(); // the pause was not the upstream's silence
                    resp.resume();
                }));
            }
        }));
        resp.exceptionHandler(guarded(call, err -> midResponseFailure(call, endpoint, relay, err)));
        resp.endHandler(guarded(call, v -> { // an end after [DONE] is the handler's above
            if (call.finished) {
                return;
            }
            relay.end();
            if (!relay.complete()) {
                midResponseFailure(call, endpoint, relay, new IOException("upstream stream ended without [DONE]"));
                return;
            }
            if (!relay.done && !out.closed()) { // a whole answer closed without [DONE]: the client still gets one
                out.write("data: [DONE]\n\n");
            }
            streamComplete(call, endpoint, relay, out);
        }));
    }

    private void streamComplete(ChatCall call, UpstreamEndpoint endpoint, StreamRelay relay, HttpServerResponse out) {
        call.finished = true;
        call.silence.stop();
        // an upstream's error event fails the call, [DONE] after it or not; before any answer it made nothing to bill
        Usage usage = relay.upstreamError && !relay.answerBegun ? Usage.NONE
                : relay.usageOrEstimate(call.promptTokenEstimate);
        recorder.attempt(call, endpoint, 200, relay.upstreamError ? STREAM_ERROR : null, relay.finishReason, usage);
        if (relay.upstreamError) {
            breakerError(call, endpoint, call.answeredAfterNanos, new IOException("the stream carried an error event"));
        } else {
            breakerSuccess(call, endpoint, call.answeredAfterNanos);
        }
        out.end();
    }

    /**
     * The upstream broke after its status line, or sent more than the gateway holds: no retry (it has done the
     * work); close the stream and bill what was streamed.
     */
    private void midResponseFailure(ChatCall call, UpstreamEndpoint endpoint, StreamRelay relay, Throwable err) {
        if (call.finished) {
            return;
        }
        call.finished = true;
        if (call.silence != null) {
            call.silence.stop();
        }
        String tooLarge = err instanceof UpstreamBody.TooLargeException e ? e.limit + " bytes" : null;
        boolean silent = err instanceof UpstreamBody.SilentException;
        boolean stalled = err instanceof ClientStalledException;
        boolean memoryFull = err instanceof UpstreamBody.MemoryFullException;
        if (tooLarge != null || memoryFull || call.clientStalled) {
            // a big answer to a big question says nothing about the endpoint, nor does one paused for its client
            breakerRelease(call, endpoint);
        } else {
            breakerError(call, endpoint, call.answeredAfterNanos, err);
        }
        String type = tooLarge != null ? "upstream_response_too_large" : memoryFull ? "gateway_memory_full"
                : stalled ? "client_stalled" : silent ? "upstream_timeout" : "upstream_disconnect";
        // a body that was not relayed as it came is estimated from the answer text in what did come
        Buffer received = err instanceof UpstreamBody.TooLargeException e ? e.received
                : err instanceof UpstreamBody.MemoryFullException e ? e.received
                : err instanceof UpstreamBody.BrokenOffException e ? e.received
                : err instanceof UpstreamBody.SilentException e ? e.received : null;
        // The upstream closed before its answer began (keep-alive comments or blank lines only): DeepSeek does so
        // with a call whose inference never started, and bills none. Silence or a client leaving may come during
        // the work on a long prompt, which is billed: estimated as before.
        boolean closedUnbegun = type.equals("upstream_disconnect")
                && (relay != null ? relay.usage == null && !relay.answerBegun
                        : received != null && withoutLeadingWhitespace(received).length() == 0);
        // the upstream ended its stream with its own error event: the client has an error, a second would confuse
        boolean endedWithError = type.equals("upstream_disconnect") && relay != null && relay.upstreamError;
        if (endedWithError) {
            type = STREAM_ERROR;
        }
        Usage usage = closedUnbegun ? Usage.NONE
                : relay != null ? relay.usageOrEstimate(call.promptTokenEstimate)
                : Usage.estimate(call.promptTokenEstimate,
                        received == null ? 0 : ResponseSummary.answerBytesSoFar(json, received));
        recorder.attempt(call, endpoint, 200, type, relay == null ? null : relay.finishReason, usage);
        HttpServerResponse out = call.ctx.response();
        if (stalled) {
            // it reads nothing, so an error event would only wait behind what it has not read: the response is ended
            // (which is what tells Quarkus the request is over) and its connection closed
            out.end();
            GatewayResponses.dropConnection(call.ctx.request());
        } else if (call.responseStarted && relay == null) {
            GatewayResponses.dropConnection(call.ctx.request()); // a 200 and blank lines are out: no error status left
        } else if (!call.responseStarted) {
            GatewayResponses.error(call.ctx, new OpenAiException(silent ? 504 : memoryFull ? 503 : 502, "api_error",
                    type, null, memoryFull ? "The gateway is holding as many large answers as its memory allows;"
                            + " retry in a little while, or stream the answer."
                    : tooLarge != null ? "The upstream's answer is larger than this gateway accepts (" + tooLarge
                            + "); ask for fewer tokens or logprobs, or stream the answer."
                    : silent ? "The upstream stopped sending half way through the answer; retry, or stream the answer."
                    : "The upstream connection broke before the answer was complete; retry."), call);
        } else if (endedWithError) {
            out.end();
        } else if (!out.closed()) {
            OpenAiError error = OpenAiError.of(tooLarge != null
                    ? "An event of the upstream's stream is larger than this gateway accepts (" + tooLarge
                            + "); the answer is incomplete."
                    : silent ? "The upstream stopped sending mid-stream; the answer is incomplete."
                    : "The upstream connection broke mid-stream; the answer is incomplete.", "api_error", null, type);
            endStreamWithError(out, error);
        }
    }

    /** Ends a stream with a final error event, which the OpenAI SDKs raise as an API error with its code. */
    private void endStreamWithError(HttpServerResponse out, OpenAiError error) {
        try {
            out.end(Buffer.buffer("data: " + json.writeValueAsString(error) + "\n\n"));
        } catch (JsonProcessingException e) {
            out.end();
        }
    }

    /** The client read nothing of its stream for the read timeout, so the upstream stayed paused that long. */
    static final class ClientStalledException extends RuntimeException {
        ClientStalledException() {
            super("client stopped reading", null, false, false);
        }
    }

    /**
     * The client went away: stop the upstream call and record what was used so far, marked estimated. Between
     * attempts (a retry's backoff) or before the first, no upstream call is open and there is nothing to record.
     */
    private void clientGone(ChatCall call) {
        if (call.finished) {
            return;
        }
        call.finished = true;
        if (call.silence != null) {
            call.silence.stop();
        }
        breakerRelease(call, call.endpoint); // leaving says nothing about the endpoint
        if (!call.attemptOpen) {
            // Between attempts the last request has ended, and its pooled connection may be serving another
            // call by now: resetting it would close that call's connection.
            return;
        }
        if (call.upstreamRequest == null) {
            // Still waiting for a connection: nothing was sent, so nothing is billed (the request is reset
            // when the connection comes).
            recorder.attempt(call, call.endpoint, 499, "client_disconnect", null, Usage.NONE);
            return;
        }
        call.upstreamRequest.reset();
        if (call.refusedWith != 0) { // the upstream had refused the call: recorded as it answered, unbilled
            recorder.attempt(call, call.endpoint, call.refusedWith, "upstream_http_" + call.refusedWith, null, Usage.NONE);
            return;
        }
        StreamRelay relay = call.relay;
        Usage usage = relay != null ? relay.usageOrEstimate(call.promptTokenEstimate)
                : Usage.estimate(call.promptTokenEstimate, 0);
        recorder.attempt(call, call.endpoint, 499, "client_disconnect", relay == null ? null : relay.finishReason,
                usage);
    }

    /**
     * A step of the call run from a callback (the upstream's, a timer's, the client connection's). An exception no
     * step caught is a defect of the gateway, and so is an Error (the heap run out): Vert.x would log it and leave
     * the call open until its client gave up, to be billed as a disconnect. The call is ended instead, and the
     * defect logged for fixing.
     */
    private <T> Handler<T> guarded(ChatCall call, Handler<T> step) {
        return value -> {
            try {
                step.handle(value);
            } catch (RuntimeException | Error e) { // an OutOfMemoryError too: no call may hang, nor its row be lost
                defect(call, e);
            }
        };
    }

    /**
     * Ends a call a defect broke off: the upstream call is stopped, an open attempt recorded as {@code gateway_error}
     * (with what its stream carried, if any), and the client answered with a 500, or its stream closed.
     */
    private void defect(ChatCall call, Throwable e) {
        LOG.errorf(e, "Gateway defect on call %s: the call is ended", call.requestId);
        call.finished = true;
        try {
            if (call.silence != null) {
                call.silence.stop();
            }
            if (call.endpoint != null) {
                breakerRelease(call, call.endpoint); // the endpoint did nothing wrong (a no-op once settled)
            }
            if (call.attempt == 0) { // broken off before any attempt: its row says so (written once, by its key)
                recorder.refused(call, 500, "gateway_error");
            } else if (call.attemptOpen) {
                if (call.upstreamRequest != null) {
                    call.upstreamRequest.reset();
                }
                StreamRelay relay = call.relay;
                int status = call.refusedWith != 0 ? call.refusedWith : call.answeredAfterNanos > 0 ? 200 : 0;
                recorder.attempt(call, call.endpoint, status, "gateway_error", relay == null ? null : relay.finishReason,
                        relay == null ? Usage.NONE : relay.usageOrEstimate(call.promptTokenEstimate));
            }
        } catch (RuntimeException | Error again) {
            LOG.errorf(again, "Call %s could not be ended cleanly", call.requestId);
        }
        HttpServerResponse out = call.ctx.response();
        if (out.ended() || out.closed()) {
            return;
        }
        if (!out.headWritten()) {
            GatewayResponses.error(call.ctx, new OpenAiException(500, "api_error", "internal_error", null,
                    "Tollgate failed while handling this call (logged under its X-Request-Id); retry."), call);
            return;
        }
        if (call.relay == null) { // a JSON answer whose 200 and blank lines are out
            GatewayResponses.dropConnection(call.ctx.request());
            return;
        }
        endStreamWithError(out, OpenAiError.of("Tollgate failed mid-stream; the answer is incomplete.", "api_error",
                null, "internal_error"));
    }

    private void fail(ChatCall call, OpenAiException e) {
        if (call.finished && call.responseStarted) {
            return;
        }
        call.finished = true;
        if (call.responseStarted) { // a non-streamed answer whose 200 and blank lines are out: no error status left
            GatewayResponses.dropConnection(call.ctx.request());
            return;
        }
        if (call.attempt == 0) { // no endpoint to try: the call has no attempt's row to be seen by
            recorder.refused(call, e.status(), e.body().error().code());
        }
        GatewayResponses.error(call.ctx, e, call);
    }

    private long maxAnswerBytes() {
        return config.upstream().maxAnswerSize().asLongValue();
    }

    private static OpenAiException invalid(String param, String message) {
        return new OpenAiException(400, "invalid_request_error", "invalid_request_error", param, message);
    }

    private static boolean isEventStream(HttpClientResponse resp) {
        String type = resp.getHeader(HttpHeaderNames.CONTENT_TYPE);
        return type != null && type.startsWith("text/event-stream");
    }

    /** The buffer from its first byte that is not JSON whitespace on, sharing its bytes. */
    private static Buffer withoutLeadingWhitespace(Buffer b) {
        int i = 0;
        while (i < b.length() && UpstreamBody.isJsonWhitespace(b.getByte(i))) {
            i++;
        }
        return i == 0 ? b : b.slice(i, b.length());
    }

    /**
     * The tags of every X-Tollgate-Tags line: a list header may be sent as several (RFC 9110 5.3). Header bytes
     * reach the gateway one character each (ISO-8859-1), and curl and Go send UTF-8 text as its bytes: a value
     * that is valid UTF-8 is read as such, so that non-ASCII tags are recorded as sent, not as mojibake.
     */
    private static List<String> tags(MultiMap headers) {
        String header = headers.get(TAGS_HEADER);
        if (header == null) {
            return List.of();
        }
        List<String> lines = headers.getAll(TAGS_HEADER);
        header = utf8(lines.size() == 1 ? header : String.join(",", lines));
        if (header.isBlank()) {
            return List.of();
        }
        return Arrays.stream(header.split(",")).map(String::trim).filter(t -> !t.isEmpty()).limit(20)
                .map(t -> CallRecorder.storable(t, 64)).toList();
    }

    /** The header's characters as the bytes they came as, read as UTF-8 when they are that; else as they are. */
    private static String utf8(String header) {
        boolean ascii = true;
        for (int i = 0; i < header.length(); i++) {
            char c = header.charAt(i);
            if (c > 0xFF) {
                return header; // not bytes read one character each
            }
            ascii &= c < 0x80;
        }
        if (ascii) {
            return header;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(header.getBytes(StandardCharsets.ISO_8859_1)))
                    .toString();
        } catch (CharacterCodingException notUtf8) {
            return header;
        }
    }
}
