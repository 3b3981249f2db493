package dev.tollgate.console;

import dev.tollgate.audit.AuditEntry;
import dev.tollgate.audit.AuditLog;
import dev.tollgate.security.Roles;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/** The audit log, newest first. Platform admins only. */
@Path("/console/audit")
@Produces(MediaType.TEXT_HTML)
@RolesAllowed(Roles.PLATFORM_ADMIN)
public class ConsoleAuditResource {

    static final int PAGE_SIZE = 100;

    @CheckedTemplate(basePath = "audit")
    static class Templates {
        static native TemplateInstance list(List<AuditEntry> entries, int page, boolean hasNext);
    }

    @Inject
    AuditLog audit;

    @GET
    public TemplateInstance list(@QueryParam("page") String page) {
        int p = Paging.page(page);
        List<AuditEntry> entries = audit.latest((long) p * PAGE_SIZE, PAGE_SIZE + 1);
        if (entries.isEmpty() && p > 0) { // past the end: the last page
            p = Paging.last(AuditEntry.count(), PAGE_SIZE);
            entries = audit.latest((long) p * PAGE_SIZE, PAGE_SIZE + 1);
        }
        boolean hasNext = entries.size() > PAGE_SIZE;
        return Templates.list(hasNext ? entries.subList(0, PAGE_SIZE) : entries, p, hasNext);
    }
}
