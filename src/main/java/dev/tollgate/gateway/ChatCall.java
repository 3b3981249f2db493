package dev.tollgate.gateway;

import dev.tollgate.apikey.AuthenticatedKey;
import dev.tollgate.upstream.SilenceWatch;
import dev.tollgate.upstream.UpstreamEndpoint;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** One chat completion call as it moves through the pipeline: what the client asked and what happened. */
final class ChatCall {

    final String requestId;
    /** The caller's own id for the request, or null (see RequestIds). */
    final String clientRequestId;
    final Instant receivedAt;
    final RoutingContext ctx;

    AuthenticatedKey key;
    /** What goes upstream: the client's bytes, changed in place only where Tollgate must (see RequestBody). */
    Buffer upstreamBody;
    String requestedModel;
    String servedModel;
    String aliasUsed;
    Map<String, String> aliasHeaders = Map.of();
    boolean stream;
    /** The client asked for usage in the stream; if not, Tollgate asked for it and strips it again. */
    boolean clientWantsUsage;
    boolean thinking;
    /** The request's reasoning_effort (or the one its alias implies), or null. */
    String reasoningEffort;
    String userId;
    List<String> tags = List.of();
    long promptTokenEstimate;

    int attempt;
    /** Where in the call's plan the last attempt went: a retry starts at the endpoint after it. */
    int planIndex = -1;
    /** Endpoints that refused their own key or account during this call, not to be tried again; mostly null. */
    private List<UpstreamEndpoint> refusedBy;
    /** Endpoints that sent a Retry-After during this call, with when (System.nanoTime) it ends; mostly null. */
    private Map<UpstreamEndpoint, Long> heldOffUntil;
    /** When the current attempt began (System.nanoTime): the endpoint's latency is measured from here. */
    long attemptStartedNanos;
    /**
     * When this attempt's answer began to arrive: an error's status line, a stream's first chunk (its time to first
     * token), a non-streamed answer's first byte of text (the blank lines DeepSeek sends while it works do not count).
     */
    Instant firstByteAt;
    UpstreamEndpoint endpoint;
    HttpClientRequest upstreamRequest;
    /** The current attempt has not been recorded yet (it is connecting, sent, or answering). */
    boolean attemptOpen;
    /** The current attempt holds a permit of its endpoint's circuit breaker, not yet given a result. */
    boolean breakerPermit;
    /** That permit is one of a half-open breaker's few trial calls. */
    boolean breakerTrial;
    /** The current attempt's error status while its body is read, else 0: a refused call is never billed. */
    int refusedWith;
    /** The upstream's Retry-After on its last 429 or 503, in seconds, or -1: waited out or passed on. */
    long retryAfterSeconds = -1;
    /** How long the endpoint took to send its 200 status: what its breaker is told once the body is complete. */
    long answeredAfterNanos;
    StreamRelay relay;
    /** Watches a relayed stream for an upstream gone silent; stopped when the stream ends either way. */
    SilenceWatch silence;
    /** The client's stream is not being read and the upstream is paused for it. */
    boolean clientStalled;
    /** Bytes have gone to the client: from here on there is no retry. */
    boolean responseStarted;
    boolean finished;

    /**
     * Notes that the endpoint refused its own credentials; true when another endpoint of the plan is left to
     * try, so the call may move on.
     */
    boolean refuse(UpstreamEndpoint endpoint, List<UpstreamEndpoint> plan) {
        if (refusedBy == null) {
            refusedBy = new ArrayList<>(2);
        }
        refusedBy.add(endpoint);
        return plan.stream().anyMatch(e -> !refusedBy(e));
    }

    boolean refusedBy(UpstreamEndpoint endpoint) {
        return refusedBy != null && refusedBy.contains(endpoint);
    }

    /** Notes an endpoint's Retry-After, so that a retry coming back to it waits that long. */
    void holdOff(UpstreamEndpoint endpoint, long seconds) {
        if (seconds > 0) {
            if (heldOffUntil == null) {
                heldOffUntil = new HashMap<>(2);
            }
            heldOffUntil.put(endpoint, System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds));
        }
    }

    /** How much longer the endpoint asked this call to wait before calling it again; 0 when it did not. */
    long heldOffMillis(UpstreamEndpoint endpoint) {
        Long until = heldOffUntil == null ? null : heldOffUntil.get(endpoint);
        return until == null ? 0 : Math.max(0, TimeUnit.NANOSECONDS.toMillis(until - System.nanoTime() + 999_999));
    }

    ChatCall(String requestId, String clientRequestId, Instant receivedAt, RoutingContext ctx) {
        this.requestId = requestId;
        this.clientRequestId = clientRequestId;
        this.receivedAt = receivedAt;
        this.ctx = ctx;
    }

    /** The model name the client sees in responses: its own when an alias was rewritten. */
    String clientModel() {
        return aliasUsed != null ? requestedModel : servedModel;
    }
}
