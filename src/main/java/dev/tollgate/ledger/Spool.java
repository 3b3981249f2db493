package dev.tollgate.ledger;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.jboss.logging.Logger;

/**
 * The local journal of ledger rows not yet committed to PostgreSQL: numbered segment files
 * {@code ledger-<19 digits>.spool}, each a header line and then one {@link SpoolCodec} line per row.
 * Rows are appended to the active segment with one positional {@code write} each, so a row is in the
 * operating system's hands when {@link #append} returns and survives the process being killed; the
 * active segment is forced to disk every fsync interval. Past the segment size a new segment is started;
 * a segment is deleted once all its rows are committed. The {@code checkpoint} file says how far rows are
 * committed, so a restart replays only what follows it (a stale checkpoint only means more rows are
 * replayed, which the database's idempotent insert absorbs). A {@code lock} file keeps a second process
 * out of the directory.
 *
 * <p>Not thread-safe: {@link LedgerWriter} calls {@link #append}, {@link #layout}, {@link #normalize},
 * {@link #tail}, {@link #release}, {@link #recover} and {@link #close} under its lock; {@link #read}, {@link #forget} and
 * {@link #quarantine} from its writer thread only. The fsync thread only forces channels.
 */
final class Spool implements Closeable {

    private static final Logger LOG = Logger.getLogger(Spool.class);

    static final byte[] HEADER = "#tollgate usage ledger spool v1\n".getBytes(StandardCharsets.US_ASCII);
    static final long DATA_START = HEADER.length;
    static final String CHECKPOINT = "checkpoint";
    static final String REJECTED = "rejected.spool-lines";
    private static final String LOCK = "lock";
    private static final Pattern SEGMENT = Pattern.compile("ledger-(\\d{19})\\.spool");
    private static final int CHECKPOINT_MAX = 128;
    private static final int READ_CHUNK = 256 * 1024;

    /** A byte position in the spool: segment number and offset in that segment. */
    record Pos(long segment, long offset) implements Comparable<Pos> {
        @Override
        public int compareTo(Pos o) {
            int c = Long.compare(segment, o.segment);
            return c != 0 ? c : Long.compare(offset, o.offset);
        }
    }

    /** A spooled row and where its line starts and ends. */
    record Spooled(LedgerEntry entry, Pos start, Pos end) {
    }

    /** A line that could not be decoded, kept aside rather than dropped. */
    record Corrupt(byte[] raw, String reason) {
    }

    /** What one {@link #read} found, and the position after the last line it consumed. */
    record Read(List<Spooled> entries, List<Corrupt> corrupt, Pos next) {
    }

    /**
     * A snapshot of the segments: closed ones (immutable, with their sizes) and the active one up to the
     * size it had, which is always the end of a whole line.
     */
    record Layout(NavigableMap<Long, Long> closed, long active, long activeSize) {

        Pos tail() {
            return new Pos(active, activeSize);
        }

        /** The same position, moved past segment ends and headers to where the next line starts. */
        Pos normalize(Pos p) {
            long segment = p.segment();
            long offset = Math.max(p.offset(), DATA_START);
            while (segment != active) {
                Long size = closed.get(segment);
                if (size != null && offset < size) {
                    return new Pos(segment, offset);
                }
                Long next = closed.higherKey(segment);
                segment = next != null && next < active ? next : active;
                offset = DATA_START;
            }
            return new Pos(segment, offset);
        }
    }

    private final Path dir;
    private final long segmentBytes;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final FileChannel checkpoint;
    private final TreeMap<Long, Long> closed = new TreeMap<>();
    private final ConcurrentLinkedQueue<FileChannel> retired = new ConcurrentLinkedQueue<>();
    private final AtomicLong bytes = new AtomicLong();
    private final ScheduledExecutorService syncer;
    private final Pos start;
    private final long rowsFound;
    private long active;
    private volatile FileChannel activeChannel;
    private long activeSize;
    private volatile boolean dirty;
    private volatile boolean dirDirty;
    private volatile boolean isClosed;
    private boolean failed;
    private long readerSegment = -1;
    private FileChannel reader;
    private FileChannel rejected;
    private byte[] chunk = new byte[READ_CHUNK];

