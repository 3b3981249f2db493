package dev.tollgate.simulator;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.util.List;
import java.util.Set;

/**
 * One admitted chat request on its way out: waits for the first token, paces the tokens, and gives its
 * concurrency slot back exactly once, whether it finished or the client went away. Runs on the request's
 * event loop only, with Vert.x timers, so it needs no locking and never blocks.
 */
final class Exchange {

    private static final long TEN_MINUTES = 10 * 60 * 1000L;

    private final Vertx vertx;
    private final HttpServerResponse response;
    private final SimulatorStats stats;
    private final String model;
    private final LatencyProfile latency;
    private final long keepAliveMillis;
    private final Set<Fault> faults;
    private final boolean stream;
    private long timer = -1;
    private long keepAliveTimer = -1;
    private boolean done;

    Exchange(Vertx vertx, HttpServerResponse response, SimulatorStats stats, String model, LatencyProfile latency,
            long keepAliveMillis, Set<Fault> faults, boolean stream) {
        this.vertx = vertx;
        this.response = response;
        this.stats = stats;
        this.model = model;
        this.latency = latency;
        this.keepAliveMillis = keepAliveMillis;
        this.faults = faults;
        this.stream = stream;
        response.closeHandler(v -> finish(SimulatorStats.Outcome.CANCELLED));
        response.exceptionHandler(e -> finish(SimulatorStats.Outcome.CANCELLED));
    }

    /**
     * Holds the connection until the first token is due, sending keep-alives meanwhile if configured or asked
     * for, then runs {@code firstToken}, which sends the answer.
     */
    void start(Runnable firstToken) {
        boolean heldOpen = faults.contains(Fault.BLANK_LINES) || faults.contains(Fault.KEEP_ALIVE);
        if (faults.contains(Fault.TIMEOUT) && !heldOpen) {
            holdThenClose();
            return;
        }
        if (faults.contains(Fault.DROP) && !heldOpen) {
            finish(SimulatorStats.Outcome.DROPPED);
            response.close();
            return;
        }
        if (faults.contains(Fault.HTML_PAGE)) {
            finish(SimulatorStats.Outcome.DROPPED);
            response.putHeader("Content-Type", "text/html; charset=utf-8")
                    .end("<html><body><h1>Access denied</h1><p>Sign in to the network first.</p></body></html>\n");
            return;
        }
        if (stream) {
            response.setChunked(true)
                    .putHeader("Content-Type", "text/event-stream; charset=utf-8")
                    .putHeader("Cache-Control", "no-cache");
            response.writeHead();
        }
        if (heldOpen) {
            for (int i = 0; i < 3; i++) {
                keepAlive();
            }
        }
        // DeepSeek holds a call it has not started with keep-alives, and closes it unanswered after ten minutes
        if (faults.contains(Fault.TIMEOUT)) {
            if (keepAliveMillis > 0) {
                keepAliveTimer = vertx.setPeriodic(keepAliveMillis, t -> keepAlive());
            }
            holdThenClose();
            return;
        }
        if (faults.contains(Fault.DROP)) { // that close, without the wait
            drop(Buffer.buffer());
            return;
        }
        long ttft = latency.ttft().toMillis();
        if (keepAliveMillis > 0 && ttft > keepAliveMillis) {
            keepAliveTimer = vertx.setPeriodic(keepAliveMillis, t -> keepAlive());
        }
        if (ttft == 0) {
            firstToken.run();
        } else {
            timer = vertx.setTimer(ttft, t -> {
                cancelKeepAlive();
                if (!done) {
                    firstToken.run();
                }
            });
        }
    }

    /** Sends nothing more; the real service gives up on a connection after ten minutes. */
    private void holdThenClose() {
        timer = vertx.setTimer(TEN_MINUTES, t -> {
            finish(SimulatorStats.Outcome.DROPPED);
            response.close();
        });
    }

    /** A blank line before a JSON body, a comment line in a stream: both keep an idle connection open. */
    private void keepAlive() {
        if (done) {
            return;
        }
        if (!stream && !response.headWritten()) {
            response.setChunked(true).putHeader("Content-Type", "application/json");
        }
        response.write(stream ? Responses.KEEP_ALIVE : "\n");
    }

