package dev.tollgate.gateway;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.Json;
import io.vertx.ext.web.RoutingContext;
import org.jboss.logging.Logger;

/** Writes gateway answers: the headers Tollgate adds, and errors as OpenAI error JSON. */
final class GatewayResponses {

    private static final Logger LOG = Logger.getLogger(GatewayResponses.class);

    private GatewayResponses() {
    }

    /** The model actually served, and the deprecation headers of an alias. */
    static HttpServerResponse headers(ChatCall call, HttpServerResponse response) {
        if (call.servedModel != null) {
            response.putHeader(ChatPipeline.MODEL_HEADER, call.servedModel);
        }
        call.aliasHeaders.forEach(response::putHeader);
        return response;
    }

    static void error(RoutingContext ctx, Throwable failure) {
        error(ctx, failure, null);
    }

    static void error(RoutingContext ctx, Throwable failure, ChatCall call) {
        HttpServerResponse response = ctx.response();
        if (response.ended() || response.closed()) {
            return; // e.g. a client that hung up mid-upload: nobody to answer, nothing wrong here
        }
        OpenAiException e;
        if (failure instanceof OpenAiException known) {
            e = known;
        } else {
            LOG.error("Unexpected gateway error", failure);
            e = new OpenAiException(500, "api_error", "internal_error", null,
                    "Internal error in the gateway; the X-Request-Id response header helps us find it.");
        }
        if (call != null) {
            headers(call, response);
        }
        String code = e.body().error().code();
        boolean futile = "upstream_auth_failed".equals(code) || "upstream_balance_exhausted".equals(code)
                || "upstream_not_configured".equals(code);
        // Tollgate has retried this call itself: an SDK's own retries on top would multiply the upstream's load
        // (its three tries, each of Tollgate's three attempts), so the retrying is done at one layer, the nearest
        if (futile || (call != null && call.attempt > 1)) {
            response.putHeader("X-Should-Retry", "false"); // the OpenAI SDKs read it before any Retry-After
        }
        if (call != null && call.retryAfterSeconds >= 0 && (e.status() == 429 || e.status() == 503)) {
            response.putHeader(HttpHeaderNames.RETRY_AFTER, String.valueOf(call.retryAfterSeconds)); // SDKs wait it
        }
        response.setStatusCode(e.status()).putHeader(HttpHeaderNames.CONTENT_TYPE, "application/json")
                .end(Json.encode(e.body()));
    }

    /**
     * Stops a client's exchange for good: an HTTP/1 connection is closed; an HTTP/2 stream is reset, since its
     * connection may carry other clients' calls (behind a proxy, say).
     */
    static void dropConnection(HttpServerRequest request) {
        if (request.version() == HttpVersion.HTTP_2) {
            request.response().reset();
        } else {
            request.connection().close();
        }
    }

    /** The upstream's own answer to a request it found invalid: its words help the client fix the request. */
    static void passThrough(ChatCall call, int status, Buffer body) {
        call.finished = true;
        headers(call, call.ctx.response()).setStatusCode(status)
                .putHeader(HttpHeaderNames.CONTENT_TYPE, "application/json").end(body);
    }
}
