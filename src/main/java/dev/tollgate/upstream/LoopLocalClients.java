package dev.tollgate.upstream;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * One HTTP client, and so one connection pool, per event loop. A shared pool hands a call on one event loop
 * a connection owned by another, and every write and read then crosses threads: on two cores that hand-off
 * cost about 0.4 ms of the gateway's added latency at the median (docs/benchmarks.md). Off the event loops
 * (tests, workers) one shared client serves.
 * <p>
 * A loop's pool holds an even share of the endpoint's limit, and a call waits when its loop's share is
 * busy, whatever the other loops have free. So only a limit large enough for a good share each is split;
 * a smaller one (a self-hosted server that takes a few requests at once) is one shared pool, held exactly.
 */
public final class LoopLocalClients {

    /** The smallest share of an endpoint's connections worth a pool of its own on each event loop. */
    static final int MIN_CONNECTIONS_PER_LOOP = 32;

    private final Supplier<HttpClient> factory;
    private final boolean loopLocal;
    private final Map<Thread, HttpClient> perLoop = new ConcurrentHashMap<>();
    private final HttpClient shared;

    /** The clients of an endpoint this instance may keep {@code maxConnections} connections to in all. */
    static LoopLocalClients of(Vertx vertx, HttpClientOptions options, int maxConnections, int eventLoops) {
        boolean loopLocal = maxConnections >= MIN_CONNECTIONS_PER_LOOP * eventLoops;
        PoolOptions pool = new PoolOptions().setHttp1MaxSize(loopLocal ? maxConnections / eventLoops : maxConnections)
                .setMaxWaitQueueSize(10_000);
        return new LoopLocalClients(() -> vertx.createHttpClient(options, pool), loopLocal);
    }

    LoopLocalClients(Supplier<HttpClient> factory, boolean loopLocal) {
        this.factory = factory;
        this.loopLocal = loopLocal;
        this.shared = factory.get();
    }

    HttpClient current() {
        // The thread, not the context: a worker running blocking code for a request has the request's event-loop
        // context current, and a client kept for each of those threads was never closed.
        if (!loopLocal || !Context.isOnEventLoopThread()) {
            return shared;
        }
        return perLoop.computeIfAbsent(Thread.currentThread(), t -> factory.get());
    }
}
