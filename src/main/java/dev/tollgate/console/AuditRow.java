package dev.tollgate.console;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.apikey.ApiKeyView;
import dev.tollgate.audit.AuditEntry;
import dev.tollgate.catalog.AliasView;
import dev.tollgate.catalog.TenantAliasView;
import dev.tollgate.pricing.PriceEntryView;
import dev.tollgate.security.UserView;
import dev.tollgate.tenant.TenantView;
import java.lang.reflect.RecordComponent;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * An audit entry as the console lists it, so that the one change that matters is not buried in whole records: what
 * an edit changed, field by field; what a creation set and what a deletion removed. A change whose record after is of
 * another kind (a supersede: the entry closed, the one created, any resumed) is compared with the part that is the
 * same object, and names the others.
 */
public record AuditRow(AuditEntry entry, List<Change> changes, String before, String after) {

    /** A field's value before and after; {@code before} is null for a creation, {@code after} for a deletion. */
    public record Change(String field, String before, String after) {
    }

    /** Fields every save moves, which say nothing about what the admin changed. */
    private static final Set<String> BOOKKEEPING = Set.of("updatedAt", "version");
    /** Fields a creation's row already shows (its object, who and when), or that follow from the others. */
    private static final Set<String> SHOWN = Set.of("id", "createdAt", "createdBy", "updatedAt", "version", "state");
    /**
     * The record each object's entries hold, whose fields give the order to list them in: the database (JSONB)
     * keeps keys sorted by length, which puts a price's note before its model.
     */
    private static final Map<String, Class<? extends Record>> RECORDS = Map.of("tenant", TenantView.class,
            "api_key", ApiKeyView.class, "user", UserView.class, "price_entry", PriceEntryView.class,
            "model_alias", AliasView.class, "alias_override", TenantAliasView.class);

    static AuditRow of(AuditEntry e, ObjectMapper json) {
        List<String> order = fieldOrder(e.entityType);
        JsonNode before = ordered(read(e.before, json), order, json);
        JsonNode after = ordered(read(e.after, json), order, json);
        return new AuditRow(e, changes(e, before, after), pretty(e.before, before, json), pretty(e.after, after, json));
    }

    private static List<String> fieldOrder(String entityType) {
        Class<? extends Record> type = RECORDS.get(entityType);
        return type == null ? List.of()
                : Arrays.stream(type.getRecordComponents()).map(RecordComponent::getName).toList();
    }

    /** The object's fields in the record's order, any others after them; nested objects keep theirs. */
    private static JsonNode ordered(JsonNode node, List<String> order, ObjectMapper json) {
        if (node == null || !node.isObject() || order.isEmpty()) {
            return node;
        }
        ObjectNode sorted = json.createObjectNode();
        for (String f : order) {
            if (node.has(f)) {
                sorted.set(f, orderedPart(node.get(f), order, json));
            }
        }
        node.fields().forEachRemaining(f -> {
            if (!sorted.has(f.getKey())) {
                sorted.set(f.getKey(), orderedPart(f.getValue(), order, json));
            }
        });
        return sorted;
    }

    /** A supersede's parts (closed, created, resumed) are records of the same kind: ordered alike. */
    private static JsonNode orderedPart(JsonNode value, List<String> order, ObjectMapper json) {
        return value.isObject() && value.has("id") ? ordered(value, order, json) : value;
    }

    private static List<Change> changes(AuditEntry e, JsonNode before, JsonNode after) {
        boolean beforeObject = before != null && before.isObject();
        boolean afterObject = after != null && after.isObject();
        if (beforeObject && afterObject) {
            return sameKind(before, after) ? diff(before, after) : partsOf(before, after);
        }
        if (beforeObject && e.after == null || afterObject && e.before == null) {
            return values(e.before == null ? after : before, e.before == null);
        }
        return List.of();
    }

    /** A record a field to a line, which reads and wraps better than one long line of JSON. */
    private static String pretty(String recorded, JsonNode record, ObjectMapper json) {
        try {
            return record == null ? recorded : json.writerWithDefaultPrettyPrinter().writeValueAsString(record);
        } catch (JsonProcessingException e) {
            return recorded;
        }
    }

    private static boolean sameKind(JsonNode before, JsonNode after) {
        for (Iterator<String> it = after.fieldNames(); it.hasNext();) {
            if (before.has(it.next())) {
                return true;
            }
        }
        return false;
    }

    private static List<Change> diff(JsonNode before, JsonNode after) {
        Set<String> fields = new LinkedHashSet<>();
        before.fieldNames().forEachRemaining(fields::add);
        after.fieldNames().forEachRemaining(fields::add);
        List<Change> changes = new ArrayList<>();
        for (String f : fields) {
            if (!BOOKKEEPING.contains(f) && !Objects.equals(before.get(f), after.get(f))) {
                changes.add(new Change(f, text(before.get(f)), text(after.get(f))));
            }
        }
        return changes;
    }

    /** The part of {@code after} that is the object before (the same id), compared; the other parts, named. */
    private static List<Change> partsOf(JsonNode before, JsonNode after) {
        JsonNode id = before.get("id");
        List<Change> changes = new ArrayList<>();
        List<Change> others = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = after.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> part = it.next();
            JsonNode partId = part.getValue().get("id");
            if (id != null && id.equals(partId)) {
                changes.addAll(diff(before, part.getValue()));
            } else if (partId != null) {
                others.add(new Change(part.getKey(), null, "#" + text(partId)));
            }
        }
        changes.addAll(others);
        return changes;
    }

    /** What a creation set (the values after) or a deletion removed (before); empty values say nothing. */
    private static List<Change> values(JsonNode record, boolean created) {
        List<Change> changes = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = record.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> f = it.next();
            JsonNode v = f.getValue();
            if (!SHOWN.contains(f.getKey()) && !v.isNull() && !(v.isContainerNode() && v.isEmpty())) {
                changes.add(created ? new Change(f.getKey(), null, text(v)) : new Change(f.getKey(), text(v), null));
            }
        }
        return changes;
    }

    private static JsonNode read(String value, ObjectMapper json) {
        try {
            return value == null ? null : json.readTree(value);
        } catch (JsonProcessingException e) {
            return null; // shown as recorded
        }
    }

    /** A value as the console writes it: an instant as "2026-12-10 00:00 UTC", free text exactly as recorded. */
    private static String text(JsonNode n) {
        if (n == null || n.isNull()) {
            return "—";
        }
        if (n.isTextual()) {
            try {
                return ConsoleExtensions.fmt(Instant.parse(n.asText()));
            } catch (DateTimeParseException e) {
                return n.asText();
            }
        }
        return n.isValueNode() ? n.asText() : n.toString();
    }
}
