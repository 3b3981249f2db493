package dev.tollgate.ledger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jboss.logging.Logger;

/**
 * The ledger's engine, plain Java so it can be started outside the app (a test kills such a process).
 *
 * <p>{@link #record} appends the row to the {@link Spool} (one {@code write}, no fsync) and, while there is
 * room, keeps it in a bounded in-memory queue too. One writer thread takes rows in spool order, from
 * memory when it holds the next ones, otherwise by reading the spool back (rows that did not fit in
 * memory, rows left by an earlier run), and inserts them in batches. A failed batch is retried, the same
 * rows in the same order, with exponential backoff, until it is committed; only then does the committed
 * position move and the spool let go of them. Rows the database refuses as data (never expected: the
 * entry validates what the table checks) are isolated by splitting the batch and set aside in the
 * spool's rejected file.
 */
final class LedgerWriter implements Closeable {

    private static final Logger LOG = Logger.getLogger(LedgerWriter.class);
    private static final long PARTITION_RETRY_NANOS = TimeUnit.MINUTES.toNanos(1);
    /** Each recording thread's line buffer, reused from row to row (the gateway records on its event loops). */
    private static final ThreadLocal<SpoolCodec.LineBuffer> LINES = ThreadLocal.withInitial(SpoolCodec.LineBuffer::new);

    private enum Source { UNSPOOLED, MEMORY, SPOOL }

    /** Rows taken together, retried together. */
    private static final class Batch {
        final Source source;
        List<LedgerEntry> rows;
        List<Spool.Corrupt> corrupt = List.of();
        /** Rows set aside as refused on a try of this batch that a transient failure then cut short. */
        final Set<LedgerEntry> refused = Collections.newSetFromMap(new IdentityHashMap<>());
        int setAside;
        Spool.Pos end;
        final Spool.Pos from;
        final Spool.Pos limit;
        final Spool.Layout layout;

        Batch(Source source, List<LedgerEntry> rows, Spool.Pos end) {
            this(source, rows, end, null, null, null);
        }

        Batch(Source source, List<LedgerEntry> rows, Spool.Pos end, Spool.Pos from, Spool.Pos limit,
                Spool.Layout layout) {
            this.source = source;
            this.rows = rows;
            this.end = end;
            this.from = from;
            this.limit = limit;
            this.layout = layout;
        }
    }

    private final LedgerStore store;
    private final LedgerSettings settings;
    private final Spool spool;
    private final ReentrantLock lock = new ReentrantLock();
    /** The writer thread waits here for rows. */
    private final Condition work = lock.newCondition();
    /** {@link #flush} and {@link #drain} wait here for commits. */
    private final Condition progress = lock.newCondition();
    /** Backoff waits here, so only stopping cuts it short. */
    private final Condition stop = lock.newCondition();
    private final Thread thread;

    // Guarded by lock.
    /** A contiguous run of spooled rows, oldest first. */
    private final ArrayDeque<Spool.Spooled> memory = new ArrayDeque<>();
    /** Rows the spool could not take (disk full, I/O error): kept in memory until committed. */
    private final ArrayDeque<LedgerEntry> unspooled = new ArrayDeque<>();
    /** A batch of such rows being written, so close() can log them if the write outlasts it. */
    private Batch unspooledInFlight;
    private Spool.Pos committed;
    private long unspooledAdded;
    private long unspooledDone;
    private int sinceBatch;
    private int flushWaiters;
    private long nextDue;
    private boolean closing;
    private boolean stopping;
    private boolean finished;
    private boolean closed;
    private volatile boolean spoolHealthy = true;

    /** Months whose partition this run has made sure of; writer thread only. */
    private final Set<YearMonth> months = new HashSet<>();
    /** When to try again to create a month's partition that a long read kept locked (writer thread only). */
    private final Map<YearMonth, Long> partitionRetryAt = new HashMap<>();

    private final MeterRegistry registry;
    private final List<Meter> meters = new ArrayList<>();
    private final AtomicLong backlog = new AtomicLong();
    private final AtomicInteger memoryDepth = new AtomicInteger();
    private final Counter recordedRows;
    private final Counter writtenRows;
    private final Counter duplicateRows;
    private final Counter rejectedRows;
    private final Counter writeFailures;
    private final Counter spoolFailures;
    private final Counter loggedRows;
    private final Timer batchWrites;

