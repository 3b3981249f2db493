package dev.tollgate.console;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.audit.AuditEntry;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * An audit entry as the console lists it: what an edit changed, field by field, so that the one change that matters
 * is not buried in two whole records. Creations, deletions and changes whose records differ in kind (a supersede's
 * three entries) have no such list; their full records are shown.
 */
public record AuditRow(AuditEntry entry, List<Change> changes) {

    public record Change(String field, String before, String after) {
    }

    /** Fields every save moves, which say nothing about what the admin changed. */
    private static final Set<String> BOOKKEEPING = Set.of("updatedAt", "version");

    static AuditRow of(AuditEntry e, ObjectMapper json) {
        JsonNode before = read(e.before, json);
        JsonNode after = read(e.after, json);
        if (before == null || after == null || !before.isObject() || !after.isObject()) {
            return new AuditRow(e, List.of());
        }
        Set<String> fields = new LinkedHashSet<>();
        before.fieldNames().forEachRemaining(fields::add);
        Set<String> shared = new LinkedHashSet<>();
        for (Iterator<String> it = after.fieldNames(); it.hasNext();) {
            String f = it.next();
            if (!fields.add(f)) {
                shared.add(f);
            }
        }
        if (shared.isEmpty()) {
            return new AuditRow(e, List.of());
        }
        List<Change> changes = new ArrayList<>();
        for (String f : fields) {
            if (!BOOKKEEPING.contains(f) && !Objects.equals(before.get(f), after.get(f))) {
                changes.add(new Change(f, text(before.get(f)), text(after.get(f))));
            }
        }
        return new AuditRow(e, changes);
    }

    private static JsonNode read(String value, ObjectMapper json) {
        try {
            return value == null ? null : json.readTree(value);
        } catch (JsonProcessingException e) {
            return null; // shown as recorded
        }
    }

    private static String text(JsonNode n) {
        return n == null || n.isNull() ? "—" : n.isValueNode() ? n.asText() : n.toString();
    }
}
