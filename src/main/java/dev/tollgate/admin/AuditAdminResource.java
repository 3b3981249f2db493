package dev.tollgate.admin;

import com.fasterxml.jackson.annotation.JsonRawValue;
import dev.tollgate.audit.AuditEntry;
import dev.tollgate.audit.AuditFilter;
import dev.tollgate.audit.AuditLog;
import dev.tollgate.platform.Inputs;
import dev.tollgate.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api/admin/audit")
@Tag(name = "Audit log")
@RolesAllowed(Roles.PLATFORM_ADMIN)
public class AuditAdminResource {

    public record AuditView(long id, Instant at, String actor, String actorIp, String action, String tenant,
            String entityType, String entityId, @JsonRawValue String before, @JsonRawValue String after) {
    }

    @Inject
    AuditLog audit;

    @GET
    @Operation(summary = "Admin changes, newest first", description = "All of them, or one object's history"
            + " (entityType and entityId, e.g. price_entry and 11), or the actions starting with action (price.).")
    public List<AuditView> list(@QueryParam("page") String page, @QueryParam("size") String size,
            @Parameter(description = "tenant, api_key, user, price_entry, model_alias or alias_override")
            @QueryParam("entityType") String entityType,
            @Parameter(description = "the object's id, as entries show it") @QueryParam("entityId") String entityId,
            @Parameter(description = "actions starting with this, e.g. price. or tenant.suspend") @QueryParam("action")
            String action) {
        int pageSize = Math.min(Math.max(1, Inputs.wholeNumber("size", size, 100)), 500);
        List<AuditEntry> entries = audit.latest(new AuditFilter(entityType, entityId, action),
                (long) Math.max(0, Inputs.wholeNumber("page", page, 0)) * pageSize, pageSize);
        return entries.stream().map(e -> new AuditView(e.id, e.at, e.actor, e.actorIp, e.action, e.tenantSlug, e.entityType,
                e.entityId, e.before, e.after)).toList();
    }
}
