package dev.tollgate.upstream;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;

/**
 * Reads an upstream response's whole body, up to a limit: Vert.x's own {@code body()} has none, and an
 * upstream that never stops sending would fill the heap.
 */
public final class UpstreamBody {

    /** The body passed the limit; the upstream request has been reset. {@code received} is what came before. */
    public static final class TooLargeException extends RuntimeException {
        public final long limit;
        public final Buffer received;

        public TooLargeException(long limit, Buffer received) {
            super("upstream body over " + limit + " bytes", null, false, false);
            this.limit = limit;
            this.received = received;
        }
    }

    /** The body broke off before its end; {@code received} is what came, for an estimate of the answer. */
    public static final class BrokenOffException extends RuntimeException {
        public final Buffer received;

        BrokenOffException(Throwable cause, Buffer received) {
            super(String.valueOf(cause.getMessage()), cause, false, false);
            this.received = received;
        }
    }

    /**
     * The body did not fit in what {@link AnswerMemory} had left beside other calls' bodies; the upstream request has
     * been reset. {@code received} is what came before.
     */
    public static final class MemoryFullException extends RuntimeException {
        public final Buffer received;

        MemoryFullException(Buffer received) {
            super("no memory left for upstream bodies", null, false, false);
            this.received = received;
        }
    }

    /** Nothing more came for the read timeout; the upstream request has been reset. */
    public static final class SilentException extends RuntimeException {
        public final Buffer received;

        public SilentException(long millis, Buffer received) {
            super("upstream silent for " + millis + " ms", null, false, false);
            this.received = received;
        }
    }

    private UpstreamBody() {
    }

    /** What JSON allows around a value (RFC 8259): a parser skips it, and nothing else. */
    public static boolean isJsonWhitespace(byte b) {
        return b == ' ' || b == '\n' || b == '\r' || b == '\t';
    }

    /**
     * The body, or one of this class's exceptions: over {@code limit} bytes, broken off, or silent for
     * {@code silenceMillis}.
     */
    public static Future<Buffer> read(Vertx vertx, HttpClientResponse resp, long limit, long silenceMillis) {
        return read(vertx, resp, limit, silenceMillis, null, null, null);
    }

    /**
     * As above; {@code memory} (if any) must have room for the body while it is read (else a
     * {@link MemoryFullException}), {@code leadingBlank} (if any) is handed each piece of white space that comes
     * before the body's text, and {@code textBegins} (if any) runs when the first byte of text comes.
     */
    public static Future<Buffer> read(Vertx vertx, HttpClientResponse resp, long limit, long silenceMillis,
            AnswerMemory memory, Handler<Buffer> leadingBlank, Runnable textBegins) {
        Promise<Buffer> result = Promise.promise();
        Buffer body = Buffer.buffer();
        long[] taken = {0};
        if (memory != null) {
            // given back once read: parsing and relaying what was read takes moments, reading it may take minutes
            result.future().onComplete(ar -> memory.give(taken[0]));
        }
        SilenceWatch silence = SilenceWatch.start(vertx, silenceMillis, () -> {
            if (result.tryFail(new SilentException(silenceMillis, body))) {
                resp.request().reset();
            }
        });
        result.future().onComplete(ar -> silence.stop());
        boolean[] begun = {leadingBlank == null && textBegins == null};
        resp.handler(data -> {
            if (result.future().isComplete()) { // failed and reset: what still comes is dropped
                return;
            }
            try {
                silence.heard();
                if (!begun[0]) {
                    int text = 0;
                    while (text < data.length() && isJsonWhitespace(data.getByte(text))) {
                        text++;
                    }
                    begun[0] = text < data.length();
                    if (leadingBlank != null && text > 0 && body.length() + text <= limit) {
                        leadingBlank.handle(data.getBuffer(0, text));
                    }
                    if (begun[0] && textBegins != null) {
                        textBegins.run();
                    }
                }
                if (body.length() + data.length() > limit) {
                    if (body.length() < limit) { // what fits is kept: the answer's text usually comes first
                        body.appendBuffer(data, 0, (int) (limit - body.length()));
                    }
                    if (result.tryFail(new TooLargeException(limit, body))) {
                        resp.request().reset();
                    }
                    return;
                }
                if (memory != null) {
                    // twice its size: a growing buffer is copied into a larger one, and both are live for that moment
                    long needed = 2L * data.length();
                    if (!memory.take(needed)) {
                        // a body the whole budget could not hold is too large, not a reason to retry
                        RuntimeException refused = taken[0] + needed > memory.budget()
                                ? new TooLargeException(memory.budget() / 2, body) : new MemoryFullException(body);
                        if (result.tryFail(refused)) {
                            resp.request().reset();
                        }
                        return;
                    }
                    taken[0] += needed;
                }
                body.appendBuffer(data);
            } catch (RuntimeException | Error e) {
                // the heap run out as the body grew, say: a body missing a piece must not pass for the whole
                if (result.tryFail(new BrokenOffException(e, body))) {
                    resp.request().reset();
                }
            }
        });
        resp.exceptionHandler(err -> result.tryFail(new BrokenOffException(err, body)));
        resp.endHandler(v -> result.tryComplete(body));
        return result.future();
    }
}
