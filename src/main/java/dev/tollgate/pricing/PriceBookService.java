package dev.tollgate.pricing;

import dev.tollgate.audit.AuditLog;
import dev.tollgate.platform.Inputs;
import dev.tollgate.platform.InvalidInputException;
import dev.tollgate.platform.TollgateConfig;
import dev.tollgate.platform.TransactionLock;
import dev.tollgate.security.Caller;
import dev.tollgate.security.Roles;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The price book's admin side: list, create, supersede, close and delete entries, and quotes.
 *
 * <p>The rule: an entry that applied at some past instant priced real calls, so what it says about the
 * past never changes. Changes start in the future, at least {@code tollgate.pricing.min-lead-time}
 * ahead so every instance has reloaded before they apply. The database enforces the same rule (without
 * the lead time) with triggers, and refuses overlapping entries.
 */
@ApplicationScoped
public class PriceBookService {

    /**
     * A superseded entry, now ending at the new entry's start, and its successor. When the successor is
     * temporary (it ends before the superseded entry would have), {@code resumed} carries the old rate on from
     * the successor's end to the old end; else it is null.
     */
    public record Supersession(PriceEntryView closed, PriceEntryView created, PriceEntryView resumed) {
    }

    @Inject
    Caller caller;
    @Inject
    Inputs inputs;
    @Inject
    AuditLog audit;
    @Inject
    EntityManager em;
    @Inject
    TollgateConfig config;
    @Inject
    CostCalculator calculator;
    @Inject
    Event<PriceBookChanged> changed;

    /** All entries, or one model's, ordered by model, token class, window and start. */
    public List<PriceEntryView> list(String model) {
        Sort order = Sort.ascending("model", "tokenClass", "windowStart", "validFrom", "id");
        if (model != null && model.indexOf('\0') >= 0) {
            return List.of(); // no model id holds a NUL; PostgreSQL refuses to look for one
        }
        List<PriceEntry> entries = model == null || model.isBlank() ? PriceEntry.listAll(order)
                : PriceEntry.list("model", order, model.trim());
        Instant now = Instant.now();
        return entries.stream().map(e -> PriceEntryView.of(e, now)).toList();
    }

    public Optional<PriceEntryView> find(long id) {
        return PriceEntry.<PriceEntry>findByIdOptional(id).map(PriceEntryView::of);
    }

    @Transactional
    public PriceEntryView create(PriceEntryInput input) {
        requireEditor();
        lockBook();
        PriceEntryInput in = inputs.check(input);
        String model = in.model().trim();
        Map<String, String> errors = new LinkedHashMap<>();
        TimeWindow window = window(in.windowStart(), in.windowEnd(), errors);
        if (in.validUntil() != null && !in.validUntil().isAfter(in.validFrom())) {
            errors.put("validUntil", "must be after validFrom");
        }
        if (!modelExists(model)) {
            errors.put("model", "unknown model '" + model + "'; known: " + String.join(", ", knownModels()));
        }
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        requireFuture("validFrom", in.validFrom());
        PriceEntry e = new PriceEntry();
        e.model = model;
        e.tokenClass = in.tokenClass();
        e.usdPerMillionTokens = in.usdPerMillionTokens();
        e.validFrom = in.validFrom();
        e.validUntil = in.validUntil();
        e.windowStart = window == null ? null : window.start();
        e.windowEnd = window == null ? null : window.end();
        e.note = in.note().trim();
        insert(e, "validFrom");
        PriceEntryView view = PriceEntryView.of(e);
        audit.record("price.create", "price_entry", String.valueOf(e.id), null, null, view);
        changed.fire(new PriceBookChanged(e.id));
        return view;
    }

