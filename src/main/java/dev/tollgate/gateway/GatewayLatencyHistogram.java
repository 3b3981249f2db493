package dev.tollgate.gateway;

import dev.tollgate.platform.RefusedBeforeRoutingShareOneUri;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Arrays;

/**
 * Histogram buckets on the gateway's routes in Quarkus' {@code http_server_requests_seconds}: a summary's count, sum
 * and max cannot give the p99 a tenant sees, nor add up across replicas. The upstream timers' buckets, since a
 * gateway call lasts as long as its answer. The admin API and the console keep the summary alone: their many routes
 * would multiply the series for latencies nobody sets an objective on.
 */
@Singleton
public class GatewayLatencyHistogram implements MeterFilter {

    private static final double[] BUCKETS_NANOS = Arrays.stream(CallRecorder.LATENCY_BUCKETS)
            .mapToDouble(Duration::toNanos).toArray();

    @Override
    public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
        if ("http.server.requests".equals(id.getName())
                && RefusedBeforeRoutingShareOneUri.GATEWAY_ROUTES.contains(id.getTag("uri"))) {
            return DistributionStatisticConfig.builder().serviceLevelObjectives(BUCKETS_NANOS).build().merge(config);
        }
        return config;
    }
}
