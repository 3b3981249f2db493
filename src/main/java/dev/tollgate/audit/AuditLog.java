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
    public List<AuditEntry> latest(int first, int max) {
        return AuditEntry.<AuditEntry>findAll(Sort.descending("at", "id")).range(first, first + max - 1).list();
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
