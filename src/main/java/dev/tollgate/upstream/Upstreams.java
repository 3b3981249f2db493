package dev.tollgate.upstream;

import dev.tollgate.platform.TollgateConfig;
import dev.tollgate.simulator.EmbeddedSimulator;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.util.concurrent.EventExecutor;
import io.quarkus.runtime.Startup;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.impl.VertxInternal;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The upstream endpoints and the order to try them in for a call: by priority, then weighted-random
 * within a priority, skipping endpoints whose circuit breaker is open.
 */
@Named("upstreams")
@Startup // a misconfigured endpoint stops the start, rather than failing every call once traffic comes
@ApplicationScoped
public class Upstreams {

    private static final Logger LOG = Logger.getLogger(Upstreams.class);
    private static final Set<String> ALL_MODELS = Set.of("deepseek-v4-flash", "deepseek-v4-pro");

    @Inject
    TollgateConfig config;
    @Inject
    EmbeddedSimulator simulator;
    @Inject
    Vertx vertx;
    @Inject
    MeterRegistry metrics;

    private List<UpstreamEndpoint> endpoints;
    /** When each endpoint's breaker last opened: how long a client told none is available should wait. */
    private final Map<String, Instant> openedAt = new ConcurrentHashMap<>();
    private final Map<String, Counter> openings = new ConcurrentHashMap<>();
    /**
     * The status an endpoint refused its own key or account with, until it answers a call (or, for a 402, a balance
     * check finds money): logged once per spell.
     */
    private final Map<String, Integer> refusing = new ConcurrentHashMap<>();

    @PostConstruct
    void init() {
        checkRetries(config.gateway());
        List<UpstreamEndpoint> list = new ArrayList<>();
        if (simulator.running()) {
            list.add(endpoint("simulator", simulator.baseUrl(), simulator.apiKey(), ALL_MODELS, 0, 1,
                    Duration.ofSeconds(5), Duration.ofSeconds(600), 1000));
            LOG.warnf("Calls go to the built-in DeepSeek simulator, not the real API: %s",
                    config.simulator().enabled().isPresent() ? "tollgate.simulator.enabled is true"
                            : "no upstream is configured (no DEEPSEEK_API_KEY)");
        } else {
            config.upstream().endpoints().forEach((name, e) -> {
                if (EmbeddedSimulator.keylessOfficialApi(e)) {
                    // e.g. a vLLM-only set-up that left the default endpoint alone: it would fail every call it got
                    LOG.infof("Upstream endpoint '%s' is the official DeepSeek API without an API key: left out", name);
                    return;
                }
                String property = "tollgate.upstream.endpoints." + name + ".";
                if (e.maxConnections() < 1) {
                    throw new IllegalArgumentException(property + "max-connections must be at least 1, not "
                            + e.maxConnections());
                }
                if (e.weight() < 1) { // taken for 1 before, which sent a drained endpoint its full share
                    throw new IllegalArgumentException(property + "weight must be at least 1, not " + e.weight()
                            + "; to take an endpoint out, remove it or give it a higher priority number");
                }
                positive(property + "connect-timeout", e.connectTimeout());
                positive(property + "read-timeout", e.readTimeout());
                String key = UpstreamEndpoint.headerSafeKey(property + "api-key", e.apiKey().orElse(""));
                list.add(endpoint(name, e.baseUrl(), key, Set.copyOf(e.models()), e.priority(),
                        e.weight(), e.connectTimeout(), e.readTimeout(), e.maxConnections()));
            });
        }
        endpoints = list.stream()
                .sorted(Comparator.comparingInt(UpstreamEndpoint::priority).thenComparing(UpstreamEndpoint::name))
                .toList();
        endpoints.forEach(this::breakerMetrics);
    }

    /**
     * One gauge per breaker state, 1 for the state the endpoint's breaker is in (the usual Prometheus form of an
     * enum): an operator sees when an endpoint is taken out without reading the log. An open breaker lasts only
     * breaker-open-for, which a scrape may miss, so its openings are counted too.
     */
    private void breakerMetrics(UpstreamEndpoint endpoint) {
        openings.put(endpoint.name(), Counter.builder("tollgate.upstream.breaker.openings")
                .description("Times the upstream endpoint's circuit breaker opened (it was taken out)")
                .tag("endpoint", endpoint.name()).register(metrics));
        for (CircuitBreaker.State state : List.of(CircuitBreaker.State.CLOSED, CircuitBreaker.State.OPEN,
                CircuitBreaker.State.HALF_OPEN)) {
            Gauge.builder("tollgate.upstream.breaker.state", endpoint.breaker(), b -> b.getState() == state ? 1 : 0)
                    .description("1 for the state the upstream endpoint's circuit breaker is in; open: taken out")
                    .tags("endpoint", endpoint.name(), "state", state.name().toLowerCase(Locale.ROOT))
                    .strongReference(true)
                    .register(metrics);
        }
    }

