package dev.tollgate.ledger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Not ready while the spool cannot take rows: calls would then be recorded in memory only, and lost if the
 * process died before the database had them. A load balancer sends the traffic to replicas that can spool.
 * The database being away is no reason: the spool holds its rows.
 */
@Readiness
@ApplicationScoped
public class LedgerReadiness implements HealthCheck {

    @Inject
    UsageLedger ledger;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("usage-ledger-spool").status(ledger.spoolWritable()).build();
    }
}
