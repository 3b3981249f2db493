package dev.tollgate.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.jboss.logmanager.ExtLogRecord;

/** Collects what one class logs, formatted, until closed: for tests of what an operator reads in the log. */
public final class LogCapture extends Handler implements AutoCloseable {

    private final Logger logger;
    private final List<String> messages = new CopyOnWriteArrayList<>();
    private final List<String> withStackTraces = new CopyOnWriteArrayList<>();

    private LogCapture(String category) {
        logger = Logger.getLogger(category);
        logger.addHandler(this);
    }

    public static LogCapture of(Class<?> source) {
        return new LogCapture(source.getName());
    }

    /** A category whose class the test cannot name (a framework's package-private one). */
    public static LogCapture of(String category) {
        return new LogCapture(category);
    }

    /** The messages so far, each prefixed with its level: {@code "WARN Upstream endpoint ..."}. */
    public List<String> messages() {
        return List.copyOf(messages);
    }

    /** Those of the messages that came with a stack trace. */
    public List<String> withStackTraces() {
        return List.copyOf(withStackTraces);
    }

    @Override
    public void publish(LogRecord r) {
        // JBoss records know their own format (printf for logf, {0} for logv)
        String message = r instanceof ExtLogRecord e ? e.getFormattedMessage()
                : r.getParameters() == null ? r.getMessage() : String.format(r.getMessage(), r.getParameters());
        messages.add(level(r.getLevel()) + " " + message);
        if (r.getThrown() != null) {
            withStackTraces.add(level(r.getLevel()) + " " + message);
        }
    }

    private static String level(Level level) {
        return level.intValue() >= Level.SEVERE.intValue() ? "ERROR"
                : level.intValue() >= Level.WARNING.intValue() ? "WARN"
                : level.intValue() >= Level.INFO.intValue() ? "INFO" : "DEBUG";
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
