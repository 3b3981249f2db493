package dev.tollgate.admin;

import com.fasterxml.jackson.annotation.JsonRawValue;
import dev.tollgate.audit.AuditEntry;
import dev.tollgate.audit.AuditLog;
import dev.tollgate.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.DefaultValue;
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

    public record AuditView(long id, Instant at, String actor, String actorIp, String action, String entityType,
            String entityId, @JsonRawValue String before, @JsonRawValue String after) {
    }

    @Inject
    AuditLog audit;

    @GET
    public List<AuditView> list(@QueryParam("page") @DefaultValue("0") int page,
            @QueryParam("size") @DefaultValue("100") int size) {
        int pageSize = Math.min(Math.max(1, size), 500);
        List<AuditEntry> entries = audit.latest((long) Math.max(0, page) * pageSize, pageSize);
        return entries.stream().map(e -> new AuditView(e.id, e.at, e.actor, e.actorIp, e.action, e.entityType,
                e.entityId, e.before, e.after)).toList();
    }
}
