package dev.tollgate.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LoopLocalClientsTest {

    private Vertx vertx;
    private final ConcurrentLinkedQueue<HttpClient> created = new ConcurrentLinkedQueue<>();
    private LoopLocalClients clients;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
        clients = new LoopLocalClients(() -> {
            HttpClient client = vertx.createHttpClient();
            created.add(client);
            return client;
        }, true);
    }

    @AfterEach
    void stop() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @Test
    void eachEventLoopKeepsItsOwnClientEvenUnderConcurrentCalls() throws Exception {
        List<Context> contexts = bothEventLoops();
        Context first = contexts.get(0);
        Context second = contexts.get(1);
        List<Context> loops = List.of(first, second, first, second);
        int callsPerContext = 200;
        CountDownLatch done = new CountDownLatch(loops.size() * callsPerContext);
        ConcurrentLinkedQueue<String> mismatches = new ConcurrentLinkedQueue<>();
        List<CompletableFuture<HttpClient>> seen = loops.stream().map(c -> new CompletableFuture<HttpClient>()).toList();
        for (int i = 0; i < loops.size(); i++) {
            CompletableFuture<HttpClient> firstSeen = seen.get(i);
            for (int n = 0; n < callsPerContext; n++) {
                loops.get(i).runOnContext(v -> {
                    HttpClient client = clients.current();
                    firstSeen.complete(client);
                    if (client != firstSeen.getNow(null)) {
                        mismatches.add(Thread.currentThread().getName());
                    }
                    done.countDown();
                });
            }
        }
        assertTrue(done.await(30, TimeUnit.SECONDS), "every task ran");
        assertEquals(List.of(), List.copyOf(mismatches), "a loop was handed another loop's client");
        assertSame(seen.get(0).get(), seen.get(2).get(), "one loop, one client");
        assertNotSame(seen.get(0).get(), seen.get(1).get(), "two loops, two clients");
        assertEquals(3, created.size(), "the shared client and one per loop, nothing more");
    }

    @Test
    void anEndpointWithFewerConnectionsThanLoopsIsServedByTheSharedClientOnEveryLoop() throws Exception {
        LoopLocalClients sharedOnly = new LoopLocalClients(vertx::createHttpClient, false);
        List<CompletableFuture<HttpClient>> seen = new CopyOnWriteArrayList<>();
        for (Context c : bothEventLoops()) {
            CompletableFuture<HttpClient> f = new CompletableFuture<>();
            c.runOnContext(v -> f.complete(sharedOnly.current()));
            seen.add(f);
        }
        HttpClient offLoop = sharedOnly.current();
        for (CompletableFuture<HttpClient> f : seen) {
            assertSame(offLoop, f.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void aSmallLimitIsOnePoolSoOneBusyLoopMayUseAllOfIt() throws Exception {
        // 8 connections on 2 loops: split, a loop's calls would wait with 4 in use and 4 free on the other loop
        LoopLocalClients small = LoopLocalClients.of(vertx, new HttpClientOptions(), 8, 2);
        assertEquals(8, connectionsUsedFromOneLoop(small, 9), "all 8 connections, and the 9th call waits");
    }

    @Test
    void aLargeLimitIsSharedOutEvenlyBetweenTheLoops() throws Exception {
        int limit = 2 * LoopLocalClients.MIN_CONNECTIONS_PER_LOOP;
        LoopLocalClients large = LoopLocalClients.of(vertx, new HttpClientOptions(), limit, 2);
        assertEquals(limit / 2, connectionsUsedFromOneLoop(large, limit / 2 + 1), "a loop's own share");
    }

    /**
     * Sends {@code calls} requests at once from one event loop to a server that holds them until all but one have
     * arrived, then answers them all, and tells how many connections they came on: a call past the pool's limit
     * waits for a connection another call gives back.
     */
    private int connectionsUsedFromOneLoop(LoopLocalClients clients, int calls) throws Exception {
        List<HttpServerRequest> held = new CopyOnWriteArrayList<>();
        Set<HttpConnection> connections = ConcurrentHashMap.newKeySet();
        HttpServer server = vertx.createHttpServer().requestHandler(req -> {
            connections.add(req.connection());
            held.add(req);
        }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().join();
        List<CompletableFuture<Integer>> answers = new CopyOnWriteArrayList<>();
        Context loop = bothEventLoops().get(0);
        for (int i = 0; i < calls; i++) {
            CompletableFuture<Integer> answer = new CompletableFuture<>();
            answers.add(answer);
            loop.runOnContext(v -> clients.current().request(HttpMethod.GET, server.actualPort(), "127.0.0.1", "/")
                    .compose(HttpClientRequest::send).onSuccess(r -> answer.complete(r.statusCode()))
                    .onFailure(answer::completeExceptionally));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (held.size() < calls - 1 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        int answered = 0;
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (answered < calls && System.nanoTime() < deadline) {
            while (answered < held.size()) {
                held.get(answered++).response().end();
            }
            Thread.sleep(10);
        }
        for (CompletableFuture<Integer> a : answers) {
            assertEquals(200, a.get(10, TimeUnit.SECONDS), "every call is answered once a connection is free");
        }
        server.close();
        return connections.size();
    }

    /** A context on each of the two event loops: verticle instances are placed on the loops in turn. */
    private List<Context> bothEventLoops() {
        List<Context> contexts = new CopyOnWriteArrayList<>();
        vertx.deployVerticle(() -> new AbstractVerticle() {
            @Override
            public void start() {
                contexts.add(context);
            }
        }, new DeploymentOptions().setInstances(2)).toCompletionStage().toCompletableFuture().join();
        return contexts;
    }

    @Test
    void aWorkerThreadWithAnEventLoopsContextGetsTheSharedClient() throws Exception {
        // as Quarkus runs a blocking REST method: on a worker thread, with the request's event-loop context current
        Context loop = bothEventLoops().get(0);
        CompletableFuture<HttpClient> seen = new CompletableFuture<>();
        loop.runOnContext(v -> loop.executeBlocking(() -> clients.current())
                .onComplete(r -> seen.complete(r.result())));
        assertSame(clients.current(), seen.get(10, TimeUnit.SECONDS));
        assertEquals(1, created.size(), "no client kept for a worker thread");
    }

    @Test
    void offTheEventLoopsTheSharedClientServes() {
        assertSame(clients.current(), clients.current());
        assertEquals(1, created.size());
    }
}
