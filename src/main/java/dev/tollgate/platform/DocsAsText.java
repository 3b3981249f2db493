package dev.tollgate.platform;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * The docs served at /docs (the migration guide a deprecated alias's Link header names) go out as UTF-8 text:
 * Quarkus' static handler knows no type for Markdown and sent none. Plain text, not text/markdown, which
 * browsers download instead of showing.
 */
@ApplicationScoped
public class DocsAsText {

    void install(@Observes Router router) {
        router.routeWithRegex("/docs/.*\\.md").order(-1).handler(this::handle);
    }

    private void handle(RoutingContext ctx) {
        ctx.addHeadersEndHandler(v -> {
            if (ctx.response().getStatusCode() == 200 || ctx.response().getStatusCode() == 206) {
                ctx.response().putHeader(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
            }
        });
        ctx.next();
    }
}