    /**
     * Ends entry {@code id} at {@code from} and starts a successor with the same model, token class and
     * window at the new rate. A successor given an end before the old entry's (a promotion) is followed by the
     * old rate again: a price book with a gap would leave calls in it unpriced, and the past can never be
     * repaired. Empty when there is no such entry.
     */
    @Transactional
    public Optional<Supersession> supersede(long id, SupersedeInput input) {
        requireEditor();
        lockBook();
        SupersedeInput in = inputs.check(input);
        return PriceEntry.<PriceEntry>findByIdOptional(id, LockModeType.PESSIMISTIC_WRITE).map(old -> {
            Instant from = in.from();
            Instant oldEnd = old.validUntil;
            Instant until = in.validUntil() != null ? in.validUntil() : oldEnd;
            if (in.validUntil() != null && !in.validUntil().isAfter(from)) {
                throw InvalidInputException.of("validUntil", "must be after from");
            }
            requireWithin(old, "from", from);
            PriceEntryView before = PriceEntryView.of(old);
            old.validUntil = from;
            PriceEntry.flush();
            PriceEntry next = new PriceEntry();
            next.model = old.model;
            next.tokenClass = old.tokenClass;
            next.usdPerMillionTokens = in.usdPerMillionTokens();
            next.validFrom = from;
            next.validUntil = until;
            next.windowStart = old.windowStart;
            next.windowEnd = old.windowEnd;
            next.note = in.note().trim();
            next.supersedesEntryId = old.id;
            insert(next, "validUntil"); // it starts inside the entry it supersedes: only its end can overlap
            PriceEntry resumed = null;
            if (until != null && (oldEnd == null || until.isBefore(oldEnd))) {
                resumed = new PriceEntry();
                resumed.model = old.model;
                resumed.tokenClass = old.tokenClass;
                resumed.usdPerMillionTokens = old.usdPerMillionTokens;
                resumed.validFrom = until;
                resumed.validUntil = oldEnd;
                resumed.windowStart = old.windowStart;
                resumed.windowEnd = old.windowEnd;
                resumed.note = "The rate of entry " + old.id + " again, after entry " + next.id + " ends.";
                // deleting it then lets the temporary rate run on, rather than leave its calls unpriced
                resumed.supersedesEntryId = next.id;
                insert(resumed, "validUntil");
            }
            // A successor already scheduled at the old end now takes over from whichever entry ends there, so that
            // deleting it later extends that one, not the old entry that no longer reaches it.
            PriceEntry endsAtOldEnd = resumed != null ? resumed : next;
            if (oldEnd != null && oldEnd.equals(endsAtOldEnd.validUntil)) {
                PriceEntry.update("supersedesEntryId = ?1 where supersedesEntryId = ?2 and validFrom = ?3",
                        endsAtOldEnd.id, old.id, oldEnd);
            }
            Supersession result = new Supersession(PriceEntryView.of(old), PriceEntryView.of(next),
                    resumed == null ? null : PriceEntryView.of(resumed));
            audit.record("price.supersede", "price_entry", String.valueOf(old.id), null, before, result);
            // each entry's own history starts with its creation, whether made alone or by a supersede
            audit.record("price.create", "price_entry", String.valueOf(next.id), null, null, result.created());
            if (resumed != null) {
                audit.record("price.create", "price_entry", String.valueOf(resumed.id), null, null, result.resumed());
            }
            changed.fire(new PriceBookChanged(next.id));
            return result;
        });
    }

    /** Refuses, as {@link #close} would, an end that entry {@code id} cannot take; changes nothing. */
    public Optional<PriceEntryView> checkClose(long id, CloseInput input) {
        requireEditor();
        CloseInput in = inputs.check(input);
        return PriceEntry.<PriceEntry>findByIdOptional(id).map(e -> {
            requireWithin(e, "at", in.at());
            return PriceEntryView.of(e);
        });
    }

    /** Ends entry {@code id} at a future instant without a successor. */
    @Transactional
    public Optional<PriceEntryView> close(long id, CloseInput input) {
        requireEditor();
        lockBook();
        CloseInput in = inputs.check(input);
        return PriceEntry.<PriceEntry>findByIdOptional(id, LockModeType.PESSIMISTIC_WRITE).map(e -> {
            requireWithin(e, "at", in.at());
            PriceEntryView before = PriceEntryView.of(e);
            e.validUntil = in.at();
            PriceEntry.flush();
            PriceEntryView after = PriceEntryView.of(e);
            audit.record("price.close", "price_entry", String.valueOf(e.id), null, before, after);
            changed.fire(new PriceBookChanged(e.id));
            return after;
        });
    }

    /**
     * A deleted entry, and the entry it had superseded, now extended over its span; {@code extended} is null when
     * it superseded none.
     */
    public record Deletion(PriceEntryView deleted, PriceEntryView extended) {
    }

