package dev.tollgate.upstream;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.upstream.UpstreamBalance.State;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.quarkus.scheduler.Scheduled;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.jboss.logging.Logger;

/**
 * Asks each upstream endpoint for its account balance every {@code tollgate.upstream.balance-check-every}, keeps
 * the last answer for the console and the admin API, and exports it to Prometheus, so that an operator is warned
 * before (or as soon as) the DeepSeek account runs out and every tenant's calls start failing with 402.
 */
@Named("balances")
@Startup // its gauges exist from the start, not from the first page that asks
@ApplicationScoped
public class BalanceMonitor {

    private static final Logger LOG = Logger.getLogger(BalanceMonitor.class);
    /** A balance is a few hundred bytes; a server answering more is not DeepSeek. */
    private static final int MAX_ANSWER_BYTES = 64 * 1024;

    @Inject
    Upstreams upstreams;
    @Inject
    MeterRegistry metrics;
    @Inject
    ObjectMapper json;
    @Inject
    Vertx vertx;
    /** How long an answer may go silent once its headers are in. */
    long answerTimeoutMillis = 10_000;

    private final Map<String, UpstreamBalance> latest = new ConcurrentHashMap<>();
    /** Endpoint and currency pairs that have a gauge already; currencies become known from the answers. */
    private final Set<String> currencyGauges = ConcurrentHashMap.newKeySet();

    @PostConstruct
    void registerGauges() {
        for (UpstreamEndpoint e : upstreams.all()) {
            Gauge.builder("tollgate.upstream.balance.available", this, m -> m.availability(e.name()))
                    .description("1 while the upstream endpoint's account can take calls, 0 once it is out of"
                            + " balance (every call then gets 402); NaN while unknown")
                    .tag("endpoint", e.name())
                    .register(metrics);
        }
    }

    /** Skips servers that said they have no balance to report: asking them every few minutes only fills their log. */
    @Scheduled(every = "${tollgate.upstream.balance-check-every}", delayed = "5s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    CompletionStage<Void> checkOnSchedule() {
        return check(e -> latest(e.name()).map(b -> b.state() != State.NOT_OFFERED).orElse(true));
    }

    /** Asks every endpoint now (the console's "Check now"), those without a balance included. */
    public CompletionStage<Void> checkAll() {
        return check(e -> true);
    }

    /** {@link #checkAll()}, waited for; each request has its own timeouts, the bound only guards against a hang. */
    public void checkAllNow() {
        checkAll().toCompletableFuture().completeOnTimeout(null, 60, TimeUnit.SECONDS).join();
    }

    private CompletionStage<Void> check(Predicate<UpstreamEndpoint> which) {
        List<CompletableFuture<Void>> checks = new ArrayList<>();
        for (UpstreamEndpoint e : upstreams.all()) {
            if (which.test(e)) {
                checks.add(ask(e).toCompletionStage().toCompletableFuture().thenAccept(b -> record(e, b)));
            }
        }
        return CompletableFuture.allOf(checks.toArray(CompletableFuture[]::new));
    }

    /** Dated when asked, so that of two checks under way at once the later one's answer stands. */
    Future<UpstreamBalance> ask(UpstreamEndpoint endpoint) {
        Instant asked = Instant.now();
        return endpoint.client().request(endpoint.balanceRequest())
                .compose(request -> request.send())
                // the request's timeout ends with the headers; the connection's is the endpoint's read timeout,
                // ten minutes by default, for which a server stalling half way would hold the scheduled checks
                .compose(response -> UpstreamBody.read(vertx, response, MAX_ANSWER_BYTES, answerTimeoutMillis)
                        .map(body -> UpstreamBalance.read(asked, response.statusCode(),
                                body.toString(StandardCharsets.UTF_8), json)))
                .recover(failure -> Future.succeededFuture(UpstreamBalance.failed(asked, describe(failure))));
    }

    /** The failure as an operator reads it; Vert.x' messages name host and port, never the request's headers. */
    private static String describe(Throwable failure) {
        String message = failure.getMessage();
        return message == null || message.isBlank() ? failure.getClass().getSimpleName() : message;
    }

    private void record(UpstreamEndpoint endpoint, UpstreamBalance answer) {
        UpstreamBalance[] before = new UpstreamBalance[1];
        UpstreamBalance balance = latest.compute(endpoint.name(), (name, last) -> {
            before[0] = last;
            return last == null ? answer : last.then(answer);
        });
        if (balance == before[0]) { // an answer older than the one kept
            return;
        }
        if (answer.state() == State.AVAILABLE) {
            // its key and account work (topped up since a call was refused 402, say): the next refusal is news
            upstreams.answered(endpoint);
        }
        for (UpstreamBalance.Amount a : balance.amounts()) {
            if (currencyGauges.add(endpoint.name() + " " + a.currency())) {
                Gauge.builder("tollgate.upstream.balance", this, m -> m.total(endpoint.name(), a.currency()))
                        .description("The upstream endpoint's account balance (DeepSeek's total_balance) when last"
                                + " checked, in the currency it names")
                        .tags("endpoint", endpoint.name(), "currency", a.currency())
                        .register(metrics);
            }
        }
        State was = before[0] == null ? null : before[0].state();
        if (balance.state() == was) {
            return;
        }
        switch (balance.state()) {
            case EXHAUSTED -> LOG.warnf("Upstream endpoint %s is out of balance: its calls get HTTP 402 until its"
                    + " account is topped up", endpoint.name());
            case KEY_REFUSED -> LOG.warnf("Upstream endpoint %s refuses its API key (%s) when asked for its balance;"
                    + " check tollgate.upstream.endpoints.%1$s.api-key", endpoint.name(), balance.detail());
            case AVAILABLE -> {
                if (was == State.EXHAUSTED) {
                    LOG.infof("Upstream endpoint %s has balance again", endpoint.name());
                }
            }
            case NOT_OFFERED -> LOG.infof("Upstream endpoint %s reports no account balance (%s); not asked again"
                    + " on schedule", endpoint.name(), balance.detail());
            case FAILED -> LOG.debugf("Could not read upstream endpoint %s's balance: %s", endpoint.name(),
                    balance.detail());
        }
    }

    /** The last answer of an endpoint, if it was asked yet. */
    public Optional<UpstreamBalance> latest(String endpoint) {
        return Optional.ofNullable(latest.get(endpoint));
    }

    /**
     * Endpoints out of balance, by the last check or by the gateway's own calls (a 402 since the endpoint last
     * answered), whichever learned it first: the console warns platform admins and finance of them.
     */
    public List<String> exhausted() {
        return upstreams.all().stream()
                .filter(e -> upstreams.refusal(e).orElse(0) == 402
                        || latest(e.name()).map(b -> b.state() == State.EXHAUSTED).orElse(false))
                .map(UpstreamEndpoint::name).toList();
    }

    private double availability(String endpoint) {
        return latest(endpoint).map(b -> switch (b.state()) {
            case AVAILABLE -> 1.0;
            case EXHAUSTED -> 0.0;
            default -> Double.NaN;
        }).orElse(Double.NaN);
    }

    private double total(String endpoint, String currency) {
        BigDecimal total = latest(endpoint).map(b -> b.total(currency)).orElse(null);
        return total == null ? Double.NaN : total.doubleValue(); // a Prometheus sample is a double
    }
}