    private LedgerWriter(LedgerStore store, LedgerSettings settings, Spool spool, MeterRegistry registry) {
        this.store = store;
        this.settings = settings;
        this.spool = spool;
        this.registry = registry;
        this.committed = spool.start();
        backlog.set(spool.rowsFound());
        meters.add(Gauge.builder("tollgate.ledger.queue.depth", backlog, AtomicLong::get)
                .description("Ledger rows recorded (or found in the spool at startup) and not yet committed")
                .register(registry));
        meters.add(Gauge.builder("tollgate.ledger.queue.memory", memoryDepth, AtomicInteger::get)
                .description("Ledger rows queued in memory on their way to the database (spooled or not)")
                .register(registry));
        meters.add(Gauge.builder("tollgate.ledger.spool.size", spool, Spool::bytesOnDisk).baseUnit("bytes")
                .description("Size of the ledger spool files on disk").register(registry));
        recordedRows = counter("tollgate.ledger.rows.recorded", "Ledger rows recorded");
        writtenRows = counter("tollgate.ledger.rows.written", "Ledger rows inserted into the database");
        duplicateRows = counter("tollgate.ledger.rows.duplicate",
                "Ledger rows skipped because the database already had them (a replay or a repeated record)");
        rejectedRows = counter("tollgate.ledger.rows.rejected",
                "Ledger rows the database refused or the spool could not decode, set aside in the rejected file");
        writeFailures = counter("tollgate.ledger.write.failures", "Failed ledger batch writes (each is retried)");
        spoolFailures = counter("tollgate.ledger.spool.failures",
                "Ledger rows the spool could not take (kept in memory instead)");
        loggedRows = counter("tollgate.ledger.rows.logged", "Ledger rows neither spooled nor kept in memory (the"
                + " spool failing and the memory queue full), written whole to the log at ERROR instead");
        batchWrites = Timer.builder("tollgate.ledger.batch.writes").description("Committed ledger batches")
                .register(registry);
        meters.add(batchWrites);
        nextDue = System.nanoTime();
        thread = new Thread(this::run, "ledger-writer");
        thread.setDaemon(true);
    }

    /** Opens (and replays) the spool and starts the writer thread. */
    static LedgerWriter start(LedgerStore store, LedgerSettings settings, MeterRegistry registry) throws IOException {
        Spool spool = Spool.open(settings.spoolDirectory(), settings.segmentBytes(), settings.fsyncInterval());
        LedgerWriter w = new LedgerWriter(store, settings, spool, registry);
        if (spool.rowsFound() > 0) {
            LOG.infof("Replaying about %d ledger rows left in the spool %s by an earlier run", spool.rowsFound(),
                    spool.directory());
        }
        w.thread.start();
        return w;
    }

    private Counter counter(String name, String description) {
        Counter c = Counter.builder(name).description(description).register(registry);
        meters.add(c);
        return c;
    }

