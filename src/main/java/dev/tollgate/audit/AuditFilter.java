package dev.tollgate.audit;

import io.quarkus.panache.common.Parameters;
import java.util.ArrayList;
import java.util.List;

/**
 * Which audit entries to list: one object's history ({@code entityType} and {@code entityId}), and actions starting
 * with {@code action} ({@code price.} for every price book change). Blank parts match everything.
 */
public record AuditFilter(String entityType, String entityId, String action) {

    public static final AuditFilter ALL = new AuditFilter(null, null, null);

    public AuditFilter {
        entityType = blankToNull(entityType);
        entityId = blankToNull(entityId);
        action = blankToNull(action);
    }

    public boolean isAll() {
        return entityType == null && entityId == null && action == null;
    }

    /** The Panache query and its parameters; null when it matches everything. */
    String query() {
        List<String> terms = new ArrayList<>();
        if (entityType != null) {
            terms.add("entityType = :entityType");
        }
        if (entityId != null) {
            terms.add("entityId = :entityId");
        }
        if (action != null) {
            terms.add("action like :action escape '\\'");
        }
        return terms.isEmpty() ? null : String.join(" and ", terms);
    }

    Parameters parameters() {
        Parameters p = new Parameters();
        if (entityType != null) {
            p.and("entityType", entityType);
        }
        if (entityId != null) {
            p.and("entityId", entityId);
        }
        if (action != null) {
            p.and("action", action.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%");
        }
        return p;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
