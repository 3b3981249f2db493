package dev.tollgate.gateway;

import dev.tollgate.apikey.ApiKeyAuthenticator;
import dev.tollgate.apikey.AuthenticatedKey;
import dev.tollgate.platform.TollgateConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.List;

/** Mounts the chat pipeline on Vert.x directly: no worker thread per call, streams relayed as they come. */
@ApplicationScoped
public class ChatCompletionsRoute {

    /**
     * The gateway's routes run ahead of Quarkus' security filters (route orders -300 to -100), REST layer and
     * body-size check (-2), and end every call themselves. None of those apply here: calls authenticate with
     * tenant API keys, and Quarkus' 413 is an empty body no OpenAI client can read. Skipping them saves about
     * a tenth of the gateway's CPU per call. Request ids (order {@link Integer#MIN_VALUE}) still come first.
     */
    static final int GATEWAY_ORDER = -1000;
    /** How much of an oversized body is read and thrown away, so that a client still sending it gets the 413. */
    static final long MAX_DISCARDED_BYTES = 64L * 1024 * 1024;

    @Inject
    ChatPipeline pipeline;
    @Inject
    ApiKeyAuthenticator authenticator;
    @Inject
    Vertx vertx;
    @Inject
    TollgateConfig config;

    void install(@Observes Router router) {
        // DeepSeek serves its API with and without /v1, and its docs give the base URL without: code written
        // for DeepSeek reaches Tollgate by changing only the host.
        for (String path : List.of("/v1/chat/completions", "/chat/completions")) {
            router.post(path).order(GATEWAY_ORDER).handler(this::admit);
            router.post(path).order(GATEWAY_ORDER + 1)
                    .handler(BodyHandler.create(false).setBodyLimit(config.gateway().maxBodyBytes()))
                    .handler(pipeline::handle)
                    .failureHandler(ctx -> GatewayResponses.error(ctx, bodyFailure(ctx)));
        }
    }

    /** The body handler's own refusals (too large, unreadable) are the client's to fix: OpenAI JSON, not a 500. */
    private Throwable bodyFailure(RoutingContext ctx) {
        int status = ctx.statusCode();
        if (status == 413) {
            return tooLarge();
        }
        if (status >= 400 && status < 500) {
            return new OpenAiException(status, "invalid_request_error", "invalid_request_error", null,
                    "The request body could not be read; send it as JSON with Content-Type: application/json.");
        }
        return ctx.failure();
    }

    /**
     * Before the body is read: a body whose Content-Length is over the limit gets the OpenAI-format 413 at once,
     * then the key is checked, as OpenAI does, so that a caller without a valid key is never given memory to fill.
     * A refused body is read and dropped (up to a bound) rather than the connection closed, because most clients,
     * the OpenAI SDK's among them, send the whole body before they read the answer and would see a broken pipe.
     */
    private void admit(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        // The body is read as JSON whatever its declared type. curl -d declares a form, and Vert.x would then
        // also decode it as one, with Quarkus' form limits (a 2 KB field): a long prompt, or a "%" in one,
        // would fail the call.
        String type = request.getHeader(HttpHeaderNames.CONTENT_TYPE);
        if (type != null && (type.regionMatches(true, 0, "application/x-www-form-urlencoded", 0, 33)
                || type.regionMatches(true, 0, "multipart/", 0, 10))) { // Vert.x compares them in any case
            request.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        }
        long declared = declaredLength(request.getHeader(HttpHeaderNames.CONTENT_LENGTH));

        if (declared > config.gateway().maxBodyBytes()) {
            refuse(ctx, declared, tooLarge());
            return;
        }
        Future<AuthenticatedKey> key = authenticator.authenticate(vertx, request.getHeader("Authorization"),
                request.getHeader("x-api-key"));
        if (key.isComplete()) { // a key this instance has seen lately: answered from memory
            admitted(ctx, key, declared);
            return;
        }
        request.pause(); // the body waits in the socket, not in memory, while the database is asked
        key.onComplete(ar -> {
            if (ctx.response().closed()) {
                return; // the client left while its key was looked up: nothing more to read, nothing to send
            }
            admitted(ctx, key, declared);
            request.resume(); // after the body handler or the discarding one is in place
        });
    }

    private static long declaredLength(String header) {
        try {
            return header == null ? -1 : Long.parseLong(header.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private void admitted(RoutingContext ctx, Future<AuthenticatedKey> key, long declared) {
        if (key.failed()) {
            refuse(ctx, declared, key.cause());
            return;
        }
        String encoding = ctx.request().getHeader(HttpHeaderNames.CONTENT_ENCODING);
        if (encoding != null && !encoding.isBlank() && !"identity".equalsIgnoreCase(encoding.trim())) {
            refuse(ctx, declared, new OpenAiException(415, "invalid_request_error", "unsupported_content_encoding",
                    null, "Compressed request bodies (Content-Encoding: " + encoding.trim()
                            + ") are not accepted; send the JSON uncompressed."));
            return;
        }
        ctx.put(ChatPipeline.KEY, key.result());
        ctx.next();
    }

    private static void refuse(RoutingContext ctx, long declared, Throwable error) {
        HttpServerRequest request = ctx.request();
        if (declared > MAX_DISCARDED_BYTES) {
            ctx.response().putHeader(HttpHeaderNames.CONNECTION, "close");
        } else {
            long[] dropped = {0};
            request.handler(data -> { // a body of unknown length is dropped up to the bound too
                dropped[0] += data.length();
                if (dropped[0] > MAX_DISCARDED_BYTES) {
                    GatewayResponses.dropConnection(request);
                }
            });
            request.resume();
        }
        GatewayResponses.error(ctx, error);
    }

    private OpenAiException tooLarge() {
        return new OpenAiException(413, "invalid_request_error", "request_too_large", null,
                "The request body is larger than " + config.gateway().maxBodyBytes() + " bytes.");
    }
}
