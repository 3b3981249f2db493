package dev.tollgate.upstream;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * One HTTP client, and so one connection pool, per event loop. A shared pool hands a call on one event loop
 * a connection owned by another, and every write and read then crosses threads: on two cores that hand-off
 * cost about 0.4 ms of the gateway's added latency at the median (docs/benchmarks.md). Off the event loops
 * (tests, workers) one shared client serves. An endpoint allowed fewer connections than there are event
 * loops uses the shared client everywhere, so that its limit holds for the whole instance.
 */
public final class LoopLocalClients {

    private final Supplier<HttpClient> factory;
    private final boolean loopLocal;
    private final Map<Thread, HttpClient> perLoop = new ConcurrentHashMap<>();
    private final HttpClient shared;

    LoopLocalClients(Supplier<HttpClient> factory, boolean loopLocal) {
        this.factory = factory;
        this.loopLocal = loopLocal;
        this.shared = factory.get();
    }

    HttpClient current() {
        Context context = Vertx.currentContext();
        if (!loopLocal || context == null || !context.isEventLoopContext()) {
            return shared;
        }
        return perLoop.computeIfAbsent(Thread.currentThread(), t -> factory.get());
    }
}
