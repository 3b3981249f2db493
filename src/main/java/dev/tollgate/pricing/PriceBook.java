package dev.tollgate.pricing;

import dev.tollgate.platform.BackgroundReload;
import dev.tollgate.platform.DataChanged;
import dev.tollgate.platform.DatabaseUnreachable;
import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.context.ManagedExecutor;
import org.jboss.logging.Logger;

/**
 * The whole price book in memory, so pricing a call is a map lookup and a binary search, never a query.
 * Re-read after every change committed through this instance or announced by the database's change feed, and
 * periodically (in case the feed was down); a failed reload keeps the previous book. Changes must start at
 * least the configured lead time ahead, so every instance holds them before they apply. A book older than that may lack a change
 * that already applies, so its age is a metric and each failed reload logs it.
 */
@ApplicationScoped
public class PriceBook {

    private static final Logger LOG = Logger.getLogger(PriceBook.class);

    private static final String ENTRIES = """
            select id, model, token_class, usd_per_million_tokens, valid_from, valid_until, window_start, window_end
            from price_entry order by model, token_class, valid_from, id""";

    /** A price as held in memory: what pricing a call needs, no more. */
    record Rate(long entryId, TokenClass tokenClass, BigDecimal usdPerMillionTokens, Instant validFrom,
            Instant validUntil, TimeWindow window) {

        boolean validAt(Instant at) {
            return !at.isBefore(validFrom) && (validUntil == null || at.isBefore(validUntil));
        }
    }

    /** The rates of one model and token class: plain ones sorted and non-overlapping, windowed ones apart. */
    record Series(Instant[] plainFrom, Rate[] plain, Rate[] windowed) {

        Rate at(Instant at) {
            for (Rate w : windowed) {
                if (w.validAt(at) && w.window().contains(at)) {
                    return w;
                }
            }
            int lo = 0;
            int hi = plainFrom.length - 1;
            int found = -1;
            while (lo <= hi) { // the last entry starting at or before the instant
                int mid = (lo + hi) >>> 1;
                if (plainFrom[mid].isAfter(at)) {
                    hi = mid - 1;
                } else {
                    found = mid;
                    lo = mid + 1;
                }
            }
            return found >= 0 && plain[found].validAt(at) ? plain[found] : null;
        }
    }

    /** One immutable version of the price book. */
    record Snapshot(Set<String> models, Map<String, Map<TokenClass, Series>> rates, Instant loadedAt) {

        boolean knowsModel(String model) {
            return models.contains(model);
        }

        /** The rate in force for this model and token class at this instant, or null. */
        Rate rate(String model, TokenClass tokenClass, Instant at) {
            Map<TokenClass, Series> byClass = rates.get(model);
            Series series = byClass == null ? null : byClass.get(tokenClass);
            return series == null ? null : series.at(at);
        }
    }

    @Inject
    AgroalDataSource dataSource;
    @Inject
    MeterRegistry registry;
    @Inject
    ManagedExecutor executor;
    private BackgroundReload feedReload;

    @PostConstruct
    void init() {
        feedReload = new BackgroundReload(this::refresh, executor);
    }

    private volatile Snapshot current;

    Snapshot snapshot() {
        Snapshot s = current;
        return s != null ? s : reload();
    }

    /** Reads the book from the database and makes it current. Serialized, so an older read never wins. */
    synchronized Snapshot reload() {
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
            Set<String> models = new HashSet<>();
            try (ResultSet rs = st.executeQuery("select id from model")) {
                while (rs.next()) {
                    models.add(rs.getString(1));
                }
            }
            Map<String, Map<TokenClass, List<Rate>>> loaded = new HashMap<>();
            try (ResultSet rs = st.executeQuery(ENTRIES)) {
                while (rs.next()) {
                    TokenClass tc = TokenClass.fromWireName(rs.getString(3)).orElseThrow();
                    Rate r = new Rate(rs.getLong(1), tc, Money.canonical(rs.getBigDecimal(4)),
                            instant(rs.getObject(5, OffsetDateTime.class)),
                            instant(rs.getObject(6, OffsetDateTime.class)),
                            TimeWindow.ofNullable(rs.getObject(7, LocalTime.class), rs.getObject(8, LocalTime.class)));
                    loaded.computeIfAbsent(rs.getString(2), m -> new EnumMap<>(TokenClass.class))
                            .computeIfAbsent(tc, k -> new ArrayList<>()).add(r);
                }
            }
            Map<String, Map<TokenClass, Series>> rates = new HashMap<>();
            loaded.forEach((model, byClass) -> {
                Map<TokenClass, Series> series = new EnumMap<>(TokenClass.class);
                byClass.forEach((tc, list) -> series.put(tc, series(list)));
                rates.put(model, Collections.unmodifiableMap(series));
            });
            Snapshot s = new Snapshot(Set.copyOf(models), Map.copyOf(rates), Instant.now());
            current = s;
            return s;
        } catch (SQLException e) {
            throw new IllegalStateException("Could not load the price book", e);
        }
    }

    /** Seconds since the book in use was read from the database; NaN before the first read. */
    double ageSeconds() {
        Snapshot s = current;
        return s == null ? Double.NaN : Duration.between(s.loadedAt(), Instant.now()).toMillis() / 1000.0;
    }

    void onStart(@Observes StartupEvent event) {
        Gauge.builder("tollgate.pricing.book.age", this, PriceBook::ageSeconds).baseUnit("seconds")
                .description("Seconds since the price book in use was read; past tollgate.pricing.min-lead-time"
                        + " a price change may already apply without this instance knowing it")
                .register(registry);
        try {
            reload();
        } catch (RuntimeException e) {
            LOG.warn("Price book not loaded at startup; it will be loaded on first use", e);
        }
    }

    void onChange(@Observes(during = TransactionPhase.AFTER_SUCCESS) PriceBookChanged event) {
        refresh();
    }

    /** Price entries changed in the database, perhaps through another instance. */
    void onDataChanged(@Observes DataChanged change) {
        if (change.concerns("price_entry")) {
            feedReload.ask();
        }
    }

    @Scheduled(every = "${tollgate.pricing.reload-every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void refresh() {
        try {
            reload();
        } catch (RuntimeException e) {
            DatabaseUnreachable.warn(LOG, current == null ? "Could not load the price book" : String.format(
                    "Could not reload the price book; the version read %.0f s ago stays in use", ageSeconds()), e);
        }
    }

    private static Series series(List<Rate> rates) {
        List<Rate> plain = rates.stream().filter(r -> r.window() == null).toList();
        return new Series(plain.stream().map(Rate::validFrom).toArray(Instant[]::new), plain.toArray(Rate[]::new),
                rates.stream().filter(r -> r.window() != null).toArray(Rate[]::new));
    }

    private static Instant instant(OffsetDateTime t) {
        return t == null ? null : t.toInstant();
    }
}
