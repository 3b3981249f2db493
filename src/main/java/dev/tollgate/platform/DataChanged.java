package dev.tollgate.platform;

/**
 * Rows that instances hold in memory changed in the database, possibly through another instance: fired by
 * {@link DataChangeFeed} so each cache can drop what it holds. {@code row} is the changed row's key (a key's
 * public id, a tenant's id), or null when the whole table is to be read again.
 */
public record DataChanged(String table, String row) {

    /** What the feed fires when it (re)connects: changes made while it was not listening are unknown. */
    public static final DataChanged EVERYTHING = new DataChanged("*", null);

    /** Whether a cache of {@code t} must act on this change. */
    public boolean concerns(String t) {
        return this == EVERYTHING || table.equals(t);
    }

    /** Parses a notification payload: {@code table} or {@code table:row}. */
    static DataChanged parse(String payload) {
        int colon = payload.indexOf(':');
        return colon < 0 ? new DataChanged(payload, null)
                : new DataChanged(payload.substring(0, colon), payload.substring(colon + 1));
    }
}
