package dev.tollgate.simulator;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counters a test reads to see what reached the upstream: how many chat requests, how many are in flight now
 * and at most, how many finished, were cancelled by the client, or got each error status.
 * Also the per-model in-flight count the concurrency limit is enforced on.
 */
public final class SimulatorStats {

    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong chatRequests = new AtomicLong();
    private final AtomicLong streamed = new AtomicLong();
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong cancelled = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong faultsInjected = new AtomicLong();
    private final AtomicLong promptTokens = new AtomicLong();
    private final AtomicLong cacheHitTokens = new AtomicLong();
    private final AtomicLong completionTokens = new AtomicLong();
    private final Map<Integer, AtomicLong> errors = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> maxInFlight = new ConcurrentHashMap<>();

    /** How an admitted request ended: sent in full, abandoned by the client, or cut by an injected fault. */
    enum Outcome {
        COMPLETED, CANCELLED, DROPPED
    }

    /** A point-in-time copy, also the body of GET /_simulator/stats. */
    public record Snapshot(long requests, long chatRequests, long streamed, long completed, long cancelled,
            long dropped, long faultsInjected, Map<String, Integer> inFlight, int inFlightTotal, Map<String, Integer> maxInFlight,
            Map<String, Long> errors, long promptTokens, long cacheHitTokens, long completionTokens) {
    }

    SimulatorStats() {
        for (String model : Models.ALL) {
            inFlight.put(model, new AtomicInteger());
            maxInFlight.put(model, new AtomicInteger());
        }
    }

    public Snapshot snapshot() {
        Map<String, Integer> now = new LinkedHashMap<>();
        Map<String, Integer> peak = new LinkedHashMap<>();
        int total = 0;
        for (String model : Models.ALL) {
            int n = inFlight.get(model).get();
            now.put(model, n);
            peak.put(model, maxInFlight.get(model).get());
            total += n;
        }
        Map<String, Long> errorCounts = new LinkedHashMap<>();
        errors.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> errorCounts.put(String.valueOf(e.getKey()), e.getValue().get()));
        return new Snapshot(requests.get(), chatRequests.get(), streamed.get(), completed.get(), cancelled.get(),
                dropped.get(), faultsInjected.get(), now, total, peak, errorCounts, promptTokens.get(), cacheHitTokens.get(),
                completionTokens.get());
    }

    public int inFlight(String model) {
        AtomicInteger n = inFlight.get(model);
        return n == null ? 0 : n.get();
    }

    public int inFlightTotal() {
        return inFlight.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    /** Zeroes the counters; requests still in flight stay counted as such. */
    void reset() {
        for (AtomicLong c : new AtomicLong[] {requests, chatRequests, streamed, completed, cancelled, dropped, faultsInjected,
                promptTokens, cacheHitTokens, completionTokens}) {
            c.set(0);
        }
        errors.clear();
        for (String model : Models.ALL) {
            maxInFlight.get(model).set(inFlight.get(model).get());
        }
    }

    void request() {
        requests.incrementAndGet();
    }

    void chatRequest() {
        chatRequests.incrementAndGet();
    }

    void streamed() {
        streamed.incrementAndGet();
    }

    void error(int status) {
        errors.computeIfAbsent(status, s -> new AtomicLong()).incrementAndGet();
    }

    void fault() {
        faultsInjected.incrementAndGet();
    }

    void usage(int prompt, int hit, int completion) {
        promptTokens.addAndGet(prompt);
        cacheHitTokens.addAndGet(hit);
        completionTokens.addAndGet(completion);
    }

    /** Takes a slot for the model, or returns the count it would have reached when over the limit. */
    int admit(String model, int limit) {
        AtomicInteger n = inFlight.get(model);
        while (true) {
            int current = n.get();
            if (current >= limit) {
                return current + 1;
            }
            if (n.compareAndSet(current, current + 1)) {
                maxInFlight.get(model).accumulateAndGet(current + 1, Math::max);
                return 0;
            }
        }
    }

    void release(String model, Outcome outcome) {
        inFlight.get(model).decrementAndGet();
        (switch (outcome) {
            case COMPLETED -> completed;
            case CANCELLED -> cancelled;
            case DROPPED -> dropped;
        }).incrementAndGet();
    }
}
