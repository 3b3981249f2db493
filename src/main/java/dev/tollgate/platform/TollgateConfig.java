package dev.tollgate.platform;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.hibernate.validator.constraints.time.DurationMin;

@ConfigMapping(prefix = "tollgate")
public interface TollgateConfig {

    Auth auth();

    Keys keys();

    Pricing pricing();

    Simulator simulator();

    Gateway gateway();

    Upstream upstream();

    ChangeFeed changeFeed();

    interface ChangeFeed {
        /**
         * Listens to the database for changes other instances make to keys, tenants, aliases and prices
         * ({@code LISTEN}, on a connection of its own). Off where that connection cannot listen, such as behind
         * PgBouncer in transaction mode: changes then reach this instance as its caches expire.
         */
        @WithDefault("true")
        boolean enabled();

        /**
         * Where the feed's connection goes, when not where the pool's do (past PgBouncer to the server itself);
         * the pool's credentials and JDBC properties are used either way.
         */
        Optional<String> jdbcUrl();
    }

    interface Gateway {
        /** Largest accepted request body; larger ones get 413. */
        @WithDefault("10485760")
        @Positive
        int maxBodyBytes();

        /** Attempts per call across upstream endpoints (retries only before the first byte reaches the client). */
        @WithDefault("3")
        int maxAttempts();

        /** First retry delay; doubles per attempt, with jitter. */
        @WithDefault("100ms")
        Duration retryBackoff();

        /**
         * Keeps each tenant's calls in a prompt cache space of its own upstream (user_id is prefixed with the
         * tenant), so that no tenant can probe another's cached prompts. Off: user_id goes upstream as sent.
         */
        @WithDefault("true")
        boolean promptCachePerTenant();

        /**
         * The web origins whose pages may call the gateway from the browser (CORS): {@code *} for any, as OpenAI's
         * API allows, a list such as {@code https://chat.example.com,https://tools.example.com}, or {@code none}.
         */
        @WithDefault("*")
        List<String> corsOrigins();
    }

    interface Upstream {
        /**
         * Upstream endpoints by name. Ignored while the embedded simulator runs (none configured), so a
         * fresh checkout never calls the real API by accident.
         */
        Map<String, Endpoint> endpoints();

        /** How long a failing endpoint stays out of rotation once its breaker opens. */
        @WithDefault("30s")
        Duration breakerOpenFor();

        /**
         * How often each endpoint is asked for its account balance (DeepSeek's GET /user/balance), shown in the
         * console and as metrics; "off" never asks on schedule.
         */
        @WithDefault("5m")
        String balanceCheckEvery();

        /**
         * Per currency (DeepSeek reports CNY or USD): an account still taking calls whose total is below this is
         * shown as running low, in the console and the admin API. 0 warns of nothing; defaults in
         * application.properties.
         */
        Map<String, BigDecimal> lowBalance();

        /** Share of failed calls (over the last 20, at least 10) that opens an endpoint's breaker. */
        @WithDefault("50")
        int breakerFailureRatePercent();

        /**
         * Largest non-streamed answer (or error body) read from an upstream. A broken or hostile server must not
         * fill the heap; a larger answer is cut off and the client gets a 502.
         */
        @WithDefault("32M")
        MemorySize maxAnswerSize();

        /**
         * Heap that non-streamed answers and error bodies being read may hold at once, across all calls; past it a
         * call gets a 503 to retry rather than exhaust the heap. Default: two fifths of the maximum heap.
         */
        Optional<MemorySize> answerMemory();

        /** Largest single event of a stream (an event is held until its end arrives); a larger one ends the stream. */
        @WithDefault("4M")
        MemorySize maxEventSize();
    }

    interface Endpoint {
        /** Base URL of an OpenAI-compatible server, e.g. https://api.deepseek.com or a vLLM/SGLang host. */
        String baseUrl();

        /** Never stored in the database; take it from the environment, e.g. ${DEEPSEEK_API_KEY}. */
        Optional<String> apiKey();

        /** The models this endpoint serves. */
        List<String> models();

        /** Lower is tried first; endpoints with equal priority share traffic by weight. */
        @WithDefault("0")
        int priority();

        @WithDefault("1")
        int weight();

        @WithDefault("5s")
        Duration connectTimeout();

        /** Longest silence while reading a response (first token included). */
        @WithDefault("600s")
        Duration readTimeout();

        /**
         * The most connections this instance keeps open to the endpoint, streams included; a call beyond them
         * waits for a free one (for up to connect-timeout, twice that for https, plus 250 ms). Lower it for a
         * self-hosted server that serves only so many requests at once.
         */
        @WithDefault("1000")
        int maxConnections();
    }

    Ledger ledger();

    interface Auth {
        /** {@code local} (database users, form and Basic login) or {@code oidc} (Keycloak). */
        @WithDefault("local")
        String mode();

        /**
         * Password of the bootstrap {@code admin} user. When absent, the first start writes a generated one to a
         * file only its owner can read and logs the file's path, never the password.
         */
        Optional<String> adminPassword();

        /** OIDC claim holding the slug of the tenant a tenant-admin is bound to. */
        @WithDefault("tenant")
        String tenantClaim();

        /** Login mechanisms per mode, wired into Quarkus' path permissions in application.properties. */
        Map<String, Mechanisms> modes();

