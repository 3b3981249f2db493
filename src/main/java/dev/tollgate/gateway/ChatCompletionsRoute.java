package dev.tollgate.gateway;

import dev.tollgate.platform.TollgateConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
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
    TollgateConfig config;

    void install(@Observes Router router) {
        // DeepSeek serves its API with and without /v1, and its docs give the base URL without: code written
        // for DeepSeek reaches Tollgate by changing only the host.
        for (String path : List.of("/v1/chat/completions", "/chat/completions")) {
            router.post(path).order(GATEWAY_ORDER).handler(this::refuseDeclaredTooLarge);
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
     * A body whose Content-Length is over the limit gets the OpenAI-format 413 at once. The rest of the body
     * is read and dropped (up to a bound) rather than the connection closed, because most clients, the OpenAI
     * SDK's among them, send the whole body before they read the answer and would see a broken pipe instead.
     */
    private void refuseDeclaredTooLarge(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        // The body is read as JSON whatever its declared type. curl -d declares a form, and Vert.x would then
        // also decode it as one, with Quarkus' form limits (a 2 KB field): a long prompt, or a "%" in one,
        // would fail the call.
        String type = request.getHeader(HttpHeaderNames.CONTENT_TYPE);
        if (type != null && (type.startsWith("application/x-www-form-urlencoded") || type.startsWith("multipart/"))) {
            request.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        }
        String header = request.getHeader(HttpHeaderNames.CONTENT_LENGTH);
        long declared;
        try {
            declared = header == null ? -1 : Long.parseLong(header.trim());
        } catch (NumberFormatException e) {
            declared = -1;
        }
        if (declared <= config.gateway().maxBodyBytes()) {
            ctx.next();
            return;
        }
        if (declared > MAX_DISCARDED_BYTES) {
            ctx.response().putHeader(HttpHeaderNames.CONNECTION, "close");
        } else {
            request.handler(ignored -> {
            });
            request.resume();
        }
        GatewayResponses.error(ctx, tooLarge());
    }

    private OpenAiException tooLarge() {
        return new OpenAiException(413, "invalid_request_error", "request_too_large", null,
                "The request body is larger than " + config.gateway().maxBodyBytes() + " bytes.");
    }
}
