package dev.tollgate.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.security.Caller;
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
        AuditEntry e = new AuditEntry();
        e.at = Instant.now();
        e.actor = caller.name();
        e.actorIp = caller.ip();
        e.action = action;
        e.entityType = entityType;
        e.entityId = entityId;
        e.tenantId = tenantId;
        e.before = toJson(before);
        e.after = toJson(after);
        e.persist();
    }

    /** Newest first: {@code max} entries starting at position {@code first}. */
    /** Up to {@code max} entries from the {@code first} (from 0), newest first; none past the end. */
    public List<AuditEntry> latest(long first, int max) {
        if (first + max > Integer.MAX_VALUE) {
            return List.of(); // far past any audit log there is, and past what a query's row offset takes
        }
        return AuditEntry.<AuditEntry>findAll(Sort.descending("at", "id")).range((int) first, (int) first + max - 1)
                .list();
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
