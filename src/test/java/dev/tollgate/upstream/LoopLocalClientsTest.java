package dev.tollgate.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import java.util.List;
import java.util.concurrent.CompletableFuture;
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
        done.await(10, TimeUnit.SECONDS);
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
    void offTheEventLoopsTheSharedClientServes() {
        assertSame(clients.current(), clients.current());
        assertEquals(1, created.size());
    }
}
