package dev.tollgate.gateway;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;

/**
 * Reads an upstream response's whole body, up to a limit: Vert.x's own {@code body()} has none, and an
 * upstream that never stops sending would fill the heap.
 */
final class UpstreamBody {

    /** The body passed the limit; the upstream request has been reset. */
    static final class TooLargeException extends RuntimeException {
        final long limit;

        TooLargeException(long limit) {
            super("upstream body over " + limit + " bytes", null, false, false);
            this.limit = limit;
        }
    }

    private UpstreamBody() {
    }

    static Future<Buffer> read(HttpClientResponse resp, long limit) {
        Promise<Buffer> result = Promise.promise();
        Buffer body = Buffer.buffer();
        resp.handler(data -> {
            if (body.length() + data.length() > limit) {
                if (result.tryFail(new TooLargeException(limit))) {
                    resp.request().reset();
                }
                return;
            }
            body.appendBuffer(data);
        });
        resp.exceptionHandler(result::tryFail);
        resp.endHandler(v -> result.tryComplete(body));
        return result.future();
    }
}
