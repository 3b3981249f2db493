package dev.tollgate.gateway;

import dev.tollgate.upstream.UpstreamEndpoint;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** Settle and record: prices each upstream attempt and hands it to the usage ledger. */
@ApplicationScoped
public class CallRecorder {

    @Inject
    MeterRegistry metrics;

    void attempt(ChatCall call, UpstreamEndpoint endpoint, int status, String errorType, String finishReason,
            Usage usage) {
        metrics.counter("tollgate_gateway_attempts", "model", String.valueOf(call.servedModel),
                "status", String.valueOf(status)).increment();
    }
}
