package dev.tollgate.upstream;

import io.vertx.core.Vertx;

/**
 * Notices an upstream response that goes silent after its headers. Vert.x's per-request timeout stops at the
 * headers, and the connection's idle timeout closes the connection in a way that looks like any other break;
 * this tells a silent upstream (a 504) from a broken one (a 502). One timer per response, re-armed only when
 * it fires, so that each chunk costs just a clock read.
 */
public final class SilenceWatch {

    private final Vertx vertx;
    private final long limitNanos;
    private final Runnable onSilence;
    private long lastHeard;
    private long timer;

    private SilenceWatch(Vertx vertx, long limitMillis, Runnable onSilence) {
        this.vertx = vertx;
        this.limitNanos = limitMillis * 1_000_000;
        this.onSilence = onSilence;
    }

    /** Calls {@code onSilence} once, if {@code limitMillis} pass without {@link #heard()}; on the calling loop. */
    public static SilenceWatch start(Vertx vertx, long limitMillis, Runnable onSilence) {
        SilenceWatch watch = new SilenceWatch(vertx, limitMillis, onSilence);
        watch.lastHeard = System.nanoTime();
        watch.timer = vertx.setTimer(limitMillis, t -> watch.check());
        return watch;
    }

    public void heard() {
        lastHeard = System.nanoTime();
    }

    public void stop() {
        vertx.cancelTimer(timer);
    }

    private void check() {
        long quiet = System.nanoTime() - lastHeard;
        if (quiet >= limitNanos) {
            onSilence.run();
        } else {
            timer = vertx.setTimer(Math.max(1, (limitNanos - quiet) / 1_000_000), t -> check());
        }
    }
}
