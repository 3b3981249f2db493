package dev.tollgate.platform;

import io.agroal.api.AgroalDataSource;
import io.agroal.api.configuration.AgroalConnectionFactoryConfiguration;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jboss.logging.Logger;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * Listens to the database's announcements of changed keys, tenants, aliases and prices (the triggers of
 * migration V008 and after) and fires {@link DataChanged} for each, so that a key revoked or a tenant
 * suspended through one instance is refused by all of them at once, not when each cache's lifetime ends.
 * <p>
 * One connection of its own, outside the pool: a pooled connection left listening would collect
 * announcements for whoever borrows it next. While the connection is down the caches' lifetimes still
 * bound how stale they get; on every (re)connect {@link DataChanged#EVERYTHING} is fired, since what
 * changed in between is unknown.
 */
@ApplicationScoped
public class DataChangeFeed {

    static final String CHANNEL = "tollgate_data_changes";

    private static final Logger LOG = Logger.getLogger(DataChangeFeed.class);
    /**
     * With no announcement for this long, the connection is checked: a vanished host sends no error, and the
     * check keeps the connection from looking idle to a proxy that closes idle ones.
     */
    private static final int QUIET_CHECK_MILLIS = 10_000;
    private static final int FIRST_RETRY_MILLIS = 1_000;
    private static final int LAST_RETRY_MILLIS = 30_000;
    /**
     * A connection that lasted less than this was not a recovery: the waits keep growing, so a connection
     * dropped soon after each start does not have every instance read everything again every second.
     */
    private static final long STEADY_NANOS = TimeUnit.MINUTES.toNanos(1);

    /** Opens the feed's connection. */
    interface Connector {
        Connection open() throws SQLException;
    }

    private final Connector connector;
    private final Consumer<DataChanged> listeners;
    private final MeterRegistry registry;
    private volatile boolean connected;
    private volatile boolean running;
    /** Ends the wait between connection attempts; no interrupt, which could cut short a cache's reload. */
    private final CountDownLatch stopping = new CountDownLatch(1);
    private volatile Connection current;
    private Thread thread;

    DataChangeFeed(Connector connector, Consumer<DataChanged> listeners, MeterRegistry registry) {
        this.connector = connector;
        this.listeners = listeners;
        this.registry = registry;
    }

    @Inject
    DataChangeFeed(AgroalDataSource dataSource, TollgateConfig config, Event<DataChanged> events,
            MeterRegistry registry) {
        this(() -> open(dataSource, config.changeFeed().jdbcUrl()), events::fire, registry);
    }

    void onStart(@Observes StartupEvent event, TollgateConfig config) {
        if (config.changeFeed().enabled()) {
            start();
        } else {
            LOG.info("Data change feed off: changes made through other instances reach this one as its caches expire");
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        stop();
    }

    synchronized void start() {
        // only with the feed on: where it is off on purpose, a 0 must not set off the alert on it
        Gauge.builder("tollgate.change.feed.connected", this, f -> f.connected ? 1 : 0)
                .description("1 while this instance hears of changes other instances make to keys, tenants, aliases"
                        + " and prices; 0 means they reach it only as its caches expire")
                .register(registry);
        running = true;
        thread = new Thread(this::run, "tollgate-data-change-feed");
        thread.setDaemon(true);
        thread.start();
    }

    synchronized void stop() {
        running = false;
        stopping.countDown();
        if (thread == null) {
            return;
        }
        closeQuietly(current); // a read blocked on the socket ends with it
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        thread = null;
    }

    private void run() {
        try {
            listenUntilStopped();
        } finally {
            connected = false;
        }
    }

    private void listenUntilStopped() {
        int retryMillis = FIRST_RETRY_MILLIS;
        boolean lost = false;
        while (running) {
            long connectedAt = System.nanoTime();
            try (Connection c = connector.open(); Statement s = c.createStatement()) {
                current = c;
                if (!running) { // stopped while connecting: stop() may have missed this connection
                    return;
                }
                s.execute("LISTEN " + CHANNEL);
                connected = true;
                if (lost) {
                    LOG.info("Data change feed back: changes made through other instances apply here at once again");
                }
                lost = false;
                connectedAt = System.nanoTime();
                deliver(DataChanged.EVERYTHING);
                listen(c);
            } catch (SQLException | RuntimeException e) {
                boolean steady = connected && System.nanoTime() - connectedAt >= STEADY_NANOS;
                connected = false;
                current = null;
                if (!running) {
                    return;
                }
                if (!lost) {
                    LOG.warnf("Data change feed lost (%s): changes made through other instances reach this one only"
                            + " as its caches expire, until it is back", withoutCredentials(e.getMessage()));
                }
                lost = true;
                if (steady) {
                    retryMillis = FIRST_RETRY_MILLIS;
                }
                try {
                    if (stopping.await(retryMillis, TimeUnit.MILLISECONDS)) {
                        return;
                    }
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
                retryMillis = Math.min(retryMillis * 2, LAST_RETRY_MILLIS);
            }
        }
    }

    private void listen(Connection c) throws SQLException {
        PGConnection pg = c.unwrap(PGConnection.class);
        while (running) {
            PGNotification[] notifications = pg.getNotifications(QUIET_CHECK_MILLIS);
            if (notifications == null || notifications.length == 0) {
                if (running && !c.isValid(5)) {
                    throw new SQLException("the connection no longer answers");
                }
                continue;
            }
            // A burst (a script changing many rows) often names one table many times: one reload each.
            Set<DataChanged> changes = new LinkedHashSet<>();
            for (PGNotification n : notifications) {
                changes.add(DataChanged.parse(n.getParameter()));
            }
            changes.forEach(this::deliver);
        }
    }

    private void deliver(DataChanged change) {
        try {
            listeners.accept(change);
        } catch (RuntimeException e) { // the feed goes on to the next change (each cache's observer must not throw)
            LOG.warnf(e, "A cache could not take in the change %s", change);
        }
    }

    /**
     * Connects as the pool does: its URL (unless the feed has its own), JDBC properties (TLS settings, say) and
     * credentials, put into properties by the pool's own security providers (a credentials provider's too).
     */
    private static Connection open(AgroalDataSource dataSource, Optional<String> url) throws SQLException {
        AgroalConnectionFactoryConfiguration pool = dataSource.getConfiguration().connectionPoolConfiguration()
                .connectionFactoryConfiguration();
        Properties p = new Properties();
        p.putAll(pool.jdbcProperties());
        List<Object> security = new ArrayList<>(pool.credentials());
        if (pool.principal() != null) {
            security.add(0, pool.principal());
        }
        for (Object o : security) {
            pool.securityProviders().stream().map(provider -> provider.getSecurityProperties(o))
                    .filter(Objects::nonNull).findFirst().ifPresent(p::putAll);
        }
        p.setProperty("ApplicationName", "tollgate-data-change-feed");
        return DriverManager.getConnection(url.orElse(pool.jdbcUrl()), p);
    }

    /** A driver's message may quote the URL it was given, and a URL may carry a password. */
    static String withoutCredentials(String message) {
        return message == null ? null
                : message.replaceAll("//[^/@\\s]*@", "//…@").replaceAll("(?i)(password=)[^&;\\s]*", "$1…");
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // closing to end a blocked read; nothing else to do
            }
        }
    }
}