    /** The non-streaming answer, after the time the whole generation would take. */
    void sendBody(String body, int completionTokens) {
        long after = latency.millisUntilToken(completionTokens);
        if (after == 0) {
            writeBody(body);
        } else {
            timer = vertx.setTimer(after, t -> writeBody(body));
        }
    }

    private void writeBody(String body) {
        if (done) {
            return;
        }
        if (faults.contains(Fault.DISCONNECT_MID_STREAM) || faults.contains(Fault.STALL_MID_STREAM)) {
            if (!response.headWritten()) {
                response.setChunked(true).putHeader("Content-Type", "application/json");
            }
            Buffer half = Buffer.buffer(body.substring(0, body.length() / 2));
            if (faults.contains(Fault.DISCONNECT_MID_STREAM)) {
                drop(half);
            } else {
                response.write(half);
                holdThenClose();
            }
            return;
        }
        if (!response.headWritten()) {
            response.putHeader("Content-Type", "application/json");
        }
        finish(SimulatorStats.Outcome.COMPLETED); // first: a client that has its answer finds its slot free
        response.end(body);
    }

    /**
     * Streams the events: the first at once, event i (a token) when due. Events due together go out in one
     * write; the closing events (finish_reason, usage, [DONE]) go with the last token.
     */
    void sendEvents(List<String> events, int tail) {
        int tokenEvents = events.size() - tail;
        boolean cut = faults.contains(Fault.DISCONNECT_MID_STREAM) || faults.contains(Fault.STALL_MID_STREAM);
        int cutAfter = cut ? Math.max(1, tokenEvents / 2) : -1;
        long started = System.nanoTime();
        int[] next = {0};
        Runnable pump = new Runnable() {
            @Override
            public void run() {
                if (done) {
                    return;
                }
                long elapsed = (System.nanoTime() - started) / 1_000_000;
                Buffer out = Buffer.buffer();
                while (next[0] < tokenEvents && latency.millisUntilToken(next[0]) <= elapsed) {
                    out.appendString(events.get(next[0]++));
                    if (next[0] == cutAfter) {
                        if (faults.contains(Fault.DISCONNECT_MID_STREAM)) {
                            drop(out);
                        } else {
                            response.write(out);
                            holdThenClose();
                        }
                        return;
                    }
                }
                if (next[0] == tokenEvents) {
                    for (int i = tokenEvents; i < events.size(); i++) {
                        out.appendString(closing(events.get(i)));
                    }
                    if (faults.contains(Fault.HOLD_AFTER_DONE)) {
                        response.write(out);
                        holdThenClose();
                        return;
                    }
                    finish(SimulatorStats.Outcome.COMPLETED);
                    response.end(out);
                    return;
                }
                if (out.length() > 0) {
                    response.write(out);
                }
                long wait = Math.max(1, latency.millisUntilToken(next[0]) - elapsed);
                timer = vertx.setTimer(wait, t -> run());
            }
        };
        pump.run();
    }

    /** A closing event as sent: the faults that change how a stream ends change its [DONE]. */
    private String closing(String event) {
        if (!event.equals(Responses.DONE)) {
            return event;
        }
        if (faults.contains(Fault.NO_DONE)) {
            return "";
        }
        return faults.contains(Fault.UNTERMINATED_DONE) ? "data: [DONE]" : event;
    }

    /** Sends what was produced so far, then cuts the connection as a failing upstream would. */
    private void drop(Buffer partial) {
        finish(SimulatorStats.Outcome.DROPPED);
        response.write(partial).onComplete(written -> response.close());
    }

    private void cancelKeepAlive() {
        if (keepAliveTimer >= 0) {
            vertx.cancelTimer(keepAliveTimer);
            keepAliveTimer = -1;
        }
    }

    private void finish(SimulatorStats.Outcome outcome) {
        if (done) {
            return;
        }
        done = true;
        cancelKeepAlive();
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        stats.release(model, outcome);
    }
}
