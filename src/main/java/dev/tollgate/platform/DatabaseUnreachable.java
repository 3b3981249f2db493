package dev.tollgate.platform;

import java.sql.SQLException;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * PostgreSQL not answering (restarting, say): an operational state that the health page's database check reports,
 * not a defect. Its failures are logged in one line each; a stack trace would only repeat the driver's internals
 * every few seconds for as long as the outage lasts.
 */
public final class DatabaseUnreachable {

    private DatabaseUnreachable() {
    }

    /**
     * No connection to PostgreSQL could be had or kept: refused or broken (SQLSTATE class 08), the server shutting
     * down or starting up (57P01 to 57P03), or the pool waiting out its acquisition timeout for one.
     *
     * @return the SQLException that says so, wherever Hibernate or the pool wrapped it, or null
     */
    public static SQLException in(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String state = t instanceof SQLException sql ? String.valueOf(sql.getSQLState()) : "";
            boolean unreachable = state.startsWith("08") || state.startsWith("57P");
            if (t instanceof SQLException sql && (unreachable || sql.getCause() instanceof TimeoutException)) {
                return sql;
            }
        }
        return null;
    }

    /** A background step that failed: one line while the database is unreachable, the stack trace otherwise. */
    public static void warn(Logger log, String message, Throwable e) {
        SQLException unreachable = in(e);
        if (unreachable != null) {
            log.warnf("%s: the database is unreachable (%s)", message, unreachable.getMessage());
        } else {
            log.warn(message, e);
        }
    }
}
