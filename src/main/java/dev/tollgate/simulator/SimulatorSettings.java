package dev.tollgate.simulator;

import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Everything the simulator can be configured with. Plain data, so the standalone command, the CDI bean and
 * tests all build it the same way.
 *
 * @param host               interface to listen on
 * @param port               port to listen on; 0 picks a free one
 * @param latency            latency profile name: zero, realistic or ttft-millis/tokens-per-second, or per model
 *                           (deepseek-v4-flash=200/100,deepseek-v4-pro=800/25)
 * @param apiKey             when set, the only bearer token accepted; otherwise any non-empty one is
 * @param concurrency        in-flight requests allowed per model before 429
 * @param cacheTtl           how long an unused prefix-cache entry lives
 * @param cacheMaxEntries    prefix-cache entries kept at most: persisted units, and as many boundaries of recent prompts
 * @param keepAliveInterval  while a response waits for its first token, a keep-alive goes out this often; 0 = never
 * @param usageForm          where streamed usage goes when include_usage is asked for
 * @param faultEvery         every Nth chat request gets {@code faultEveryKind}; 0 = never
 * @param faultEveryKind     the fault for {@code faultEvery}
 * @param faultByModel       a fault every request to that model gets
 * @param instances          HTTP server instances (event loops) sharing the port
 */
public record SimulatorSettings(
        String host,
        int port,
        String latency,
        String apiKey,
        Map<String, Integer> concurrency,
        Duration cacheTtl,
        int cacheMaxEntries,
        Duration keepAliveInterval,
        UsageForm usageForm,
        int faultEvery,
        Fault faultEveryKind,
        Map<String, Fault> faultByModel,
        int instances) {

    /** Live: usage rides on the chunk with finish_reason. Documented: an extra final chunk with empty choices. */
    public enum UsageForm {
        LIVE, DOCUMENTED;

        public static final String HEADER = "X-Simulator-Usage-Form";

        public static UsageForm parse(String value) {
            try {
                return valueOf(value.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("Unknown usage form '" + value.trim() + "'; use live or documented");
            }
        }
    }

    public SimulatorSettings {
        concurrency = Map.copyOf(concurrency);
        faultByModel = Map.copyOf(faultByModel);
        if (apiKey != null && apiKey.isBlank()) {
            apiKey = null;
        }
        for (String model : Models.ALL) {
            LatencyProfile.of(latency, model); // fail at start, not on the first request
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.host = host;
        b.port = port;
        b.latency = latency;
        b.apiKey = apiKey;
        b.concurrency = new HashMap<>(concurrency);
        b.cacheTtl = cacheTtl;
        b.cacheMaxEntries = cacheMaxEntries;
        b.keepAliveInterval = keepAliveInterval;
        b.usageForm = usageForm;
        b.faultEvery = faultEvery;
        b.faultEveryKind = faultEveryKind;
        b.faultByModel = new HashMap<>(faultByModel);
        b.instances = instances;
        return b;
    }

    int concurrencyLimit(String model) {
        return concurrency.getOrDefault(model, Integer.MAX_VALUE);
    }

    /** Defaults: the real service's limits and latency, on a free local port. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port = 0;
        private String latency = "realistic";
        private String apiKey;
        private Map<String, Integer> concurrency = new HashMap<>(Map.of(Models.FLASH, 2500, Models.PRO, 500));
        private Duration cacheTtl = Duration.ofHours(1);
        private int cacheMaxEntries = 1_000_000;
        private Duration keepAliveInterval = Duration.ofSeconds(1);
        private UsageForm usageForm = UsageForm.LIVE;
        private int faultEvery;
        private Fault faultEveryKind = Fault.OVERLOADED;
        private Map<String, Fault> faultByModel = new HashMap<>();
        private int instances = 1;

        private Builder() {
        }

        public Builder host(String host) {
            this.host = host;
            return this;
        }

        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder latency(String latency) {
            this.latency = latency;
            return this;
        }

        public Builder apiKey(String apiKey) {
            this.apiKey = apiKey;
            return this;
        }

        public Builder concurrency(String model, int limit) {
            concurrency.put(model, limit);
            return this;
        }

        public Builder cacheTtl(Duration cacheTtl) {
            this.cacheTtl = cacheTtl;
            return this;
        }

        public Builder cacheMaxEntries(int cacheMaxEntries) {
            this.cacheMaxEntries = cacheMaxEntries;
            return this;
        }

        public Builder keepAliveInterval(Duration keepAliveInterval) {
            this.keepAliveInterval = keepAliveInterval;
            return this;
        }

        public Builder usageForm(UsageForm usageForm) {
            this.usageForm = usageForm;
            return this;
        }

        public Builder faultEvery(int every, Fault kind) {
            this.faultEvery = every;
            this.faultEveryKind = kind;
            return this;
        }

        public Builder faultForModel(String model, Fault fault) {
            faultByModel.put(Models.served(model), fault);
            return this;
        }

        public Builder instances(int instances) {
            this.instances = instances;
            return this;
        }

        public SimulatorSettings build() {
            return new SimulatorSettings(host, port, latency, apiKey, concurrency, cacheTtl, cacheMaxEntries,
                    keepAliveInterval, usageForm, faultEvery, faultEveryKind, faultByModel, instances);
        }
    }
}
