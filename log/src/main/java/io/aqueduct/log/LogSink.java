package io.aqueduct.log;

import io.aqueduct.core.config.ConfigException;
import io.aqueduct.core.model.TableId;
import io.aqueduct.core.model.Transaction;
import io.aqueduct.core.pipeline.Sink;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay log as a pipeline target: a capture job appends every transaction it reads to a log directory, and
 * downstream jobs read the log with a {@link LogSource}.
 *
 * <p><b>Numbering.</b> The sink numbers the log itself: each transaction gets the seqno after the log's last one (1 in
 * an empty log), and the fragments of one transaction share it. The transactions' own {@link Transaction#seq()} is
 * ignored, since a capture job numbers afresh from 0 on every run.
 *
 * <p><b>Durability.</b> One lane, so the log's order is the source's. {@link #apply} appends the whole batch and then
 * syncs once (group commit: the apply engine gathers what arrives during one sync into the next batch), and returns
 * only when the batch is durable; only then does the pipeline count the batch's position as committed and later save
 * it (lazy commit). The writer's {@link FsyncPolicy} still applies: {@link FsyncPolicy.EveryRecord} adds an fsync per
 * transaction, {@link FsyncPolicy.Interval} adds nothing that matters, and under {@link FsyncPolicy.None} (for tests)
 * "durable" means handed to the operating system.
 *
 * <p><b>No duplicates after a restart.</b> A capture job resumes from its last saved position, which lags the log: the
 * transactions between come again. Every record keeps its transaction's source position, id, origin and commit time, so
 * the sink recognises them. On opening it reads the log's last transaction. The first transaction of the run is looked
 * up in the log, from the newest segment back to the first one whose records all have older commit times (a logged
 * copy has the same commit time; a capture job resumes from a recent position). If the log holds it, the sink skips it,
 * and then every following record that matches the log's next one, until it has passed the log's last transaction;
 * from then on it appends. A record matches when fragment number, last flag, id, origin, commit time, number of
 * changes and source position are equal; a whole transaction or last fragment must have a position.
 *
 * <p>The first record that does not match is appended, and so is everything after it: writing a transaction twice is
 * harmless (downstream jobs apply idempotently), skipping one the log lacks would lose it. A source that reads a
 * transaction differently after a restart, such as a snapshot chunk read anew with a new commit time, thus has it and
 * what follows logged twice. Should fragments of a big transaction match the log's and a later one not, the matched
 * fragments, already skipped, are copied from the log as the start of a new transaction, so it is logged whole.
 * Transactions without changes never reach a sink and are not in the log; a source resuming at one of them is covered
 * by looking up the first transaction that does arrive.
 *
 * <p>Not thread-safe; the apply engine calls it from one lane thread, after {@link #open} and before {@link #close}.
 */
public final class LogSink implements Sink {
    private static final Logger LOG = LoggerFactory.getLogger(LogSink.class);

    private enum Dedup {
        /** The next transaction is the run's first: look it up in the log. */
        FIRST,
        /** The transactions coming are the log's from {@link #replay} on, as long as they match. */
        SKIPPING,
        /** Append everything. */
        DONE
    }

    private final Path dir;
    private final LogWriterOptions options;
    private LogWriter writer;
    /** The seqno of the log's last record, whole or a fragment; 0 for an empty log. */
    private long lastSeqno;
    /** The last record of the log when it was opened, null for an empty log. */
    private RecordHead lastAtOpen;
    private Dedup dedup = Dedup.DONE;
    /** While skipping: positioned at the log's record that the next transaction should match. */
    private LogReader replay;
    private long skippedRecords;
    private long firstSkipped;
    /** The last transaction skipped whole. */
    private long lastSkipped = -1;
    /** The seqno of the last record skipped, whole or a fragment. */
    private long lastSkippedRecord;

    private LogRetention.Schedule retention;

    /**
     * @param dir     the log directory, created when missing
     * @param options codec, segment size, fsync policy and epoch of the writer
     */
    public LogSink(Path dir, LogWriterOptions options) {
        this.dir = Objects.requireNonNull(dir, "dir");
        this.options = Objects.requireNonNull(options, "options");
    }

    /**
     * Makes the sink delete old segments by {@code policy} when it opens the log and every minute while it writes,
     * within what registered readers still need ({@link LogRetention}). Returns this sink.
     */
    public LogSink retention(LogRetention.Policy policy) {
        this.retention = new LogRetention.Schedule(dir, policy);
        return this;
    }

    private List<String> selectedInclude;
    private List<String> selectedExclude;
    private Callable<List<TableId>> selectedNow;

    /**
     * Makes the sink record the capture job's table selection in the log's {@link LogSelections} when it opens the
     * log, so that readers of tables it newly takes in learn their safe position. {@code selectedNow} lists the tables
     * the selection selects on the source now; it is called only when the selection changed. Returns this sink.
     */
    public LogSink selection(List<String> include, List<String> exclude,
                             Callable<List<TableId>> selectedNow) {
        this.selectedInclude = List.copyOf(include);
        this.selectedExclude = List.copyOf(exclude);
        this.selectedNow = Objects.requireNonNull(selectedNow, "selectedNow");
        return this;
    }

    @Override
    public int lanes() {
        return 1;
    }

    /**
     * Opens the log for appending (recovering a torn tail) and reads its last transaction.
     *
     * @throws ConfigException     when another writer has the log open, or the log's epoch is newer than the options'
     * @throws LogCorruptException when the log is damaged other than by a torn tail
     */
    @Override
    public void open() throws IOException {
        try {
            writer = LogWriter.open(dir, options.withEpoch(epochToWrite()));
        } catch (IllegalStateException e) {
            throw new ConfigException("The relay log in " + dir + " is being written by another job (" + e.getMessage()
                    + "). One capture job writes a log: stop the other one, or give this job its own target path.", e);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("Cannot write the relay log in " + dir + ": " + e.getMessage(), e);
        }
        long last = writer.lastSeqno();
        lastSeqno = Math.max(last, 0);
        lastAtOpen = last < 0 ? null : lastRecordOf(last);
        dedup = lastAtOpen == null ? Dedup.DONE : Dedup.FIRST;
        skippedRecords = 0;
        lastSkipped = -1;
        if (lastAtOpen == null) {
            LOG.info("Relay log {}: empty; the first transaction becomes seqno 1", dir);
        } else {
            LOG.info("Relay log {}: ends at seqno {} (id {}, source position {})", dir, last, lastAtOpen.id(),
                    lastAtOpen.positionJson());
        }
        if (selectedNow != null) {
            try {
                LogSelections.Entry e = LogSelections.record(dir, lastSeqno + 1, selectedInclude, selectedExclude, selectedNow);
                if (e != null && !e.added().isEmpty()) {
                    LOG.info("Relay log {}: the selection now also takes in {}, logged from seqno {} on (their safe position)",
                            dir, e.added(), e.from());
                }
            } catch (IOException e) {
                throw e;
            } catch (Exception e) {
                throw new IOException("cannot record the table selection in " + dir + ": " + e.getMessage(), e);
            }
        }
        if (retention != null) retention.runNow();
    }

    /**
     * The epoch to write with. It tells a log's histories apart: a new log takes the time it is created (unless the
     * options name an epoch above 0), so that a log deleted and created anew in the same place has another epoch than
     * the one its readers applied, and they are refused rather than mixing the two; an existing log keeps the epoch of
     * its last transaction, or the options' when that is higher.
     */
    private long epochToWrite() throws IOException {
        if (Files.isDirectory(dir) && !LogFiles.segments(dir).isEmpty()) {
            try (LogReader r = LogReader.open(dir)) {
                long end = r.endSeqno();
                if (end > LogFiles.segments(dir).firstKey()) return Math.max(options.epoch(), r.epochOf(end - 1));
            }
        }
        return options.epoch() > 0 ? options.epoch() : System.currentTimeMillis();
    }

    private RecordHead lastRecordOf(long seqno) throws IOException {
        try (LogReader r = LogReader.open(dir)) {
            r.seekToSeqno(seqno);
            for (RecordHead h = r.nextHead(); h != null; h = r.nextHead()) {
                if (h.last()) return h;
            }
        }
        throw new IllegalStateException("the relay log in " + dir + " ends before the last fragment of seqno " + seqno
                + ", which its writer reported whole");
    }

    /** Appends the batch, skipping what the log already holds (see the class comment), and syncs once. */
    @Override
    public void apply(int lane, List<Transaction> batch) throws IOException {
        for (Transaction t : batch) {
            if (dedup != Dedup.DONE && alreadyLogged(t)) continue;
            long seqno = t.fragment() == 0 ? lastSeqno + 1 : lastSeqno;
            writer.append(seqno, t);
            lastSeqno = seqno;
        }
        writer.sync();
        if (retention != null) retention.runIfDue();
    }

    /** The seqno of the last transaction (or fragment) in the log. */
    public long lastSeqno() {
        return lastSeqno;
    }

    /** Whether the log holds {@code t}, checked against the log's records in turn (see the class comment). */
    private boolean alreadyLogged(Transaction t) throws IOException {
        if (dedup == Dedup.FIRST) return findInLog(t);
        RecordHead expected = replay.nextHead();
        if (expected != null && expected.matches(t)) {
            skip(expected);
            if (expected.last() && expected.seqno() >= lastAtOpen.seqno()) stopSkipping();
            return true;
        }
        long next = expected == null ? lastAtOpen.seqno() + 1 : expected.seqno();
        stopSkipping();
        LOG.warn("Relay log {}: after {} record(s) the log holds, the capture job sent {}, where the log's seqno {} has {}. "
                        + "Appending from here on; seqnos {} to {} may be logged twice, which readers apply idempotently.",
                dir, skippedRecords, describe(t), next, expected == null ? "nothing" : describe(expected), next,
                lastAtOpen.seqno());
        // the fragments before this one were skipped as the log's own: copy those, to log the transaction whole
        if (t.fragment() > 0) relog(lastSkippedRecord, t.fragment());
        return false;
    }

    /**
     * Looks for the run's first transaction in the log, segment by segment from the newest one back, since a capture
     * job resumes from a recent position. A logged copy has the same commit time: the search stops at a segment whose
     * every commit time is before it, so that a restart after the log's end reads only the newest segment.
     */
    private boolean findInLog(Transaction t) throws IOException {
        dedup = Dedup.DONE;
        TreeMap<Long, Path> segments = LogFiles.segments(dir);
        LogReader r = LogReader.open(dir);
        try {
            long end = Long.MAX_VALUE;
            for (long base : segments.descendingKeySet()) {
                r.seekToSeqno(base);
                long maxTime = Long.MIN_VALUE;
                for (RecordHead h = r.nextHead(); h != null && h.seqno() < end; h = r.nextHead()) {
                    maxTime = Math.max(maxTime, h.commitTime());
                    if (!h.matches(t)) continue;
                    skip(h);
                    if (h.last() && h.seqno() >= lastAtOpen.seqno()) {
                        stopSkipping();
                    } else {
                        replay = r;
                        r = null;
                        dedup = Dedup.SKIPPING;
                    }
                    return true;
                }
                if (maxTime < t.commitTime()) break;
                end = base;
            }
        } finally {
            if (r != null) r.close();
        }
        LOG.info("Relay log {}: the capture job resumes after the log's last transaction; appending from seqno {}", dir,
                lastSeqno + 1);
        return false;
    }

    /** Appends the first {@code fragments} records of the log's transaction {@code seqno} as a new transaction. */
    private void relog(long seqno, int fragments) throws IOException {
        long newSeqno = lastSeqno + 1;
        try (LogReader r = LogReader.open(dir)) {
            r.seekToSeqno(seqno);
            for (int i = 0; i < fragments; i++) writer.append(newSeqno, r.next());
        }
        lastSeqno = newSeqno;
    }

    private void skip(RecordHead h) {
        if (skippedRecords == 0) firstSkipped = h.seqno();
        skippedRecords++;
        lastSkippedRecord = h.seqno();
        if (h.last()) lastSkipped = h.seqno();
    }

    private void stopSkipping() throws IOException {
        dedup = Dedup.DONE;
        if (replay != null) {
            replay.close();
            replay = null;
        }
        if (lastSkipped >= firstSkipped) {
            LOG.info("Relay log {}: skipped seqnos {} to {}, re-sent after a restart, which the log already held", dir,
                    firstSkipped, lastSkipped);
        }
    }

    private static String describe(Transaction t) {
        return (t.isWhole() ? "" : "fragment " + t.fragment() + " of ") + "id " + t.id() + ", source position "
                + (t.position() == null ? "none" : t.position().toJson()) + ", commit time " + t.commitTime() + ", "
                + t.changes().size() + " change(s)";
    }

    private static String describe(RecordHead h) {
        return (h.isWhole() ? "" : "fragment " + h.fragment() + " of ") + "id " + h.id() + ", source position "
                + (h.positionJson() == null ? "none" : h.positionJson()) + ", commit time " + h.commitTime() + ", "
                + h.changeCount() + " change(s)";
    }

    /** Syncs and closes the log. A transaction left without its last fragment is cut off when the log is next opened. */
    @Override
    public void close() {
        try {
            if (replay != null) replay.close();
        } catch (IOException e) {
            LOG.warn("Relay log {}: closing a reader failed: {}", dir, e.toString());
        }
        replay = null;
        if (writer == null) return;
        try {
            writer.close();
        } catch (IOException e) {
            LOG.warn("Relay log {}: closing the writer failed ({}); it is recovered when next opened", dir, e.toString());
        }
        writer = null;
    }
}