    private Spool(Path dir, long segmentBytes, Duration fsyncInterval) throws IOException {
        this.dir = dir;
        this.segmentBytes = segmentBytes;
        Files.createDirectories(dir);
        lockChannel = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock l;
        try {
            l = lockChannel.tryLock();
        } catch (OverlappingFileLockException e) {
            l = null;
        }
        if (l == null) {
            lockChannel.close();
            throw new IOException("The ledger spool " + dir + " is in use by another Tollgate process;"
                    + " each instance needs its own spool directory");
        }
        lock = l;
        try {
            scan();
            checkpoint = FileChannel.open(dir.resolve(CHECKPOINT), StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            Pos saved = readCheckpoint();
            // Never reuse a segment number: a stale checkpoint must not describe a new segment.
            active = Math.max(closed.isEmpty() ? 0 : closed.lastKey(), saved == null ? 0 : saved.segment()) + 1;
            openActive();
            start = startPosition(saved);
            rowsFound = countRows(start);
        } catch (IOException | RuntimeException e) {
            releaseLock();
            throw e;
        }
        syncer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ledger-spool-fsync");
            t.setDaemon(true);
            return t;
        });
        long every = fsyncInterval.toNanos();
        syncer.scheduleWithFixedDelay(this::sync, every, every, TimeUnit.NANOSECONDS);
    }

    static Spool open(Path dir, long segmentBytes, Duration fsyncInterval) throws IOException {
        return new Spool(dir.toAbsolutePath().normalize(), segmentBytes, fsyncInterval);
    }

    Path directory() {
        return dir;
    }

    /** Where the rows not yet committed start: after the checkpoint when it is trustworthy. */
    Pos start() {
        return start;
    }

    /** Rows found in segments left by an earlier run, from {@link #start()} on (before any is read). */
    long rowsFound() {
        return rowsFound;
    }

    long bytesOnDisk() {
        return bytes.get();
    }

    Layout layout() {
        return new Layout(Collections.unmodifiableNavigableMap(new TreeMap<>(closed)), active, activeSize);
    }

    Pos tail() {
        return new Pos(active, activeSize);
    }

    Pos normalize(Pos p) {
        return new Layout(closed, active, activeSize).normalize(p);
    }

    /**
     * Appends one encoded line with a single positional write and returns where it starts. On failure
     * nothing is counted as written and the next append starts a new segment; whatever part of the line
     * reached the old one lies past its recorded end and is never read in this run (after a crash it reads
     * as a torn line and is set aside).
     */
    Pos append(byte[] line) throws IOException {
        return append(ByteBuffer.wrap(line));
    }

    /** Appends the buffer's remaining bytes, one whole line. */
    Pos append(ByteBuffer buf) throws IOException {
        if (isClosed) {
            throw new ClosedChannelException();
        }
        if (failed) {
            rotate(); // a fresh file: the old one may stay broken, the disk may have room again
            failed = false;
        }
        Pos at = new Pos(active, activeSize);
        int length = buf.remaining();
        long position = activeSize;
        try {
            while (buf.hasRemaining()) {
                position += activeChannel.write(buf, position);
            }
        } catch (IOException e) {
            failed = true;
            throw e;
        }
        activeSize = position;
        bytes.addAndGet(length);
        dirty = true;
        if (activeSize >= segmentBytes) {
            try {
                rotate();
            } catch (IOException e) {
                LOG.warnf(e, "Could not start a new ledger spool segment in %s; appending to the current one", dir);
            }
        }
        return at;
    }

    /**
     * After a failed append, starts the fresh file the next append would: true once the spool can take rows
     * again (the disk has room, the directory is back), so that this shows without a row having to wait on it.
     */
    boolean recover() {
        if (isClosed) {
            return false;
        }
        if (failed) {
            try {
                rotate();
                failed = false;
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }

    /**
     * Everything before {@code upTo} (a normalized position) is committed: remember it and delete the
     * segments it has left behind. Single-threaded form of {@link #release} then {@link #forget}.
     */
    void committed(Pos upTo) {
        forget(upTo, release(upTo));
    }

    /**
     * First half of {@link #committed}, under the writer's lock: the closed segments before {@code upTo}
     * leave the layout. Returns them (number to size) for {@link #forget}.
     */
    NavigableMap<Long, Long> release(Pos upTo) {
        NavigableMap<Long, Long> released = new TreeMap<>();
        while (!closed.isEmpty() && closed.firstKey() < upTo.segment()) {
            released.put(closed.firstKey(), closed.remove(closed.firstKey()));
        }
        return released;
    }

    /**
     * Second half, by the writer thread outside the lock (file work must not hold up {@link #append}):
     * writes the checkpoint, then deletes the released segments.
     */
    void forget(Pos upTo, NavigableMap<Long, Long> released) {
        if (isClosed) {
            return;
        }
        try {
            writeCheckpoint(upTo);
        } catch (IOException e) {
            LOG.warnf(e, "Could not update the ledger spool checkpoint in %s; a restart replays more rows", dir);
        }
        released.forEach(this::deleteSegment);
    }

    /**
     * Reads whole lines from {@code from} up to {@code limit} (both line boundaries), at most {@code max}
     * rows. Header and comment lines are skipped; undecodable lines, including a torn last line left by a
     * crash, are returned as corrupt so the caller can set them aside.
     */
    Read read(Pos from, Pos limit, int max, Layout layout) throws IOException {
        List<Spooled> out = new ArrayList<>();
        List<Corrupt> corrupt = new ArrayList<>();
        Pos p = layout.normalize(from);
        while (out.size() < max && p.compareTo(limit) < 0) {
            long segment = p.segment();
            long segmentEnd = segment == layout.active() ? layout.activeSize() : layout.closed().get(segment);
            long end = segment == limit.segment() ? Math.min(segmentEnd, limit.offset()) : segmentEnd;
            int want = (int) Math.min(end - p.offset(), chunk.length);
            int n = readAt(reader(segment), p.offset(), want);
            int consumed = 0;
            int lineStart = 0;
            for (int i = 0; i < n && out.size() < max; i++) {
                if (chunk[i] != '\n') {
                    continue;
                }
                if (i > lineStart && chunk[lineStart] != '#') {
                    Pos lineAt = new Pos(segment, p.offset() + lineStart);
                    try {
                        out.add(new Spooled(SpoolCodec.decode(chunk, lineStart, i), lineAt,
                                new Pos(segment, p.offset() + i + 1)));
                    } catch (SpoolCodec.CorruptLineException e) {
                        corrupt.add(new Corrupt(Arrays.copyOfRange(chunk, lineStart, i + 1),
                                e.getMessage() + " at " + lineAt));
                    }
                }
                lineStart = i + 1;
                consumed = i + 1;
            }
            if (consumed == 0) {
                if (p.offset() + n < end && n == want) {
                    chunk = new byte[chunk.length * 2]; // a line longer than the buffer
                    continue;
                }
                // No line break before the end: a line torn by a crash (or a file cut short).
                if (n > 0) {
                    corrupt.add(new Corrupt(Arrays.copyOf(chunk, n), "torn last line at " + p));
                }
                consumed = (int) (end - p.offset());
            }
            p = layout.normalize(new Pos(segment, p.offset() + consumed));
        }
        return new Read(out, corrupt, p);
    }

    /** Keeps a line the database refused, or could not be decoded, in the rejected file, with the reason. */
    void quarantine(byte[] line, String reason) throws IOException {
        if (rejected == null) {
            rejected = FileChannel.open(dir.resolve(REJECTED), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND);
        }
        String note = "# " + Instant.now() + " " + reason.replace('\n', ' ') + "\n";
        ByteBuffer buf = ByteBuffer.allocate(note.length() * 3 + line.length + 1);
        buf.put(note.getBytes(StandardCharsets.UTF_8)).put(line);
        if (line.length == 0 || line[line.length - 1] != '\n') {
            buf.put((byte) '\n');
        }
        buf.flip();
        while (buf.hasRemaining()) {
            rejected.write(buf);
        }
        rejected.force(false);
    }

    /** Forces the active segment (and segments closed since) to disk; run by the fsync thread. */
    void sync() {
        try {
            if (dirty) {
                dirty = false;
                try {
                    activeChannel.force(false);
                } catch (ClosedChannelException rotatedMeanwhile) {
                    // retired below
                }
            }
            for (FileChannel c = retired.poll(); c != null; c = retired.poll()) {
                try {
                    c.force(false);
                } catch (ClosedChannelException alreadyClosed) {
                    // closed by a failure; nothing more can be forced
                } finally {
                    c.close();
                }
            }
            if (dirDirty) {
                dirDirty = false;
                try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                    d.force(true);
                } catch (IOException notSupportedHere) {
                    // some file systems cannot sync a directory; the segment data itself is synced
                }
            }
        } catch (IOException | RuntimeException e) {
            // Logged, never thrown: an exception would cancel the periodic task for good.
            LOG.errorf(e, "Could not force the ledger spool in %s to disk", dir);
        }
    }

    /**
     * Forces everything to disk, closes the files and releases the directory. When every row is
     * committed the segments are deleted; the checkpoint stays (it keeps segment numbers increasing).
     */
    @Override
    public void close() {
        close(false);
    }

    void close(boolean allCommitted) {
        if (isClosed) {
            return;
        }
        isClosed = true;
        syncer.shutdownNow();
        try {
            syncer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        dirty = true;
        retired.add(activeChannel);
        sync();
        closeQuietly(reader);
        closeQuietly(rejected);
        closeQuietly(checkpoint);
        if (allCommitted) {
            for (Long segment : new ArrayList<>(closed.keySet())) {
                deleteSegment(segment, closed.remove(segment));
            }
            deleteSegment(active, activeSize);
        }
        releaseLock();
    }

    private void scan() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Matcher m = SEGMENT.matcher(f.getFileName().toString());
                if (!m.matches()) {
                    continue;
                }
                long segment = Long.parseLong(m.group(1));
                long size = Files.size(f);
                byte[] head = new byte[(int) Math.min(size, DATA_START)];
                try (FileChannel c = FileChannel.open(f, StandardOpenOption.READ)) {
                    c.read(ByteBuffer.wrap(head), 0);
                }
                if (size < DATA_START && Arrays.equals(head, Arrays.copyOf(HEADER, head.length))) {
                    Files.delete(f); // created, never written: a crash right after a rotation
                } else if (!Arrays.equals(head, HEADER)) {
                    Path aside = f.resolveSibling(f.getFileName() + ".unreadable");
                    Files.move(f, aside, StandardCopyOption.REPLACE_EXISTING);
                    LOG.errorf("Ledger spool file %s does not start with the expected header; moved to %s, not replayed",
                            f, aside);
                } else {
                    closed.put(segment, size);
                    bytes.addAndGet(size);
                }
            }
        }
    }

    private Pos startPosition(Pos saved) throws IOException {
        if (closed.isEmpty()) {
            return new Pos(active, DATA_START);
        }
        long first = closed.firstKey();
        long size = closed.get(first);
        if (saved != null && saved.segment() == first && saved.offset() > DATA_START && saved.offset() <= size) {
            byte[] before = new byte[1];
            try (FileChannel c = FileChannel.open(segmentPath(first), StandardOpenOption.READ)) {
                c.read(ByteBuffer.wrap(before), saved.offset() - 1);
            }
            if (before[0] == '\n') {
                return normalize(saved);
            }
        }
        return normalize(new Pos(first, DATA_START));
    }

    private long countRows(Pos from) throws IOException {
        long rows = 0;
        for (var e : closed.tailMap(from.segment(), true).entrySet()) {
            long offset = e.getKey() == from.segment() ? from.offset() : DATA_START;
            try (FileChannel c = FileChannel.open(segmentPath(e.getKey()), StandardOpenOption.READ)) {
                ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
                while (offset < e.getValue()) {
                    buf.clear();
                    int n = c.read(buf, offset);
                    if (n <= 0) {
                        break;
                    }
                    for (int i = 0; i < n; i++) {
                        if (buf.get(i) == '\n') {
                            rows++;
                        }
                    }
                    offset += n;
                }
            }
        }
        return rows;
    }

    private void openActive() throws IOException {
        Path path = segmentPath(active);
        FileChannel c = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        ByteBuffer header = ByteBuffer.wrap(HEADER);
        long position = 0;
        try {
            while (header.hasRemaining()) {
                position += c.write(header, position);
            }
        } catch (IOException e) {
            // A full disk lets the file be made but not written. Left behind, it would make every later try
            // at this segment number fail (CREATE_NEW) even once there is room again.
            closeQuietly(c);
            try {
                Files.deleteIfExists(path);
            } catch (IOException ignored) {
                // the next try at this number fails and says so; nothing more to do here
            }
            throw e;
        }
        activeChannel = c;
        activeSize = DATA_START;
        bytes.addAndGet(DATA_START);
        dirty = true;
        dirDirty = true;
    }

    private void rotate() throws IOException {
        FileChannel previous = activeChannel;
        long previousSegment = active;
        long previousSize = activeSize;
        active = previousSegment + 1;
        try {
            openActive();
        } catch (IOException e) {
            active = previousSegment;
            throw e;
        }
        closed.put(previousSegment, previousSize);
        retired.add(previous);
    }

    private void deleteSegment(long segment, Long size) {
        if (segment == readerSegment) {
            closeQuietly(reader);
            reader = null;
            readerSegment = -1;
        }
        try {
            if (Files.deleteIfExists(segmentPath(segment)) && size != null) {
                bytes.addAndGet(-size);
            }
            dirDirty = true;
        } catch (IOException e) {
            LOG.warnf(e, "Could not delete committed ledger spool segment %d in %s; its rows would be replayed"
                    + " (idempotently) at the next start", segment, dir);
        }
    }

    private FileChannel reader(long segment) throws IOException {
        if (segment != readerSegment) {
            closeQuietly(reader);
            reader = null;
            reader = FileChannel.open(segmentPath(segment), StandardOpenOption.READ);
            readerSegment = segment;
        }
        return reader;
    }

    private int readAt(FileChannel c, long position, int length) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(chunk, 0, length);
        while (buf.hasRemaining()) {
            int n = c.read(buf, position + buf.position());
            if (n < 0) {
                break;
            }
        }
        return buf.position();
    }

    private void writeCheckpoint(Pos p) throws IOException {
        String body = String.format("v1 %019d %019d ", p.segment(), p.offset());
        CRC32C crc = new CRC32C();
        crc.update(body.getBytes(StandardCharsets.US_ASCII));
        String line = body + String.format("%08x", crc.getValue()) + "\n";
        ByteBuffer buf = ByteBuffer.wrap(line.getBytes(StandardCharsets.US_ASCII));
        long position = 0;
        while (buf.hasRemaining()) {
            position += checkpoint.write(buf, position);
        }
    }

    private Pos readCheckpoint() throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(CHECKPOINT_MAX);
        while (buf.hasRemaining() && checkpoint.read(buf, buf.position()) > 0) {
            // the file is one short line
        }
        if (buf.position() == 0) {
            return null;
        }
        String content = new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII);
        int end = content.indexOf('\n');
        String[] parts = end < 0 ? new String[0] : content.substring(0, end).split(" ");
        try {
            if (parts.length == 4 && "v1".equals(parts[0])) {
                CRC32C crc = new CRC32C();
                crc.update(content.substring(0, content.lastIndexOf(' ', end) + 1).getBytes(StandardCharsets.US_ASCII));
                if (Long.parseLong(parts[3], 16) == crc.getValue()) {
                    return new Pos(Long.parseLong(parts[1]), Long.parseLong(parts[2]));
                }
            }
        } catch (NumberFormatException e) {
            // falls through to the warning
        }
        LOG.warnf("Ignoring a damaged ledger spool checkpoint in %s; every spooled row is replayed", dir);
        return null;
    }

    private Path segmentPath(long segment) {
        return dir.resolve(String.format("ledger-%019d.spool", segment));
    }

    private void releaseLock() {
        try {
            lock.release();
        } catch (IOException e) {
            LOG.debug("Could not release the ledger spool lock", e);
        }
        closeQuietly(lockChannel);
    }

    private static void closeQuietly(Closeable c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException e) {
                LOG.debug("Close failed", e);
            }
        }
    }
}
