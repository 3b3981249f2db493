package dev.tollgate.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.security.Caller;
import io.quarkus.hibernate.orm.panache.PanacheQuery;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.List;

/** Writes the audit trail in the same transaction as the change it describes. */
@ApplicationScoped
public class AuditLog {

    @Inject
    Caller caller;
    @Inject
    ObjectMapper json;

    /** Records a change; before and after are API views (never entities, never secrets). */
    @Transactional(Transactional.TxType.MANDATORY)
    public void record(String action, String entityType, String entityId, Long tenantId, Object before, Object after) {
        write(caller.name(), caller.ip(), action, entityType, entityId, tenantId, before, after);
    }

    /** Records a change Tollgate made itself, outside any request (at startup, say), as {@code system}. */
    @Transactional(Transactional.TxType.MANDATORY)
    public void recordBySystem(String action, String entityType, String entityId, Object after) {
        write("system", null, action, entityType, entityId, null, null, after);
    }

    private void write(String actor, String ip, String action, String entityType, String entityId, Long tenantId,
            Object before, Object after) {
        AuditEntry e = new AuditEntry();
        e.at = Instant.now();
        e.actor = actor;
        e.actorIp = ip;
        e.action = action;
        e.entityType = entityType;
        e.entityId = entityId;
        e.tenantId = tenantId;
        e.before = toJson(before);
        e.after = toJson(after);
        e.persist();
    }

    /** Up to {@code max} entries from the {@code first} (from 0), newest first; none past the end. */
    public List<AuditEntry> latest(long first, int max) {
        return latest(AuditFilter.ALL, first, max);
    }

    /** {@link #latest(long, int)} of the entries the filter matches. */
    public List<AuditEntry> latest(AuditFilter filter, long first, int max) {
        if (first + max > Integer.MAX_VALUE) {
            return List.of(); // far past any audit log there is, and past what a query's row offset takes
        }
        Sort newestFirst = Sort.descending("at", "id");
        PanacheQuery<AuditEntry> query = filter.isAll() ? AuditEntry.findAll(newestFirst)
                : AuditEntry.find(filter.query(), newestFirst, filter.parameters());
        return query.range((int) first, (int) first + max - 1).list();
    }

    /** How many entries the filter matches. */
    public long count(AuditFilter filter) {
        return filter.isAll() ? AuditEntry.count() : AuditEntry.count(filter.query(), filter.parameters());
    }

    private String toJson(Object o) {
        if (o == null) {
            return null;
        }
        try {
            return json.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Audit snapshot not serializable: " + o.getClass(), e);
        }
    }
}
