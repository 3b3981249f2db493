package dev.tollgate.platform;

import io.agroal.api.AgroalDataSource;
import io.smallrye.health.api.Wellness;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;

/**
 * Whether PostgreSQL answers, for the operator reading /q/health. A wellness check, not Quarkus' own readiness one:
 * while the database is away the gateway still serves, its ledger rows waiting in the spool (ledger.LedgerReadiness),
 * and a readiness probe down on every replica at once would take the whole gateway out of its load balancer.
 */
@Wellness
@ApplicationScoped
public class DatabaseHealth implements HealthCheck {

    private static final int ANSWER_WITHIN_SECONDS = 2;

    @Inject
    AgroalDataSource dataSource;

    @Override
    public HealthCheckResponse call() {
        try (Connection connection = dataSource.getConnection()) {
            return HealthCheckResponse.named("database").status(connection.isValid(ANSWER_WITHIN_SECONDS)).build();
        } catch (SQLException e) {
            return HealthCheckResponse.named("database").down().withData("error", e.getMessage()).build();
        }
    }
}