    /**
     * Deletes a scheduled entry (a mistake caught before it applies). When it came from a supersede, the entry
     * it superseded takes its span back, so that undoing a change never leaves calls unpriced; the right rate can
     * then be set by superseding that entry again. An entry made on its own is just deleted, which restores what
     * was there before it (a deliberate gap included). Empty when there is no such entry.
     */
    @Transactional
    public Optional<Deletion> delete(long id) {
        requireEditor();
        lockBook();
        return PriceEntry.<PriceEntry>findByIdOptional(id, LockModeType.PESSIMISTIC_WRITE).map(e -> {
            if (e.validFrom.isBefore(earliestChange())) {
                throw new PriceConflictException("id", "entry " + e.id + " " + (e.validFrom.isAfter(Instant.now())
                        ? "starts within the lead time of " + leadTimeInWords() + " and can no longer be deleted"
                        : "has been in force since " + e.validFrom
                                + "; it can be superseded or closed from a future instant, never deleted"));
            }
            PriceEntryView before = PriceEntryView.of(e);
            PriceEntry previous = e.supersedesEntryId == null ? null
                    : PriceEntry.<PriceEntry>findByIdOptional(e.supersedesEntryId, LockModeType.PESSIMISTIC_WRITE)
                            .filter(p -> e.validFrom.equals(p.validUntil)).orElse(null);
            if (previous != null && e.validUntil != null) {
                // The successor scheduled where the deleted entry ends now takes over from the extended one, so that
                // deleting it too extends that entry again rather than leave its span unpriced.
                PriceEntry.update("supersedesEntryId = ?1 where supersedesEntryId = ?2 and validFrom = ?3",
                        previous.id, e.id, e.validUntil);
            }
            e.delete();
            PriceEntry.flush();
            audit.record("price.delete", "price_entry", String.valueOf(id), null, before, null);
            PriceEntryView extended = null;
            if (previous != null) {
                PriceEntryView was = PriceEntryView.of(previous);
                previous.validUntil = e.validUntil;
                PriceEntry.flush();
                extended = PriceEntryView.of(previous);
                audit.record("price.extend", "price_entry", String.valueOf(previous.id), null, was, extended);
            }
            changed.fire(new PriceBookChanged(id));
            return new Deletion(before, extended);
        });
    }

    /** What a call would cost, from the same in-memory book the gateway uses. */
    public QuoteView quote(QuoteInput in) {
        CallCost cost;
        try {
            cost = calculator.cost(in.model(), in.at(), in.tokens());
        } catch (PriceUnavailableException e) {
            throw switch (e.reason()) {
                case UNKNOWN_MODEL -> InvalidInputException.of("model",
                        "unknown model '" + in.model() + "'; known: " + String.join(", ", knownModels()));
                case NO_PRICE_IN_FORCE -> InvalidInputException.of("at",
                        "no " + e.tokenClass() + " price for " + e.model() + " is in force at " + e.at());
            };
        }
        Map<Long, PriceEntryView> entries = PriceEntry.<PriceEntry>list("id in ?1", cost.priceEntryIds()).stream()
                .collect(Collectors.toMap(e -> e.id, PriceEntryView::of));
        return QuoteView.of(cost, cost.priceEntryIds().stream().distinct().map(entries::get).toList());
    }

    // ---------------------------------------------------------------- rules

    /**
     * {@code at} may become the end of entry {@code e}: after its start, and the part of the entry's
     * validity that changes lies entirely at or after the earliest allowed change.
     */
    private void requireWithin(PriceEntry e, String field, Instant at) {
        if (e.validUntil != null && e.validUntil.isBefore(earliestChange())) {
            throw new PriceConflictException(field, "entry " + e.id + " " + (e.validUntil.isAfter(Instant.now())
                    ? "ends within the lead time of " + leadTimeInWords() + " (at " + e.validUntil
                            + ") and can no longer change"
                    : "ended at " + e.validUntil + "; the past never changes"));
        }
        // a past instant is refused as past first: that it also precedes the entry's start is beside the point
        requireFuture(field, at);
        if (!at.isAfter(e.validFrom)) {
            throw new PriceConflictException(field, "must be after the start of entry " + e.id + " (" + e.validFrom
                    + "); to replace an entry that has not started yet, delete it and create a new one");
        }
        if (e.validUntil != null && !at.isBefore(e.validUntil)) {
            throw new PriceConflictException(field, "must be before the end of entry " + e.id + " (" + e.validUntil
                    + "); after that, create a new entry");
        }
    }

