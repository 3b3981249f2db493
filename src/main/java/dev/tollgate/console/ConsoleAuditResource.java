package dev.tollgate.console;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.audit.AuditEntry;
import dev.tollgate.audit.AuditFilter;
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

/** The audit log, newest first, whole or filtered to one object or kind of action. Platform admins only. */
@Path("/console/audit")
@Produces(MediaType.TEXT_HTML)
@RolesAllowed(Roles.PLATFORM_ADMIN)
public class ConsoleAuditResource {

    static final int PAGE_SIZE = 100;
    /** What the admin API and the console record changes of. */
    static final List<String> ENTITY_TYPES = List.of("tenant", "api_key", "user", "price_entry", "model_alias",
            "alias_override");

    @CheckedTemplate(basePath = "audit")
    static class Templates {
        static native TemplateInstance list(List<AuditRow> rows, AuditFilter filter, List<String> entityTypes,
                String filterQuery, int page, boolean hasNext);
    }

    @Inject
    AuditLog audit;
    @Inject
    ObjectMapper json;

    @GET
    public TemplateInstance list(@QueryParam("page") String page, @QueryParam("entityType") String entityType,
            @QueryParam("entityId") String entityId, @QueryParam("action") String action) {
        AuditFilter filter = new AuditFilter(entityType, entityId, action);
        int p = Paging.page(page);
        List<AuditEntry> entries = audit.latest(filter, (long) p * PAGE_SIZE, PAGE_SIZE + 1);
        if (entries.isEmpty() && p > 0) { // past the end: the last page
            p = Paging.last(audit.count(filter), PAGE_SIZE);
            entries = audit.latest(filter, (long) p * PAGE_SIZE, PAGE_SIZE + 1);
        }
        boolean hasNext = entries.size() > PAGE_SIZE;
        List<AuditRow> rows = (hasNext ? entries.subList(0, PAGE_SIZE) : entries).stream()
                .map(e -> AuditRow.of(e, json)).toList();
        return Templates.list(rows, filter, ENTITY_TYPES, filterQuery(filter), p, hasNext);
    }

    /** The filter as query parameters for the pager's links, each starting with {@code &}. */
    private static String filterQuery(AuditFilter f) {
        StringBuilder q = new StringBuilder();
        if (f.entityType() != null) {
            q.append("&entityType=").append(ConsoleExtensions.urlEncode(f.entityType()));
        }
        if (f.entityId() != null) {
            q.append("&entityId=").append(ConsoleExtensions.urlEncode(f.entityId()));
        }
        if (f.action() != null) {
            q.append("&action=").append(ConsoleExtensions.urlEncode(f.action()));
        }
        return q.toString();
    }
}