        /**
         * Local mode: failed password logins (console form or admin API Basic) one client address may make, and
         * logins it may have in flight at once, before its logins are refused. Keycloak has its own guard.
         */
        @WithDefault("20")
        @Positive
        int loginFailuresAllowed();

        /** How long an address's failed logins count against it, from its latest attempt. */
        @WithDefault("15m")
        Duration loginLockout();

        /**
         * Local mode: how long a password that passed its bcrypt check is taken again without one, while the user's
         * stored hash is unchanged. {@code 0s} checks every login with bcrypt.
         */
        @WithDefault("5m")
        Duration passwordCacheTtl();

        default boolean oidc() {
            return "oidc".equals(mode());
        }
    }

    interface Mechanisms {
        String consoleMechanism();

        String apiMechanism();

        boolean oidcEnabled();
    }

    interface Keys {
        /**
         * How long a looked-up key stays in this instance's cache. Changes evict it at once on every instance
         * that hears the database's change feed; this bounds the wait when it cannot.
         */
        @WithDefault("30s")
        Duration cacheTtl();

        /**
         * How much longer than the cache TTL a key looked up before keeps its last known state while the
         * database cannot be reached. 0 refuses every key with a 503 once its entry is older than the TTL.
         */
        @WithDefault("10m")
        @DurationMin(seconds = 0)
        Duration outageGrace();

        /** A key whose expiry is nearer than this is listed as expiring. */
        @WithDefault("7d")
        Duration expiringWindow();

        /** How often last-used timestamps are written back. */
        @WithDefault("10s")
        String lastUsedFlushEvery();
    }

    interface Pricing {
        /**
         * How often each instance re-reads the price book from the database. Changes are read at once by every
         * instance that hears the database's change feed; this interval bounds the wait when it cannot.
         */
        @WithDefault("60s")
        String reloadEvery();

        /**
         * How far in the future a price change must start (or an entry end), so that every instance has
         * reloaded the price book before the change applies. Keep it well above {@link #reloadEvery()}.
         */
        @WithDefault("5m")
        Duration minLeadTime();
    }

    /** The built-in DeepSeek simulator (docs/simulator.md). */
    interface Simulator {
        /**
         * Unset: the simulator runs exactly when no upstream is configured, that is when every endpoint is the
         * official DeepSeek API and none has an API key (DEEPSEEK_API_KEY or the endpoint's api-key), on the
         * embedded database; on an external one, no upstream stops the start.
         */
        Optional<Boolean> enabled();

        @WithDefault("127.0.0.1")
        String host();

        /** 0 picks a free port; the bean reports the one it got. */
        @WithDefault("0")
        int port();

        /**
         * {@code realistic}, {@code zero}, or {@code <ttft-millis>/<tokens-per-second>}; or per model,
         * {@code deepseek-v4-flash=200/100,deepseek-v4-pro=800/25}.
         */
        @WithDefault("realistic")
        String latency();

        /** When set, the only bearer token the simulator accepts. */
        Optional<String> apiKey();

        @WithDefault("2500")
        int flashConcurrency();

        @WithDefault("500")
        int proConcurrency();

        @WithDefault("1h")
        Duration cacheTtl();

        /** Keep-alive lines while a response waits for its first token; 0 turns them off. */
        @WithDefault("1s")
        Duration keepAliveInterval();

        /** {@code live} (usage on the finish chunk) or {@code documented} (a separate final chunk). */
        @WithDefault("live")
        String usageForm();

        /** Every Nth chat request gets {@link #faultEveryKind()}; 0 = never. */
        @WithDefault("0")
        int faultEvery();

        @WithDefault("503")
        String faultEveryKind();

        /** A fault for every request to a model, e.g. {@code fault-by-model.deepseek-v4-pro=503}. */
        Map<String, String> faultByModel();
    }

    interface Ledger {
        /** Rows per insert statement; a batch is written as soon as this many rows wait. */
        @WithDefault("500")
        int batchSize();

        /** How long a row may wait for others to fill a batch before it is written anyway. */
        @WithDefault("50ms")
        Duration flushInterval();

        /**
         * Rows kept in memory between the spool and the database. Rows beyond it (PostgreSQL down or slow)
         * stay only in the spool and are read back from it, so memory stays bounded.
         */
        @WithDefault("10000")
        int memoryQueue();

        /** First wait after a failed write; doubles after each failure in a row, up to {@link #retryMax()}. */
        @WithDefault("100ms")
        Duration retryInitial();

        @WithDefault("5s")
        Duration retryMax();

        /** How long a graceful shutdown waits for queued rows to be committed; what is left stays spooled. */
        @WithDefault("20s")
        Duration drainTimeout();

        /** Monthly partitions kept ready beyond the current month. */
        @WithDefault("2")
        @PositiveOrZero
        int partitionsAhead();

        /** How often partitions are checked (and created ahead). */
        @WithDefault("1h")
        String partitionCheckEvery();

        Spool spool();

        interface Spool {
            /** The local journal of rows not yet committed; one directory per running instance. */
            @WithDefault("${TOLLGATE_DATA_DIR:data}/ledger-spool")
            String directory();

            /** A spool file is closed and a new one started past this size; committed files are deleted. */
            @WithDefault("16M")
            MemorySize segmentSize();

            /**
             * How often the spool is forced to disk. Every row reaches the operating system before
             * {@code record} returns, so only an operating-system crash or power loss can lose rows, at
             * most those of the last interval.
             */
            @WithDefault("1s")
            Duration fsyncInterval();
        }
    }
}
