package dev.tollgate.upstream;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.platform.TollgateConfig;
import dev.tollgate.upstream.UpstreamBalance.State;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.ConnectTimeoutException;
import io.quarkus.runtime.Startup;
import io.quarkus.scheduler.Scheduled;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.math.BigDecimal;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
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
import java.util.concurrent.TimeoutException;
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
    @Inject
    TollgateConfig config;
    /** How long an answer may go silent once its headers are in. */
    long answerTimeoutMillis = 10_000;

    private final Map<String, UpstreamBalance> latest = new ConcurrentHashMap<>();
    /** Endpoint and currency pairs that have a gauge already; currencies become known from the answers. */
    private final Set<String> currencyGauges = ConcurrentHashMap.newKeySet();

    @PostConstruct
    void registerGauges() {
        for (UpstreamEndpoint e : upstreams.all()) {
            Gauge.builder("tollgate.upstream.balance.available", this, m -> m.availability(e))
                    .description("1 while the upstream endpoint's account can take calls, 0 once it is out of"
                            + " balance (every call then gets 402); NaN while unknown")
                    .tag("endpoint", e.name())
                    .register(metrics);
        }
    }

    @Scheduled(every = "${tollgate.upstream.balance-check-every}", delayed = "5s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    CompletionStage<Void> checkOnSchedule() {
        Instant now = Instant.now();
        return check(e -> latest(e.name()).map(b -> dueOnSchedule(b, now)).orElse(true));
    }

    /**
     * A server that said it has no balance to report is asked again hourly, not every few minutes, which would only
     * fill its log; not never, since a DeepSeek host behind a proxy can answer 404 for a while.
     */
    static boolean dueOnSchedule(UpstreamBalance last, Instant now) {
        return last.state() != State.NOT_OFFERED || !last.checkedAt().plus(Duration.ofHours(1)).isAfter(now);
    }

    /** Asks every endpoint now (the console's "Check balances now"), those without a balance included. */
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
                // a timeout while getting a connection is a pool whose connections all stayed busy (the gateway's
                // own calls): nothing was sent, which "no answer" would misreport
                .recover(failure -> Future.failedFuture(UpstreamEndpoint.poolBusy(failure) ? new PoolBusyException()
                        : failure))
                .compose(request -> request.send())
                // the request's timeout ends with the headers; the connection's is the endpoint's read timeout,
                // ten minutes by default, for which a server stalling half way would hold the scheduled checks
                .compose(response -> UpstreamBody.read(vertx, response, MAX_ANSWER_BYTES, answerTimeoutMillis)
                        .map(body -> UpstreamBalance.read(asked, response.statusCode(),
                                body.toString(StandardCharsets.UTF_8), json)))
                .recover(failure -> Future.succeededFuture(UpstreamBalance.failed(asked, describe(failure, endpoint))));
    }

    /**
     * The failure as an operator reads it, not as netty words it ("finishConnect(..) failed with error(-111)");
     * never the request's headers, which hold the key.
     */
    private String describe(Throwable failure, UpstreamEndpoint endpoint) {
        if (failure instanceof ConnectTimeoutException) {
            return "connection timed out";
        }
        if (failure instanceof ConnectException) {
            return "connection refused";
        }
        if (failure instanceof UnknownHostException) {
            return "unknown host";
        }
        if (failure instanceof PoolBusyException) {
            return "not asked: every connection to it stayed busy with calls";
        }
        if (failure instanceof UpstreamBody.SilentException) {
            return within(answerTimeoutMillis);
        }
        if (failure instanceof TimeoutException) { // no headers within the balance request's own timeout
            return within(endpoint.balanceRequest().getIdleTimeout());
        }
        if (failure instanceof UpstreamBody.TooLargeException) {
            return "an answer over " + MAX_ANSWER_BYTES / 1024 + " KiB";
        }
        String message = failure.getMessage();
        return message == null || message.isBlank() ? failure.getClass().getSimpleName() : message;
    }

    /** No connection to ask on: every one of the endpoint's (max-connections) stayed busy for the wait. */
    static final class PoolBusyException extends Exception {
        PoolBusyException() {
            super(null, null, false, false);
        }
    }

    private static String within(long millis) {
        return "no answer within " + (millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms");
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
        // One record of an account out of balance, kept with the gateway's own refusals: a call that is answered
        // ends it as a check that finds balance does, whichever comes first.
        if (answer.state() == State.AVAILABLE) {
            upstreams.balanceFound(endpoint);
        } else if (answer.state() == State.EXHAUSTED) {
            upstreams.outOfBalance(endpoint);
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
            case NOT_OFFERED -> LOG.infof("Upstream endpoint %s reports no account balance (%s); asked again hourly",
                    endpoint.name(), balance.detail());
            case FAILED -> LOG.debugf("Could not read upstream endpoint %s's balance: %s", endpoint.name(),
                    balance.detail());
        }
    }

    /** The last answer of an endpoint, if it was asked yet. */
    public Optional<UpstreamBalance> latest(String endpoint) {
        return Optional.ofNullable(latest.get(endpoint));
    }

    /**
     * Endpoints out of balance, by the last check or by the gateway's own calls (a 402), until one of them finds
     * otherwise: the console warns platform admins and finance of them. Best first, as the Upstreams page lists them.
     */
    public List<String> exhausted() {
        return upstreams.all().stream().filter(this::outOfBalance).map(UpstreamEndpoint::name).toList();
    }

    /** An endpoint's account total below {@code tollgate.upstream.low-balance} for its currency. */
    public record LowBalance(String endpoint, String currency, BigDecimal total, BigDecimal warnBelow) {
    }

    /**
     * What the endpoint's account has left below the warning level of its currency, while it still takes calls (an
     * account out of balance has its own warning); empty otherwise. A failed check leaves the last answer standing.
     */
    public List<LowBalance> low(UpstreamEndpoint endpoint) {
        UpstreamBalance balance = latest.get(endpoint.name());
        if (balance == null || balance.state() != State.AVAILABLE || outOfBalance(endpoint)) {
            return List.of();
        }
        List<LowBalance> low = new ArrayList<>();
        for (UpstreamBalance.Amount a : balance.amounts()) {
            BigDecimal warnBelow = warnBelow(a.currency());
            if (warnBelow != null && a.total().compareTo(warnBelow) < 0) {
                low.add(new LowBalance(endpoint.name(), a.currency(), a.total(), warnBelow));
            }
        }
        return low;
    }

    /** Every endpoint's account running low, best first: the console warns platform admins and finance of them. */
    public List<LowBalance> runningLow() {
        return upstreams.all().stream().flatMap(e -> low(e).stream()).toList();
    }

    /** The configured level: the key as the currency is written, else in any case (an environment variable's). */
    private BigDecimal warnBelow(String currency) {
        Map<String, BigDecimal> levels = config.upstream().lowBalance();
        return levels.containsKey(currency) ? levels.get(currency) : levels.entrySet().stream()
                .filter(e -> e.getKey().equalsIgnoreCase(currency)).map(Map.Entry::getValue).findFirst().orElse(null);
    }

    private boolean outOfBalance(UpstreamEndpoint endpoint) {
        return upstreams.refusal(endpoint).orElse(0) == 402;
    }

    /** 0 while out of balance; 1 once DeepSeek has said either way and the account is not (or no longer) empty. */
    private double availability(UpstreamEndpoint endpoint) {
        if (outOfBalance(endpoint)) {
            return 0.0;
        }
        State known = latest(endpoint.name()).map(UpstreamBalance::state).orElse(null);
        return known == State.AVAILABLE || known == State.EXHAUSTED ? 1.0 : Double.NaN;
    }

    private double total(String endpoint, String currency) {
        BigDecimal total = latest(endpoint).map(b -> b.total(currency)).orElse(null);
        return total == null ? Double.NaN : total.doubleValue(); // a Prometheus sample is a double
    }
}