    /** Spools the row and queues it for the database. Never blocks on the database; never throws. */
    void record(LedgerEntry entry) {
        SpoolCodec.LineBuffer line = SpoolCodec.encode(entry, LINES.get());
        lock.lock();
        try {
            if (closed) {
                LOG.errorf("Usage ledger closed: row NOT recorded: %s", line.toString(StandardCharsets.UTF_8));
                return;
            }
            recordedRows.increment();
            backlog.incrementAndGet();
            Spool.Pos start;
            try {
                start = spool.append(line.view());
            } catch (IOException | RuntimeException e) {
                spoolFailures.increment();
                if (spoolHealthy) {
                    spoolHealthy = false;
                    LOG.errorf(e, "Could not append to the ledger spool in %s; rows are kept in memory until"
                            + " committed and are lost if the process dies first", spool.directory());
                }
                if (unspooled.size() >= settings.memoryQueue()) {
                    // nowhere left to keep it (the spool failing and the database not keeping up): the log is
                    // the last copy, whole, rather than memory until the process runs out of it
                    loggedRows.increment();
                    backlog.decrementAndGet();
                    LOG.errorf("Ledger row neither spooled nor kept (spool failing, memory queue full), recorded"
                            + " here instead: %s", line.toString(StandardCharsets.UTF_8));
                    return;
                }
                unspooled.add(entry);
                unspooledAdded++;
                memoryDepth.set(memory.size() + unspooled.size());
                work.signal();
                return;
            }
            if (!spoolHealthy) {
                spoolHealthy = true;
                LOG.infof("Appending to the ledger spool in %s works again", spool.directory());
            }
            Spool.Spooled last = memory.peekLast();
            if (memory.size() < settings.memoryQueue()
                    && (last == null || spool.normalize(last.end()).equals(start))) {
                memory.add(new Spool.Spooled(entry, start, new Spool.Pos(start.segment(), start.offset() + line.size())));
                memoryDepth.set(memory.size() + unspooled.size());
            }
            if (++sinceBatch >= settings.batchSize()) {
                work.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Waits until every row recorded so far (and every row found in the spool at start) is committed. */
    boolean flush(Duration timeout) throws InterruptedException {
        lock.lock();
        try {
            Spool.Pos target = spool.tail();
            long unspooledTarget = unspooledAdded;
            flushWaiters++;
            try {
                work.signal();
                long nanos = timeout.toNanos();
                while (spool.normalize(committed).compareTo(spool.normalize(target)) < 0
                        || unspooledDone < unspooledTarget) {
                    if (nanos <= 0 || finished) {
                        return false;
                    }
                    nanos = progress.awaitNanos(nanos);
                }
                return true;
            } finally {
                flushWaiters--;
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Graceful shutdown, first half: writes everything queued, without pacing, and stops the writer thread
     * once nothing is left. Returns false when the timeout passed first; the rest stays in the spool.
     */
    boolean drain(Duration timeout) throws InterruptedException {
        lock.lock();
        try {
            closing = true;
            work.signal();
            long nanos = timeout.toNanos();
            while (!finished && nanos > 0) {
                nanos = progress.awaitNanos(nanos);
            }
            return finished && !hasWork();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Second half: stops the writer thread (after the batch in flight, if it ends soon), forces the spool to
     * disk and closes it. Rows not committed stay in the spool for the next start.
     */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closing = true;
            stopping = true;
            work.signalAll();
            stop.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        lock.lock();
        try {
            closed = true;
            boolean allCommitted = !hasWork();
            long left = backlog.get();
            spool.close(allCommitted);
            if (!allCommitted) {
                LOG.warnf("%d ledger rows are not committed yet; they stay in the spool %s and are written at the"
                        + " next start", left, spool.directory());
            }
            for (LedgerEntry e : unspooled) {
                LOG.errorf("Ledger row neither spooled nor committed, recorded here instead: %s",
                        new String(SpoolCodec.encode(e), StandardCharsets.UTF_8));
            }
            if (unspooledInFlight != null) { // the writer is still waiting on the database with these
                for (LedgerEntry e : unspooledInFlight.rows) {
                    LOG.errorf("Ledger row not spooled, its write still unanswered at shutdown (it may yet commit;"
                            + " inserting it again is harmless), recorded here: %s",
                            new String(SpoolCodec.encode(e), StandardCharsets.UTF_8));
                }
            }
            progress.signalAll();
        } finally {
            lock.unlock();
        }
        meters.forEach(registry::remove);
    }

    Spool spool() {
        return spool;
    }

    long backlog() {
        return backlog.get();
    }

    int memoryDepth() {
        return memoryDepth.get();
    }

    // ------------------------------------------------------------------ writer thread

    private void run() {
        int failuresInRow = 0;
        Batch batch = null;
        try {
            while (true) {
                try {
                    if (batch == null) {
                        batch = next();
                        if (batch == null) {
                            return;
                        }
                    }
                    if (batch.rows == null) {
                        Spool.Read read = spool.read(batch.from, batch.limit, settings.batchSize(), batch.layout);
                        batch.rows = read.entries().stream().map(Spool.Spooled::entry).toList();
                        batch.corrupt = read.corrupt();
                        batch.end = read.next();
                    }
                    write(batch);
                    settle(batch);
                    batch = null;
                    if (failuresInRow > 0) {
                        LOG.infof("Ledger writes succeed again, after %d failed attempts", failuresInRow);
                    }
                    failuresInRow = 0;
                } catch (Exception | Error e) {
                    // an Error too (an OutOfMemoryError of a passing spike): ended, the writer would leave every row
                    // after it in the spool, written by nobody until a restart, while the gateway looked ready
                    failuresInRow++;
                    writeFailures.increment();
                    if (failuresInRow == 1 || failuresInRow % 20 == 0) {
                        LOG.warnf(e, "Could not write %d ledger rows (attempt %d); they wait and are retried",
                                batch == null || batch.rows == null ? 0 : batch.rows.size(), failuresInRow);
                    }
                    if (!backoff(failuresInRow)) {
                        return;
                    }
                }
            }
        } finally {
            lock.lock();
            try {
                if (batch != null && batch.source == Source.UNSPOOLED) {
                    // rows only memory holds: back in the queue, where close() writes them to the log, unless
                    // close() has run already and logged them as in flight
                    for (int i = batch.rows.size() - 1; i >= 0 && !closed; i--) {
                        if (!batch.refused.contains(batch.rows.get(i))) {
                            unspooled.addFirst(batch.rows.get(i));
                        }
                    }
                    unspooledInFlight = null;
                }
                finished = true;
                progress.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /** Waits for rows and takes the next batch, or returns null when the writer should end. */
    private Batch next() {
        lock.lock();
        try {
            while (true) {
                if (stopping) {
                    return null;
                }
                long interval = settings.flushInterval().toNanos();
                if (!hasWork()) {
                    if (closing) {
                        return null;
                    }
                    awaitWork(interval);
                    continue;
                }
                long now = System.nanoTime();
                boolean urgent = closing || flushWaiters > 0 || sinceBatch >= settings.batchSize();
                if (!urgent && now - nextDue < 0) {
                    awaitWork(nextDue - now);
                    continue;
                }
                nextDue = now + interval;
                sinceBatch = 0;
                return take();
            }
        } finally {
            lock.unlock();
        }
    }

    private void awaitWork(long nanos) {
        try {
            work.awaitNanos(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopping = true;
        }
    }

    private boolean hasWork() {
        return !unspooled.isEmpty() || spool.normalize(committed).compareTo(spool.tail()) < 0;
    }

    private Batch take() {
        int max = settings.batchSize();
        if (!unspooled.isEmpty()) {
            List<LedgerEntry> rows = new ArrayList<>();
            while (rows.size() < max && !unspooled.isEmpty()) {
                rows.add(unspooled.pollFirst());
                memoryDepth.set(memory.size() + unspooled.size());
            }
            unspooledInFlight = new Batch(Source.UNSPOOLED, rows, null);
            return unspooledInFlight;
        }
        Spool.Pos at = spool.normalize(committed);
        while (!memory.isEmpty() && memory.peekFirst().start().compareTo(at) < 0) {
            memory.pollFirst(); // cannot happen; never write a row twice in one run if it did
        }
        Spool.Spooled head = memory.peekFirst();
        if (head != null && head.start().equals(at)) {
            List<LedgerEntry> rows = new ArrayList<>();
            Spool.Pos end = null;
            while (rows.size() < max && !memory.isEmpty()) {
                Spool.Spooled s = memory.pollFirst();
                rows.add(s.entry());
                end = s.end();
            }
            memoryDepth.set(memory.size() + unspooled.size());
            return new Batch(Source.MEMORY, rows, end);
        }
        Spool.Pos limit = head != null ? head.start() : spool.tail();
        return new Batch(Source.SPOOL, null, null, at, limit, spool.layout());
    }

    private void write(Batch batch) throws SQLException, IOException {
        if (!batch.corrupt.isEmpty()) {
            for (Spool.Corrupt c : batch.corrupt) {
                setAside("An unreadable ledger spool line", c.raw(), "unreadable spool line: " + c.reason());
                batch.setAside++;
            }
            batch.corrupt = List.of();
        }
        if (!batch.refused.isEmpty()) { // set aside already: not twice
            List<LedgerEntry> rest = new ArrayList<>(batch.rows.size());
            for (LedgerEntry row : batch.rows) {
                if (!batch.refused.contains(row)) {
                    rest.add(row);
                }
            }
            batch.setAside += batch.rows.size() - rest.size();
            batch.rows = rest;
            batch.refused.clear();
        }
        if (batch.rows.isEmpty()) {
            return;
        }
        Timer.Sample sample = Timer.start(registry);
        ensurePartitions(batch.rows);
        insertOrSplit(batch, batch.rows);
        sample.stop(batchWrites);
    }

    private void ensurePartitions(List<LedgerEntry> rows) throws SQLException {
        for (LedgerEntry e : rows) {
            YearMonth month = YearMonth.from(e.receivedAt().atOffset(ZoneOffset.UTC));
            Long retryAt = partitionRetryAt.get(month);
            if (months.contains(month) || retryAt != null && System.nanoTime() - retryAt < 0) {
                continue;
            }
            try {
                store.ensurePartition(month.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC));
            } catch (SQLException ex) {
                boolean busy = LedgerStore.waitedTooLong(ex);
                if (!busy && !LedgerStore.refusesRows(ex)
                        && (ex.getSQLState() == null || !ex.getSQLState().startsWith("42"))) {
                    throw ex; // most likely the database is unreachable: the insert would fail too
                }
                LOG.warnf(ex, "Could not create the usage_ledger partition for %s; its rows go to the default"
                        + " partition until the periodic check moves them", month);
                if (busy) { // the table is locked by a long read: try again later, not at every batch
                    partitionRetryAt.put(month, System.nanoTime() + PARTITION_RETRY_NANOS);
                    continue;
                }
            }
            months.add(month);
        }
    }

    private void insertOrSplit(Batch batch, List<LedgerEntry> rows) throws SQLException, IOException {
        try {
            int inserted = store.insert(rows);
            writtenRows.increment(inserted);
            duplicateRows.increment(rows.size() - inserted);
        } catch (SQLException e) {
            if (!LedgerStore.refusesRows(e)) {
                throw e;
            }
            if (rows.size() > 1) {
                int half = rows.size() / 2;
                insertOrSplit(batch, rows.subList(0, half));
                insertOrSplit(batch, rows.subList(half, rows.size()));
                return;
            }
            LedgerEntry row = rows.get(0);
            setAside("Ledger row (" + row.requestId() + ", attempt " + row.attempt() + ")", SpoolCodec.encode(row),
                    "refused by the database: " + e.getSQLState() + " " + e.getMessage());
            batch.refused.add(row);
        }
    }

    /**
     * Sets a row aside in the rejected file, or, when that file cannot be written either, in the log: a row
     * that cannot be inserted must not hold up every row behind it.
     */
    private void setAside(String what, byte[] line, String reason) {
        rejectedRows.increment();
        try {
            spool.quarantine(line, reason);
            LOG.errorf("%s set aside in %s: %s", what, spool.directory().resolve(Spool.REJECTED), reason);
        } catch (IOException | RuntimeException e) {
            LOG.errorf("%s set aside (%s), but the rejected file cannot be written (%s); the row: %s", what, reason,
                    e, new String(line, StandardCharsets.UTF_8));
        }
    }

    /**
     * Whether the spool takes rows: false while rows are kept in memory only (disk full, I/O errors). Asked
     * while false, it tries the spool again itself: an instance taken out of rotation for it gets no calls
     * whose rows could show that the disk has room again.
     */
    boolean spoolWritable() {
        if (!lock.tryLock()) { // recording holds it for microseconds; a probe never makes a call wait
            return spoolHealthy;
        }
        try {
            if (!spoolHealthy && !closed && spool.recover()) {
                spoolHealthy = true;
                LOG.infof("The ledger spool in %s takes rows again", spool.directory());
            }
            return spoolHealthy;
        } finally {
            lock.unlock();
        }
    }

    private void settle(Batch batch) {
        Spool.Pos upTo = null;
        NavigableMap<Long, Long> released = null;
        lock.lock();
        try {
            if (batch.source == Source.UNSPOOLED) {
                unspooledDone += batch.rows.size() + batch.setAside;
                unspooledInFlight = null;
            } else {
                upTo = spool.normalize(batch.end);
                committed = upTo;
                released = spool.release(upTo);
            }
            backlog.addAndGet(-batch.rows.size() - batch.setAside);
            if (backlog.get() < 0) {
                backlog.set(0); // the count of rows found at startup is an estimate
            }
            progress.signalAll();
        } finally {
            lock.unlock();
        }
        if (upTo != null) {
            spool.forget(upTo, released);
        }
    }

    /** Waits before the next attempt: 1, 2, 4, ... times the initial wait, at most the maximum, ±20%. */
    private boolean backoff(int failuresInRow) {
        long initial = settings.retryInitial().toNanos();
        long max = settings.retryMax().toNanos();
        long wait = failuresInRow > 30 ? max : Math.min(max, initial << Math.min(failuresInRow - 1, 30));
        wait = (long) (wait * (0.8 + 0.4 * ThreadLocalRandom.current().nextDouble()));
        lock.lock();
        try {
            while (!stopping && wait > 0) {
                wait = stop.awaitNanos(wait);
            }
            return !stopping;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            lock.unlock();
        }
    }
}
