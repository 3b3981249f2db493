package dev.tollgate.platform;

import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs a cache's reload on a worker thread, for the data change feed: the feed's own thread must go on to the
 * next announcement (a revoked key) even when a reload hangs on a dead connection. At most one reload waits
 * behind the one running; the asks made meanwhile are merged into it, since it reads everything they changed.
 */
public final class BackgroundReload {

    private final Runnable reload;
    private final Executor executor;
    private final AtomicBoolean waiting = new AtomicBoolean();

    public BackgroundReload(Runnable reload, Executor executor) {
        this.reload = reload;
        this.executor = executor;
    }

    public void ask() {
        if (waiting.compareAndSet(false, true)) {
            executor.execute(this::run);
        }
    }

    private synchronized void run() {
        waiting.set(false); // from here on, a change announced may not be in what this reload reads
        reload.run();
    }
}
