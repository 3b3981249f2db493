package dev.tollgate.admin;

import com.fasterxml.jackson.annotation.JsonRawValue;
import dev.tollgate.audit.AuditEntry;
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
    public List<AuditView> list(@QueryParam("page") String page, @QueryParam("size") String size) {
        int pageSize = Math.min(Math.max(1, Inputs.wholeNumber("size", size, 100)), 500);
        List<AuditEntry> entries = audit.latest((long) Math.max(0, Inputs.wholeNumber("page", page, 0)) * pageSize,
                pageSize);
        return entries.stream().map(e -> new AuditView(e.id, e.at, e.actor, e.actorIp, e.action, e.tenantSlug, e.entityType,
                e.entityId, e.before, e.after)).toList();
    }
}
