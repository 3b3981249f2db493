package dev.tollgate.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** New request ids are ledger keys: unique across threads, and ordered by the time they were made. */
class RequestIdsTest {

    @Test
    void idsAreVersion7UuidsCarryingTheTimeTheyWereMade() {
        long before = System.currentTimeMillis();
        UUID id = UUID.fromString(RequestIds.newId());
        long after = System.currentTimeMillis();

        assertEquals(7, id.version());
        assertEquals(2, id.variant()); // RFC 9562
        long millis = id.getMostSignificantBits() >>> 16;
        assertTrue(millis >= before && millis <= after, "timestamp " + millis + " not in [" + before + ", " + after + "]");
    }

    @Test
    void theCallersOwnIdIsOpenAisHeaderFirstThenAProxysAndOnlyWhenSane() {
        assertEquals("client-1", RequestIds.clientId("client-1", "proxy-1"));
        assertEquals("proxy-1", RequestIds.clientId(null, "proxy-1"));
        assertEquals("proxy-1", RequestIds.clientId("has spaces", "proxy-1"));
        assertNull(RequestIds.clientId("x".repeat(129), null));
        assertNull(RequestIds.clientId(null, "new\nline"));
    }

    @Test
    void idsMadeInALaterMillisecondSortAfterEarlierOnes() throws Exception {
        String first = RequestIds.newId();
        Thread.sleep(2);
        String second = RequestIds.newId();
        assertTrue(first.compareTo(second) < 0, first + " should sort before " + second);
    }

    @Test
    void threadsMakingIdsAtOnceNeverRepeatOne() throws Exception {
        int threads = 8;
        int perThread = 50_000;
        Set<String> ids = ConcurrentHashMap.newKeySet();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread worker = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < perThread; i++) {
                    ids.add(RequestIds.newId());
                }
            });
            worker.start();
            workers.add(worker);
        }
        start.countDown();
        for (Thread worker : workers) {
            worker.join();
        }
        assertEquals(threads * perThread, ids.size());
    }
}
