package dev.tollgate.upstream;

import dev.tollgate.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The upstream endpoints' state and account balances, for dashboards and scripts. Read-only: set in configuration. */
@Path("/api/admin/upstreams")
@Tag(name = "Upstreams", description = "The servers calls go to: in service or taken out, and their account balance")
@RolesAllowed({Roles.PLATFORM_ADMIN, Roles.FINANCE})
public class UpstreamAdminResource {

    @Inject
    Upstreams upstreams;
    @Inject
    BalanceMonitor balances;

    @GET
    @Operation(summary = "List upstream endpoints", description = "Best first: by priority, then name;"
            + " `balance` is the last answer to DeepSeek's GET /user/balance, null until first asked.")
    public List<UpstreamStatus> list() {
        return UpstreamStatus.all(upstreams, balances);
    }

    @POST
    @Path("balance-check")
    @Operation(summary = "Ask every endpoint for its balance now", description = "Answers the endpoints as `GET`"
            + " does, once every endpoint has answered or timed out.")
    public List<UpstreamStatus> checkBalances() {
        balances.checkAllNow();
        return UpstreamStatus.all(upstreams, balances);
    }
}
