package dev.tollgate.simulator;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The context-cache model, on 64-token units. A request persists prefix units once its prefill is done: the end
 * of its input (the prompt's whole units), the longest prefix it shares with an earlier prompt (a detected common
 * prefix), and, given the prompt followed by the answer, the end of the model's output. A later prompt hits only
 * a persisted unit it matches in full: A+B then A+B+C hits A+B; A+B then A+C misses but persists A, so a third
 * A+D hits A. Per model and user_id; entries unused for the TTL are gone. Best effort, like the real one: past
 * the size cap, new units are simply not kept.
 */
final class PrefixCache {

    private record Key(String model, String userId, long prefixHash) {
    }

    /** Units a later prompt can hit. */
    private final ConcurrentHashMap<Key, Long> persisted = new ConcurrentHashMap<>();
    /** Every unit boundary of recent prompts: where a later prompt's common prefix is found. Never hit itself. */
    private final ConcurrentHashMap<Key, Long> seen = new ConcurrentHashMap<>();
    private final long ttlNanos;
    private final int maxEntries;

    PrefixCache(Duration ttl, int maxEntries) {
        this.ttlNanos = ttl.toNanos();
        this.maxEntries = maxEntries;
    }

    /** Cached prompt tokens: the longest persisted unit the prompt starts with, in 64-token units. It is kept alive. */
    int hitTokens(String model, String userId, long[] units) {
        long now = System.nanoTime();
        for (int k = units.length - 1; k >= 0; k--) {
            Key key = key(model, userId, units[k]);
            Long until = persisted.get(key);
            if (until != null && until - now >= 0) {
                persisted.put(key, now + ttlNanos);
                return (k + 1) * Prompt.CACHE_UNIT_TOKENS;
            }
        }
        return 0;
    }

    /** Persists the end of this prompt and the longest prefix it shares with an earlier one. */
    void persist(String model, String userId, long[] units) {
        if (units.length == 0) {
            return;
        }
        long now = System.nanoTime();
        long until = now + ttlNanos;
        for (int k = units.length - 1; k >= 0; k--) {
            Long s = seen.get(key(model, userId, units[k]));
            if (s != null && s - now >= 0) {
                if (k < units.length - 1) { // all of it seen before: the common prefix is the whole, persisted below
                    store(persisted, key(model, userId, units[k]), until);
                }
                break;
            }
        }
        store(persisted, key(model, userId, units[units.length - 1]), until);
        for (long unit : units) {
            store(seen, key(model, userId, unit), until);
        }
    }

    private void store(ConcurrentHashMap<Key, Long> map, Key key, long until) {
        if (map.size() < maxEntries || map.containsKey(key)) {
            map.put(key, until);
        }
    }

    private static Key key(String model, String userId, long unit) {
        return new Key(model, userId == null ? "" : userId, unit);
    }

    void sweep() {
        long now = System.nanoTime();
        persisted.values().removeIf(until -> until - now < 0);
        seen.values().removeIf(until -> until - now < 0);
    }

    void clear() {
        persisted.clear();
        seen.clear();
    }

    int size() {
        return persisted.size();
    }
}