    private void checkRetries(TollgateConfig.Gateway gateway) {
        if (gateway.maxAttempts() < 1) {
            throw new IllegalArgumentException("tollgate.gateway.max-attempts must be at least 1, not "
                    + gateway.maxAttempts());
        }
        positive("tollgate.gateway.retry-backoff", gateway.retryBackoff());
        int percent = config.upstream().breakerFailureRatePercent();
        if (percent < 1 || percent > 100) {
            throw new IllegalArgumentException("tollgate.upstream.breaker-failure-rate-percent must be 1 to 100, not "
                    + percent);
        }
        positive("tollgate.upstream.breaker-open-for", config.upstream().breakerOpenFor());
    }

    private static void positive(String property, Duration d) {
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(property + " must be longer than zero, not " + d);
        }
    }

    /** True when the built-in simulator answers instead of a real upstream (the console shows a banner). */
    public boolean simulated() {
        return simulator.running();
    }

    /** Whether any endpoint serves the model, its breaker open or not. */
    public boolean serves(String model) {
        return endpoints.stream().anyMatch(e -> e.serves(model));
    }

    /** Endpoints to try for a model, best first; an endpoint with an open breaker is left out. */
    public List<UpstreamEndpoint> plan(String model) {
        List<UpstreamEndpoint> candidates = new ArrayList<>();
        for (UpstreamEndpoint e : endpoints) {
            if (e.serves(model) && e.breaker().getState() != CircuitBreaker.State.OPEN) {
                candidates.add(e);
            }
        }
        // weighted shuffle: a random key per endpoint, skewed by weight, sorted within each priority
        ThreadLocalRandom random = ThreadLocalRandom.current();
        List<double[]> keys = new ArrayList<>();
        for (int i = 0; i < candidates.size(); i++) {
            keys.add(new double[] {candidates.get(i).priority(),
                    -Math.pow(random.nextDouble(), 1.0 / candidates.get(i).weight()), i});
        }
        keys.sort(Comparator.<double[]>comparingDouble(k -> k[0]).thenComparingDouble(k -> k[1]));
        List<UpstreamEndpoint> ordered = new ArrayList<>();
        for (double[] k : keys) {
            ordered.add(candidates.get((int) k[2]));
        }
        return ordered;
    }

    private int eventLoops() {
        int loops = 0;
        for (EventExecutor ignored : ((VertxInternal) vertx).getEventLoopGroup()) {
            loops++;
        }
        return Math.max(1, loops);
    }

    /**
     * Told by the gateway after each result it reports to an endpoint's breaker, with the state before (the three
     * read under the breaker's lock): a breaker opens or closes only on such a result. Notes and counts an opening,
     * and logs the change for the operator. A listener on the breaker's events would make resilience4j build an
     * event object for every call.
     */
    public void resultReported(UpstreamEndpoint endpoint, CircuitBreaker.State before) {
        CircuitBreaker breaker = endpoint.breaker();
        CircuitBreaker.State now = breaker.getState();
        if (now == before) {
            return;
        }
        long millis = config.upstream().breakerOpenFor().toMillis();
        String openFor = millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
        if (now == CircuitBreaker.State.OPEN) {
            openedAt.put(endpoint.name(), Instant.now());
            openings.get(endpoint.name()).increment();
            if (before == CircuitBreaker.State.HALF_OPEN) {
                LOG.warnf("Upstream endpoint %s failed its trial calls: taken out again for %s", endpoint.name(),
                        openFor);
            } else {
                LOG.warnf("Upstream endpoint %s taken out for %s: %.0f%% of its last %d calls failed",
                        endpoint.name(), openFor, breaker.getMetrics().getFailureRate(),
                        breaker.getMetrics().getNumberOfBufferedCalls());
            }
        } else if (now == CircuitBreaker.State.CLOSED) {
            LOG.infof("Upstream endpoint %s answered its trial calls: back in service", endpoint.name());
        }
    }

    /**
     * An endpoint refused the gateway's own credentials (401, 403) or account (402): no client can fix that, so the
     * operator reads it, once per spell and status rather than once per call, which a broken key would flood the log
     * with.
     */
    public void refusedCredentials(UpstreamEndpoint endpoint, int status) {
        if (!Integer.valueOf(status).equals(refusing.put(endpoint.name(), status))) {
            LOG.warnf(status == 402
                    ? "Upstream endpoint %s answers HTTP %d: its account is out of balance; top it up"
                    : "Upstream endpoint %s answers HTTP %d: it refuses its API key; check tollgate.upstream.endpoints."
                            + "%1$s.api-key", endpoint.name(), status);
        }
    }

    /**
     * A balance check found the endpoint's account empty: it is refusing as if a call had met a 402 (the check logs
     * it), until it answers a call or a check finds balance.
     */
    public void outOfBalance(UpstreamEndpoint endpoint) {
        refusing.put(endpoint.name(), 402);
    }

    /** A balance check found money: the endpoint is no longer out of balance (a refused key stays refused). */
    public void balanceFound(UpstreamEndpoint endpoint) {
        refusing.remove(endpoint.name(), 402);
    }

    /** An endpoint answered a call: a later refusal of its credentials is news again. */
    public void answered(UpstreamEndpoint endpoint) {
        if (!refusing.isEmpty()) { // the common case reads, never writes
            refusing.remove(endpoint.name());
        }
    }

    /**
     * Seconds until the first of the model's endpoints whose breakers are open lets a trial call through (at least 1):
     * the Retry-After of a call none could take, which the OpenAI SDKs wait instead of retrying at once into it.
     */
    public long secondsUntilTrial(String model) {
        Instant now = Instant.now();
        long seconds = config.upstream().breakerOpenFor().toSeconds();
        for (UpstreamEndpoint e : endpoints) {
            Instant opened = openedAt.get(e.name());
            if (e.serves(model) && opened != null) {
                Duration left = Duration.between(now, opened.plus(config.upstream().breakerOpenFor()));
                seconds = Math.min(seconds, left.toSeconds() + (left.toNanosPart() > 0 ? 1 : 0));
            }
        }
        return Math.max(1, seconds);
    }

    /** The status an endpoint last refused its own key or account with (401, 402, 403), while it does. */
    public Optional<Integer> refusal(UpstreamEndpoint endpoint) {
        return Optional.ofNullable(refusing.get(endpoint.name()));
    }

    /** When an endpoint taken out (its breaker open) lets its trial calls through. */
    public Optional<Instant> trialAt(UpstreamEndpoint endpoint) {
        Instant opened = openedAt.get(endpoint.name());
        return endpoint.breaker().getState() != CircuitBreaker.State.OPEN || opened == null ? Optional.empty()
                : Optional.of(opened.plus(config.upstream().breakerOpenFor()));
    }

    /** Every endpoint, best first as listed to operators: by priority, then name. */
    public List<UpstreamEndpoint> all() {
        return endpoints;
    }

    private UpstreamEndpoint endpoint(String name, String baseUrl, String apiKey, Set<String> models, int priority,
            int weight, Duration connectTimeout, Duration readTimeout, int maxConnections) {
        UpstreamEndpoint.Target target = UpstreamEndpoint.Target.of("tollgate.upstream.endpoints." + name
                + ".base-url", baseUrl);
        HttpClientOptions options = new HttpClientOptions()
                .setConnectTimeout((int) connectTimeout.toMillis())
                // The per-request timeout (readTimeout) stops once the response headers arrive; this one also ends
                // an answer whose upstream goes silent half way. A second later, so that silence before the headers
                // is still the request's own timeout (504).
                .setIdleTimeout((int) readTimeout.plusSeconds(1).toMillis())
                .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
                .setKeepAlive(true)
                .setTcpNoDelay(true)
                .setDecompressionSupported(true)
                .setSsl(target.ssl())
                // a handshake that stalls (an overloaded TLS terminator, a firewall) is a failed connect, reported
                // before the wait for a pooled connection gives up and calls the pool busy
                .setSslHandshakeTimeout(connectTimeout.toMillis())
                .setSslHandshakeTimeoutUnit(TimeUnit.MILLISECONDS)
                .setTrustAll(false);
        CircuitBreakerConfig breakerConfig = CircuitBreakerConfig.custom()
                .slidingWindowSize(20)
                .minimumNumberOfCalls(10)
                .failureRateThreshold(config.upstream().breakerFailureRatePercent())
                .waitDurationInOpenState(config.upstream().breakerOpenFor())
                .permittedNumberOfCallsInHalfOpenState(2)
                // A slow answer is not a failure (long reasoning, or a server that sends its headers only once
                // the answer is done); resilience4j's default would open the breaker on 60 s answers alone.
                .slowCallDurationThreshold(Duration.ofDays(365))
                .automaticTransitionFromOpenToHalfOpenEnabled(true)
                .build();
        return new UpstreamEndpoint(name, baseUrl, apiKey, models, priority, weight, connectTimeout, readTimeout,
                LoopLocalClients.of(vertx, options, maxConnections, eventLoops()),
                CircuitBreaker.of("upstream-" + name, breakerConfig), target);
    }
}
