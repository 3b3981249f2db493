package dev.tollgate.upstream;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * One upstream endpoint as an operator checks it: its configuration (never its key), whether it is in service, how
 * its recent calls went, and its account balance when last asked.
 *
 * @param breaker {@code closed} (in service), {@code open} (taken out until {@code trialAt}) or {@code half_open}
 * @param recentCalls the calls the breaker judges by (the last 20 at most)
 * @param refusedWith the status the endpoint refused its own key or account with, while it does
 * @param balance null until first asked
 * @param lowBalance what the account has left below {@code tollgate.upstream.low-balance}, while it takes calls
 */
public record UpstreamStatus(String name, String baseUrl, List<String> models, int priority, int weight,
        String breaker, Instant trialAt, int recentCalls, int recentFailures, Integer refusedWith,
        UpstreamBalance balance, List<BalanceMonitor.LowBalance> lowBalance) {

    /** Best first, as calls try them: by priority, then by name. */
    public static List<UpstreamStatus> all(Upstreams upstreams, BalanceMonitor balances) {
        return upstreams.all().stream().map(e -> of(e, upstreams, balances)).toList();
    }

    private static UpstreamStatus of(UpstreamEndpoint e, Upstreams upstreams, BalanceMonitor balances) {
        CircuitBreaker.Metrics calls = e.breaker().getMetrics();
        return new UpstreamStatus(e.name(), e.baseUrl(), e.models().stream().sorted().toList(), e.priority(),
                e.weight(), e.breaker().getState().name().toLowerCase(Locale.ROOT), upstreams.trialAt(e).orElse(null),
                calls.getNumberOfBufferedCalls(), calls.getNumberOfFailedCalls(), upstreams.refusal(e).orElse(null),
                balances.latest(e.name()).orElse(null), balances.low(e));
    }
}
