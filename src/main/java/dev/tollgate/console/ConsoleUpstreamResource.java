package dev.tollgate.console;

import dev.tollgate.platform.TollgateConfig;
import dev.tollgate.security.Roles;
import dev.tollgate.upstream.BalanceMonitor;
import dev.tollgate.upstream.UpstreamBalance;
import dev.tollgate.upstream.UpstreamStatus;
import dev.tollgate.upstream.Upstreams;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;

/**
 * The upstream endpoints as configured, whether each is in service, and its account balance. Read-only: endpoints
 * and their keys come from configuration. Platform admins and finance (who pay the upstream's bill).
 */
@Path("/console/upstreams")
@Produces(MediaType.TEXT_HTML)
@RolesAllowed({Roles.PLATFORM_ADMIN, Roles.FINANCE})
public class ConsoleUpstreamResource {

    @CheckedTemplate(basePath = "upstreams")
    static class Templates {
        static native TemplateInstance list(List<UpstreamStatus> upstreams, boolean simulated, String checkEvery);
    }

    @Inject
    Upstreams upstreams;
    @Inject
    BalanceMonitor balances;
    @Inject
    TollgateConfig config;

    @GET
    public TemplateInstance list() {
        String every = config.upstream().balanceCheckEvery().strip();
        return Templates.list(UpstreamStatus.all(upstreams, balances), upstreams.simulated(),
                every.equalsIgnoreCase("off") || every.equalsIgnoreCase("disabled") ? "only when asked"
                        : "every " + every);
    }

    @POST
    @Path("balance-check")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response checkBalances() {
        balances.checkAllNow();
        List<String> unanswered = UpstreamStatus.all(upstreams, balances).stream()
                .filter(s -> s.balance() != null && (s.balance().state() == UpstreamBalance.State.FAILED
                        || s.balance().failedSince() != null))
                .map(UpstreamStatus::name).toList();
        List<String> exhausted = balances.exhausted();
        List<String> low = balances.runningLow().stream()
                .map(l -> l.endpoint() + " (" + l.total().toPlainString() + " " + l.currency() + " left)").toList();
        String message = "Balances checked."
                + (exhausted.isEmpty() ? "" : " Out of balance: " + String.join(", ", exhausted) + ".")
                + (low.isEmpty() ? "" : " Running low: " + String.join(", ", low) + ".")
                + (unanswered.isEmpty() ? "" : " No answer from: " + String.join(", ", unanswered) + ".");
        return exhausted.isEmpty() && low.isEmpty() && unanswered.isEmpty()
                ? Flash.redirect("/console/upstreams", message) : Flash.warn("/console/upstreams", message);
    }
}
