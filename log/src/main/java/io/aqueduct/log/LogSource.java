package io.aqueduct.log;

import io.aqueduct.core.config.ConfigException;
import io.aqueduct.core.filter.TableFilter;
import io.aqueduct.core.model.Change;
import io.aqueduct.core.model.Ddl;
import io.aqueduct.core.model.Position;
import io.aqueduct.core.model.RowChange;
import io.aqueduct.core.model.TableId;
import io.aqueduct.core.model.TableSchema;
import io.aqueduct.core.model.Transaction;
import io.aqueduct.core.pipeline.Source;
import io.aqueduct.core.pipeline.TransactionQueue;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A relay log in a local directory as a pipeline source: a downstream job reads what a capture job's {@link LogSink}
 * writes, while it writes, with its own table selection.
 *
 * <p>Positions are {@link LogSourcePosition}s, {@code {"seqno": N}}: resume after transaction N. Each transaction is
 * emitted with the log's seqno as its {@link Transaction#seq()} and, on its last (or only) fragment, its own seqno as
 * the position; the source position the capture job logged stays in the log. Fragments pass through as fragments.
 *
 * <p>Row changes and DDL of tables the filter does not select are dropped; the transaction is still emitted, empty if
 * nothing is left, so that positions move. A DDL whose table is not known is dropped as well: it cannot be attributed
 * to the selection, and targets run DDL as it was logged.
 *
 * <p>At the end of the log the source waits {@code poll} and looks again, so it follows the writer. It starts on a
 * transaction only once its last fragment is in the log ({@link LogReader#wholeTransactionsOnly()}): a capture job
 * stopped in the middle of a big transaction cuts its fragments when it starts again. Every record is CRC-checked;
 * damage ends {@link #run} with a {@link LogCorruptException} naming the file and byte offset, which is not retried.
 */
public final class LogSource implements Source {
    private static final Logger LOG = LoggerFactory.getLogger(LogSource.class);
    public static final Duration DEFAULT_POLL = Duration.ofMillis(20);

    private final Path dir;
    private final TableFilter filter;
    private final long pollNanos;
    private final Object wake = new Object();
    private volatile boolean closed;
    private String readerName;

    public LogSource(Path dir, TableFilter filter) {
        this(dir, filter, DEFAULT_POLL);
    }

    /** @param poll how long to wait before looking again when the source has read everything in the log */
    public LogSource(Path dir, TableFilter filter, Duration poll) {
        this.dir = Objects.requireNonNull(dir, "dir");
        this.filter = Objects.requireNonNull(filter, "filter");
        if (poll.isNegative() || poll.isZero()) throw new IllegalArgumentException("poll must be positive: " + poll);
        this.pollNanos = poll.toNanos();
    }

    /**
     * Makes this source a registered reader of the log named {@code name}: each position its job saves is recorded in
     * the log's reader registry, and retention keeps what it has not saved yet. Returns this source.
     */
    public LogSource reader(String name) {
        if (!LogReaders.isValidName(name)) throw new IllegalArgumentException("not a valid reader name: " + name);
        this.readerName = name;
        return this;
    }

    @Override
    public void saved(Position position) {
        if (readerName == null || !(position instanceof LogSourcePosition p)) return;
        try {
            LogReaders.acknowledge(dir, readerName, p.seqno(), "local job");
        } catch (IOException e) {
            LOG.warn("Cannot record reader {}'s saved seqno {} in {}: {}", readerName, p.seqno(), dir, e.toString());
        }
    }

    @Override
    public Position parsePosition(String json) {
        return LogSourcePosition.parse(json);
    }

    /**
     * The beginning of the log: the position before its first seqno, so that the job reads every transaction the log
     * holds. For an empty log that is {@code {"seqno": 0}}, since a {@link LogSink} numbers from 1.
     *
     * @throws ConfigException when there is no log directory, or when the log no longer begins at seqno 1
     *                         ({@link #trimmed})
     */
    @Override
    public LogSourcePosition resolveStart() throws IOException {
        requireDirectory();
        TreeMap<Long, Path> segments = LogFiles.segments(dir);
        if (segments.isEmpty()) return new LogSourcePosition(0);
        if (segments.firstKey() > 1) throw trimmed(dir.toString(), segments.firstKey());
        return new LogSourcePosition(segments.firstKey() - 1);
    }

    /**
     * A new reader of a log whose beginning was deleted (by retention or a purge) would miss what the capture job
     * logged first, its copy of the tables included: refused, saying how to start anyway.
     */
    static ConfigException trimmed(String log, long first) {
        return new ConfigException("The relay log " + log + " begins at seqno " + first + ": its earlier transactions, "
                + "with the capture job's copy of the tables, were deleted by retention or a purge, so a reader that "
                + "starts now would miss them. Copy the selected tables to the target first (for example with aqueduct "
                + "verify --repair from a job file that reads the source), then write {\"seqno\": " + (first - 1) + "} into "
                + "this job's position.json to start there.");
    }

    /**
     * Emits the log's transactions after {@code from} (null: from {@link #resolveStart()}) until {@link #close()}.
     *
     * @throws ConfigException     when the transaction after {@code from} is no longer in the log, or not yet in it
     *                             (retryable: a capture job recovering from a machine crash may write it again)
     * @throws LogCorruptException at a damaged record
     */
    @Override
    public void run(Position from, TransactionQueue out) throws Exception {
        LogSourcePosition start = from == null ? resolveStart()
                : from instanceof LogSourcePosition p ? p : LogSourcePosition.parse(from.toJson());
        requireDirectory();
        Map<TableSchema, Boolean> selected = new IdentityHashMap<>();
        try (LogReader reader = LogReader.open(dir).wholeTransactionsOnly()
                .rowsOf(s -> selected.computeIfAbsent(s, x -> filter.test(x.id())));
             SelectionWatch selections = new SelectionWatch(dir, start.next(), filter)) {
            String refused = selections.recheck();
            if (refused != null) throw SelectionWatch.refused(refused);
            if (!seek(reader, start)) return;
            if (start.epoch() >= 0 && start.seqno() >= LogFiles.segments(dir).firstKey()) {
                String diverged = divergence(dir, start.seqno(), start.epoch());
                if (diverged != null) throw new ConfigException("The relay log in " + dir + ": " + diverged + ".");
            }
            LOG.info("Reading the relay log {} from seqno {}", dir, start.next());
            saved(start); // registered at once, so that retention keeps what this reader is about to read
            while (!closed) {
                Transaction t = reader.next();
                if (t == null) {
                    pause();
                    continue;
                }
                String refusal = t.fragment() == 0 ? selections.before(t.seq()) : null;
                if (refusal != null) throw SelectionWatch.refused(refusal);
                if (!out.put(select(t, filter, selected, reader.lastEpoch()))) {
                    return;
                }
            }
        }
    }

    /**
     * Refuses a reader that started at {@code next} once the log's selection history says a table it selects is in the
     * log only from a later seqno ({@link LogSelections}). A capture job records a new selection, synced, before it
     * logs the first transaction under it; so a transaction the reader has read is covered by a look at the history
     * taken after reading it (a stat of its file, read again only when it changed), and every transaction below the
     * log's end as it was just before such a look is covered too. The end costs a directory listing and a file
     * opening, so it is taken at most every 100 ms: a reader catching up looks at the history once per stretch, a
     * reader at the end of the log once per transaction, with one stat.
     */
    static final class SelectionWatch implements AutoCloseable {
        private static final long END_EVERY_NANOS = 100_000_000L;
        private final Path file;
        private final Path dir;
        private final long next;
        private final TableFilter filter;
        private LogReader bounds;
        /** Transactions below this seqno were logged before the history was last looked at. */
        private long coveredBelow = Long.MIN_VALUE;
        private long endTakenAt;
        private FileTime seenTime;
        private long seenSize = -1;

        SelectionWatch(Path dir, long next, TableFilter filter) {
            this.dir = dir;
            this.file = dir.resolve(LogSelections.FILE);
            this.next = next;
            this.filter = filter;
        }

        /** Why the reader may not go on with transaction {@code seqno}, which it has read, or null. */
        String before(long seqno) throws IOException {
            if (seqno < coveredBelow) return null;
            long now = System.nanoTime();
            if (bounds == null || now - endTakenAt >= END_EVERY_NANOS) {
                if (bounds == null) bounds = LogReader.open(dir);
                coveredBelow = bounds.endSeqno(); // first, then the history: what it covers was logged after it
                endTakenAt = now;
            }
            return recheck();
        }

        /** Why the reader may not go on, or null; the history is read again only when its file changed. */
        String recheck() throws IOException {
            BasicFileAttributes a;
            try {
                a = Files.readAttributes(file, BasicFileAttributes.class);
            } catch (NoSuchFileException e) {
                return null;
            }
            if (a.lastModifiedTime().equals(seenTime) && a.size() == seenSize) return null;
            seenTime = a.lastModifiedTime();
            seenSize = a.size();
            return LogSelections.refusal(LogSelections.read(dir), next, filter);
        }

        /** The reader's refusal as the exception a job stops with (not retried). */
        static ConfigException refused(String refusal) {
            return new ConfigException(Character.toUpperCase(refusal.charAt(0)) + refusal.substring(1) + ".");
        }

        @Override
        public void close() throws IOException {
            if (bounds != null) bounds.close();
        }
    }

    /**
     * Why a reader whose last committed transaction is {@code seqno} of {@code epoch} cannot continue in the log in
     * {@code dir}, which holds that seqno: the log has it from another epoch, so its history diverged from what the
     * reader applied. Null when the epochs agree.
     */
    static String divergence(Path dir, long seqno, long epoch) throws IOException {
        long found;
        try (LogReader r = LogReader.open(dir)) {
            found = r.epochOf(seqno);
        }
        if (found == epoch) return null;
        return "history diverged: this reader last committed seqno " + seqno + " of epoch " + epoch + ", but in the "
                + "relay log seqno " + seqno + " is of epoch " + found + ". The log was rewritten since; the reader's "
                + "target may hold transactions the log no longer has. Copy the reader's tables again and delete its "
                + "position.json";
    }

    /**
     * Why a reader whose last committed transaction is {@code seqno} of {@code epoch}, past the end of the log in
     * {@code dir}, cannot wait for the log to reach it: the log's newest transaction is of another epoch, so the log was
     * created anew. Null when it may wait (a log that lost its newest records in a machine crash is written again in
     * the same epoch).
     */
    static String recreated(Path dir, long seqno, long epoch) throws IOException {
        TreeMap<Long, Path> segments = LogFiles.segments(dir);
        if (epoch < 0 || segments.isEmpty()) return null;
        try (LogReader r = LogReader.open(dir)) {
            long end = r.endSeqno();
            if (end <= segments.firstKey()) return null;
            long newest = r.epochOf(end - 1);
            if (newest == epoch) return null;
            return "history diverged: this reader last committed seqno " + seqno + " of epoch " + epoch + ", but the relay "
                    + "log ends at seqno " + (end - 1) + " of epoch " + newest + ": it was created anew. Copy the reader's "
                    + "tables again and delete its position.json";
        }
    }

    /** Positions the reader at {@code seqno}, waiting while the log is empty; false when closed meanwhile. */
    private boolean seek(LogReader reader, LogSourcePosition start) throws IOException, InterruptedException {
        long seqno = start.next();
        while (!closed) {
            TreeMap<Long, Path> segments = LogFiles.segments(dir);
            if (segments.isEmpty()) {
                if (seqno > 1) throw pastTheEnd(seqno);
                pause();
                continue;
            }
            if (seqno < segments.firstKey()) {
                throw new ConfigException("The relay log in " + dir + " begins at seqno " + segments.firstKey()
                        + ", but this job continues from seqno " + seqno + ": the transactions between are not in the log. "
                        + "Copy the selected tables again, then write {\"seqno\": " + (segments.firstKey() - 1) + "} into the "
                        + "job's position.json.");
            }
            try {
                reader.seekToSeqno(seqno);
                return true;
            } catch (IllegalArgumentException e) {
                // the segments changed since they were listed, or the seqno is past the end
                TreeMap<Long, Path> now = LogFiles.segments(dir);
                if (!now.equals(segments)) continue;
                String recreated = recreated(dir, start.seqno(), start.epoch());
                if (recreated != null) throw new ConfigException("The relay log in " + dir + ": " + recreated + ".");
                throw pastTheEnd(seqno);
            }
        }
        return false;
    }

    private ConfigException pastTheEnd(long seqno) {
        return new ConfigException("This job continues from seqno " + seqno + ", after the end of the relay log in " + dir
                + ". Either the log lost its newest records (a machine crash before they "
                + "were synced: the capture job writes them again, and this job retries until then) or the log was "
                + "created anew, in which case delete the job's position.json and copy the selected tables again.", null, true);
    }

    private void requireDirectory() {
        if (!Files.isDirectory(dir)) {
            throw new ConfigException("There is no relay log directory " + dir + ". Check source.path, and start the "
                    + "capture job that writes the log (target type log) first.");
        }
    }

    /**
     * The transaction with only the changes of tables {@code filter} selects, and its seqno and epoch as its position.
     * {@code selected} caches the filter's answers by schema instance.
     */
    static Transaction select(Transaction t, TableFilter filter, Map<TableSchema, Boolean> selected, long epoch) {
        List<Change> kept = new ArrayList<>(t.changes().size());
        for (Change c : t.changes()) {
            boolean keep;
            if (c instanceof RowChange rc) {
                // the codec gives equal schemas one instance, so this is a lookup per schema, not per row
                keep = selected.computeIfAbsent(rc.schema(), s -> filter.test(s.id()));
            } else {
                Ddl d = (Ddl) c;
                TableId table = d.table() != null ? d.table() : d.newTable() != null ? d.newTable().id() : null;
                keep = table != null && filter.test(table);
            }
            if (keep) kept.add(c);
        }
        if (selected.size() > 10_000) selected.clear();
        Position position = t.last() ? new LogSourcePosition(t.seq(), epoch) : null;
        if (kept.size() == t.changes().size()) return t.withPosition(position);
        return new Transaction(t.seq(), t.id(), t.origin(), t.commitTime(), position, kept, t.fragment(), t.last());
    }

    /**
     * Every selected table the log has rows or a shape for, in the shape it had last. Reads the whole log, so it
     * takes a while on a big one.
     */
    @Override
    public List<TableSchema> tables() throws IOException {
        requireDirectory();
        Map<TableId, TableSchema> latest = new LinkedHashMap<>();
        try (LogReader reader = LogReader.open(dir)) {
            for (Transaction t = reader.next(); t != null; t = reader.next()) {
                for (Change c : t.changes()) {
                    TableSchema s = c instanceof RowChange rc ? rc.schema() : ((Ddl) c).newTable();
                    if (s != null && filter.test(s.id())) latest.put(s.id(), s);
                }
            }
        }
        return List.copyOf(latest.values());
    }

    private void pause() throws InterruptedException {
        synchronized (wake) {
            if (!closed) wake.wait(pollNanos / 1_000_000, (int) (pollNanos % 1_000_000));
        }
    }

    @Override
    public void close() {
        closed = true;
        synchronized (wake) {
            wake.notifyAll();
        }
    }
}
