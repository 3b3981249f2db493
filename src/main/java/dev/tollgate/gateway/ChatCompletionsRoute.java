package dev.tollgate.gateway;

import dev.tollgate.platform.TollgateConfig;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/** Mounts the chat pipeline on Vert.x directly: no worker thread per call, streams relayed as they come. */
@ApplicationScoped
public class ChatCompletionsRoute {

    @Inject
    ChatPipeline pipeline;
    @Inject
    TollgateConfig config;

    void install(@Observes Router router) {
        router.post("/v1/chat/completions")
                .handler(BodyHandler.create(false).setBodyLimit(config.gateway().maxBodyBytes()))
                .handler(pipeline::handle)
                .failureHandler(ctx -> {
                    int status = ctx.statusCode() == 413 ? 413 : 500;
                    GatewayResponses.error(ctx, status == 413
                            ? new OpenAiException(413, "invalid_request_error", "request_too_large", null,
                                    "The request body is larger than " + config.gateway().maxBodyBytes() + " bytes.")
                            : ctx.failure());
                });
    }
}
