package dev.tollgate.simulator;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The context-cache model: a prompt hits the longest run of leading 64-token units that an earlier request
 * of the same model and user_id already persisted. Every request persists each complete unit of its prompt
 * once its prefill is done (so A+B then A+C hits A). Entries unused for the TTL are gone. Best effort, like
 * the real one: past the size cap, new units are simply not kept.
 */
final class PrefixCache {

    private record Key(String model, String userId, long prefixHash) {
    }

    private final ConcurrentHashMap<Key, Long> expiry = new ConcurrentHashMap<>();
    private final long ttlNanos;
    private final int maxEntries;

    PrefixCache(Duration ttl, int maxEntries) {
        this.ttlNanos = ttl.toNanos();
        this.maxEntries = maxEntries;
    }

    /** Cached prompt tokens: leading units found, times 64. Found units are kept alive. */
    int hitTokens(String model, String userId, long[] units) {
        long now = System.nanoTime();
        int hits = 0;
        for (long unit : units) {
            Key key = new Key(model, userId == null ? "" : userId, unit);
            Long until = expiry.get(key);
            if (until == null || until - now < 0) {
                break;
            }
            expiry.put(key, now + ttlNanos);
            hits++;
        }
        return hits * Prompt.CACHE_UNIT_TOKENS;
    }

    void persist(String model, String userId, long[] units) {
        long until = System.nanoTime() + ttlNanos;
        for (long unit : units) {
            Key key = new Key(model, userId == null ? "" : userId, unit);
            if (expiry.size() < maxEntries || expiry.containsKey(key)) {
                expiry.put(key, until);
            }
        }
    }

    void sweep() {
        long now = System.nanoTime();
        expiry.values().removeIf(until -> until - now < 0);
    }

    void clear() {
        expiry.clear();
    }

    int size() {
        return expiry.size();
    }
}