    private void requireFuture(String field, Instant at) {
        if (at.isBefore(earliestChange())) {
            throw new PriceConflictException(field, "must be at least " + leadTimeInWords() + " in the future (now "
                    + Instant.now().truncatedTo(ChronoUnit.SECONDS) + "): prices that were in force on past requests "
                    + "can never be changed, only superseded from a future instant");
        }
    }

    /**
     * Inserts after checking overlaps here, for a clear message on {@code field}, the input that caused it; the
     * database checks again under a lock.
     */
    private void insert(PriceEntry e, String field) {
        TimeWindow window = e.window();
        List<PriceEntry> siblings = PriceEntry.list("model = ?1 and tokenClass = ?2", e.model, e.tokenClass);
        for (PriceEntry other : siblings) {
            boolean sameKind = window == null ? other.window() == null
                    : other.window() != null && other.window().overlaps(window);
            if (sameKind && other.validityOverlaps(e.validFrom, e.validUntil)) {
                throw new PriceConflictException(field, "overlaps entry " + other.id + " (" + other.model + " "
                        + other.tokenClass + (other.window() == null ? "" : " " + other.window()) + ", "
                        + other.validFrom + " to " + (other.validUntil == null ? "open end" : other.validUntil)
                        + "); supersede that entry instead");
            }
        }
        e.createdAt = Instant.now();
        e.createdBy = caller.name();
        e.persistAndFlush();
    }

    private static TimeWindow window(LocalTime start, LocalTime end, Map<String, String> errors) {
        if (start == null && end == null) {
            return null;
        }
        if (start == null || end == null) {
            errors.put(start == null ? "windowStart" : "windowEnd", "give both ends of the window, or neither");
            return null;
        }
        if (start.getNano() != 0 || end.getNano() != 0) {
            errors.put(start.getNano() != 0 ? "windowStart" : "windowEnd", "must be whole seconds");
            return null;
        }
        if (start.equals(end)) {
            errors.put("windowEnd", "must differ from windowStart (an entry for the whole day has no window)");
            return null;
        }
        return new TimeWindow(start, end);
    }

    /** The earliest instant a price change may take effect: now plus the configured lead time. */
    public Instant earliestChange() {
        return Instant.now().plus(leadTime());
    }

    private Duration leadTime() {
        return config.pricing().minLeadTime();
    }

    /**
     * The lead time a price change needs, as "5 minutes" or "1 hour 30 minutes": messages are read by people, not by
     * Duration.parse (PT5M).
     */
    public String leadTimeInWords() {
        Duration d = leadTime();
        List<String> parts = new ArrayList<>();
        addUnit(parts, d.toDays(), "day");
        addUnit(parts, d.toHoursPart(), "hour");
        addUnit(parts, d.toMinutesPart(), "minute");
        addUnit(parts, d.toSecondsPart(), "second");
        return parts.isEmpty() ? "0 seconds" : String.join(" ", parts);
    }

    private static void addUnit(List<String> parts, long count, String unit) {
        if (count > 0) {
            parts.add(count + " " + unit + (count == 1 ? "" : "s"));
        }
    }

    private boolean modelExists(String model) {
        return ((Number) em.createNativeQuery("select count(*) from model where id = ?1").setParameter(1, model)
                .getSingleResult()).longValue() > 0;
    }

    /** Every model in the catalog, served or not yet: a model is priced before it is enabled. */
    @SuppressWarnings("unchecked")
    public List<String> knownModels() {
        return em.createNativeQuery("select id from model order by sort_order, id").getResultList();
    }

    private void requireEditor() {
        caller.requireAny(Roles.PLATFORM_ADMIN, Roles.FINANCE);
    }

    /**
     * Price book changes take turns: each locks several entries (the one changed, the one it extends, the one
     * after it), and two changes to neighbouring entries at once would lock them in opposite orders and deadlock.
     * They are rare admin actions, so one at a time costs nothing. Held to the end of the transaction.
     */
    private void lockBook() {
        TransactionLock.hold("price_book");
    }
}
