package io.aqueduct.mysql;

import io.aqueduct.core.model.Change;
import io.aqueduct.core.model.Ddl;
import io.aqueduct.core.model.RowChange;
import io.aqueduct.core.model.RowKey;
import io.aqueduct.core.model.TableId;
import io.aqueduct.core.model.TableSchema;
import io.aqueduct.core.model.Transaction;
import io.aqueduct.core.model.Values;
import io.aqueduct.core.pipeline.TransactionQueue;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where a binlog source's transactions leave it, in order, numbered, with their resume positions; and
 * where snapshot chunks are merged into that stream without a gap or a stale row.
 *
 * <p>A chunk is read in a consistent snapshot whose binlog position P the server reports. Before the snapshot starts, a
 * <em>window</em> is opened on the table: from then on the stream notes the key of every row it emits for that table.
 * The chunk is emitted, whenever it is ready, without the rows whose keys were noted: for those the stream has
 * already emitted (or the engine holds, in order) a full row image at least as new as the chunk's. Every transaction
 * after P is emitted after the window opened, provided the stream had not emitted past P when it opened; the reader
 * checks that against P and reads again otherwise. So each row's last write on the target is its newest state.
 *
 * <p>A table without a key cannot have rows excluded by key. It is copied whole at exactly P instead: the stream is held
 * at a <em>barrier</em>, may go on to P, then waits while the table is emitted (a TRUNCATE, then its rows in
 * fragments), and continues after it.
 */
final class Emitter {
    private static final Logger LOG = LoggerFactory.getLogger(Emitter.class);
    private static final long BARRIER_WAIT_MS = 60_000;

    /** Keys of a table changed by the stream since the window opened, and whether a DDL on the table came by. */
    static final class Window {
        final TableId table;
        final MySqlPosition opened;
        final Set<RowKey> changed = new HashSet<>();
        boolean ddl;

        Window(TableId table, MySqlPosition opened) {
            this.table = table;
            this.opened = opened;
        }
    }

    /** Told of each piece of a table copied, in the order emitted. */
    interface Copied {
        void copied(TableId table, long rows, boolean tableDone);
    }

    /** Holds the stream before any transaction past {@code at} (before any at all while {@code at} is unknown). */
    private static final class Barrier {
        MySqlPosition at;
        /** The stream waits with a transaction past {@code at}: it has emitted everything up to there. */
        boolean streamWaiting;
    }

    private final TransactionQueue out;
    private final Object lock = new Object();
    private final Map<TableId, List<Window>> windows = new HashMap<>();
    private final Runnable onSnapshotDone;
    private long seq;
    /** Where a restart resumes after what was emitted (held back while an XA transaction is prepared). */
    private MySqlPosition resume;
    /** The end of the last transaction emitted. */
    private MySqlPosition emittedEnd;
    /** The furthest transaction boundary the stream has passed, including events that are not transactions. */
    private MySqlPosition seen;
    private boolean midFragments;
    private SnapshotProgress progress;
    private long nextChunk;
    private Barrier barrier;
    private boolean aborted;
    private long tableChunks;
    private long tableRows;
    private long rowsSoFar;
    private Copied copied = (table, rows, done) -> { };

    /** @param onSnapshotDone runs once the last chunk is emitted */
    Emitter(TransactionQueue out, MySqlPosition start, Runnable onSnapshotDone) {
        this.out = out;
        this.resume = start.withSnapshot(null);
        this.emittedEnd = resume;
        this.seen = resume;
        this.progress = start.snapshot();
        this.onSnapshotDone = onSnapshotDone;
    }

    // ---- the binlog stream ---------------------------------------------------------------------------------------

    /** A fragment of a transaction too large to hold, not the last one. */
    void fragment(String id, String origin, long commitTime, List<Change> changes, int fragment)
            throws InterruptedException {
        synchronized (lock) {
            // a transaction that begins at or after the barrier's position ends after it
            while (barrier != null && !midFragments && (barrier.at == null || MySqlPosition.compare(seen, barrier.at) >= 0)) {
                waitAtBarrier();
            }
            note(changes);
            out.put(new Transaction(seq, id, origin, commitTime, null, changes, fragment, false));
            midFragments = true;
        }
    }

    /**
     * The last (or only) fragment of a transaction.
     *
     * @param end      the position just after its commit
     * @param resumeAt where a restart resumes once it is committed (before {@code end} while XA transactions are open)
     */
    void commit(String id, String origin, long commitTime, List<Change> changes, int fragment, MySqlPosition end,
                MySqlPosition resumeAt) throws InterruptedException {
        synchronized (lock) {
            while (barrier != null && fragment == 0 && (barrier.at == null || MySqlPosition.compare(end, barrier.at) > 0)) {
                waitAtBarrier();
            }
            note(changes);
            out.put(new Transaction(seq++, id, origin, commitTime, resumeAt.withSnapshot(progress), changes, fragment, true));
            midFragments = false;
            resume = resumeAt;
            emittedEnd = end;
            if (MySqlPosition.compare(end, seen) > 0) seen = end;
            lock.notifyAll();
        }
    }

    /** The stream passed an event outside any transaction (a rotation, a format description, a checkpoint). */
    void passed(MySqlPosition p) {
        synchronized (lock) {
            if (!midFragments && MySqlPosition.compare(p, seen) > 0) {
                seen = p;
                lock.notifyAll();
            }
        }
    }

    private void waitAtBarrier() throws InterruptedException {
        // only once the position is known does waiting mean the stream is done with everything up to it
        if (barrier.at != null) barrier.streamWaiting = true;
        lock.notifyAll();
        await(0);
    }

    /** Waits on the lock; throws once the source is stopping, so that no thread waits for one that has left. */
    private void await(long millis) throws InterruptedException {
        if (aborted) throw new InterruptedException("the source is stopping");
        lock.wait(millis);
        if (aborted) throw new InterruptedException("the source is stopping");
    }

    /** Wakes every waiting thread with an InterruptedException: the source is stopping or failed. */
    void abort() {
        synchronized (lock) {
            aborted = true;
            lock.notifyAll();
        }
    }

    /** Records the keys (and DDL) of tables with open windows. */
    private void note(List<Change> changes) {
        if (windows.isEmpty()) return;
        for (Change c : changes) {
            if (c instanceof RowChange rc) {
                List<Window> open = windows.get(rc.table());
                if (open == null) continue;
                int[] key = rc.schema().keyIndexes();
                for (Window w : open) {
                    if (rc.before() != null) w.changed.add(new RowKey(rc.before(), key));
                    if (rc.after() != null) w.changed.add(new RowKey(rc.after(), key));
                }
            } else if (c instanceof Ddl d) {
                for (TableId t : new TableId[] {d.table(), d.newTable() == null ? null : d.newTable().id()}) {
                    for (Window w : windows.getOrDefault(t, List.of())) w.ddl = true;
                }
            }
        }
    }

    // ---- the snapshot --------------------------------------------------------------------------------------------

    void onCopied(Copied listener) {
        synchronized (lock) {
            copied = listener;
        }
    }

    boolean snapshotting() {
        synchronized (lock) {
            return progress != null;
        }
    }

    /** Starts noting the table's changed keys, before its chunk's snapshot begins. */
    Window open(TableId table) {
        synchronized (lock) {
            Window w = new Window(table, emittedEnd);
            windows.computeIfAbsent(table, t -> new ArrayList<>()).add(w);
            return w;
        }
    }

    void close(Window w) {
        synchronized (lock) {
            List<Window> open = windows.get(w.table);
            if (open != null && open.remove(w) && open.isEmpty()) windows.remove(w.table);
        }
    }

    /**
     * Emits chunk {@code index} of {@code table} once every earlier chunk is emitted, without the rows the stream
     * changed since the window opened. Returns false, emitting nothing, when a DDL on the table came by meanwhile:
     * the chunk must be read again with the new definition.
     *
     * @param last whether no rows of the table follow this chunk
     * @param hi   the key of the chunk's last row, recorded as progress (ignored when last)
     */
    boolean chunk(long index, Window w, TableSchema schema, List<Object[]> rows, long rowsSizeEstimate, boolean last,
                  Object[] hi) throws InterruptedException {
        // built before taking the lock, which the binlog reader and the other snapshot readers wait for
        Transaction tx = Transaction.keyRange(chunkId(index, schema.id()), System.currentTimeMillis(), schema, rows, rowsSizeEstimate);
        synchronized (lock) {
            awaitTurn(index);
            close(w);
            if (w.ddl) return false;
            if (!w.changed.isEmpty()) {
                List<Object[]> unchanged = new ArrayList<>(rows.size());
                long size = 0;
                int[] key = schema.keyIndexes();
                for (Object[] row : rows) {
                    if (w.changed.contains(new RowKey(row, key))) continue;
                    unchanged.add(row);
                    size += Values.sizeEstimate(row);
                }
                tx = Transaction.keyRange(tx.id(), tx.commitTime(), schema, unchanged, size);
            }
            emitChunk(index, schema.id(), tx, last ? null : hi);
            return true;
        }
    }

    /** Moves past a table that no longer exists. */
    void skip(long index, TableId table) throws InterruptedException {
        synchronized (lock) {
            awaitTurn(index);
            emitChunk(index, table, new Transaction(0, chunkId(index, table), "", System.currentTimeMillis(), null, List.of(), 0, true),
                    null);
        }
    }

    private static String chunkId(long index, TableId table) {
        return "snapshot " + table + " chunk " + index;
    }

    /** Logs the end of a table's copy in this run: after a restart, only the chunks read since. */
    private void tableDone(TableId table) {
        LOG.info("Copied {}: {} rows in {} chunk(s) in this run{}", table, tableRows, tableChunks,
                progress.tables().size() > 1 ? ", " + (progress.tables().size() - 1) + " table(s) to go" : "");
        tableChunks = 0;
        tableRows = 0;
    }

    private void awaitTurn(long index) throws InterruptedException {
        if (aborted) throw new InterruptedException("the source is stopping");
        while (nextChunk != index || midFragments) await(0);
    }

    private void emitChunk(long index, TableId table, Transaction tx, Object[] hi) throws InterruptedException {
        if (!progress.current().equals(table)) {
            throw new IllegalStateException("chunk " + index + " of " + table + " while the snapshot is at " + progress);
        }
        tableChunks++;
        tableRows += tx.rowCount();
        copied.copied(table, tx.rowCount(), hi == null);
        if (hi == null) tableDone(table);
        progress = progress.after(hi);
        out.put(tx.numbered(seq++, resume.withSnapshot(progress)));
        nextChunk++;
        lock.notifyAll();
        if (progress == null) onSnapshotDone.run();
    }

    /**
     * Holds the stream for copying a table whole as chunk {@code index}: once earlier chunks are emitted, nothing more
     * is emitted until {@link #release} or {@link #whole}. Returns the end of what the stream has emitted; a
     * snapshot older than that must be taken again.
     */
    MySqlPosition hold(long index) throws InterruptedException {
        synchronized (lock) {
            awaitTurn(index);
            barrier = new Barrier();
            return emittedEnd;
        }
    }

    void release() {
        synchronized (lock) {
            barrier = null;
            lock.notifyAll();
        }
    }

    /** Lets the stream emit up to {@code p}, and waits until it has. */
    void advanceTo(MySqlPosition p) throws InterruptedException, IOException {
        synchronized (lock) {
            barrier.at = p;
            lock.notifyAll();
            long deadline = System.currentTimeMillis() + BARRIER_WAIT_MS;
            while (!barrier.streamWaiting && MySqlPosition.compare(seen, p) < 0) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    throw new IOException("the binlog reader did not reach the snapshot position " + p + " within "
                            + BARRIER_WAIT_MS / 1000 + " s (it is at " + seen + ")");
                }
                await(left);
            }
        }
    }

    /**
     * Emits part of a whole-table copy while the stream is held: first a TRUNCATE of the target table, then rows in
     * fragments of one target transaction; {@code done} ends it, records the table as copied and lets the stream go.
     */
    void whole(long index, TableSchema schema, int fragment, List<Change> rows, boolean done) throws InterruptedException {
        synchronized (lock) {
            if (fragment == 0) {
                String sql = "TRUNCATE TABLE " + MySqlRowReader.quote(schema.id().schema()) + "." + MySqlRowReader.quote(schema.id().table());
                out.put(new Transaction(seq++, "snapshot " + schema.id() + " truncate", "", System.currentTimeMillis(),
                        resume.withSnapshot(progress), List.of(new Ddl(schema.id().schema(), sql, schema.id(), schema)), 0, true));
            }
            if (fragment == 0) rowsSoFar = 0;
            copied.copied(schema.id(), rows.size(), done);
            if (!done) {
                out.put(new Transaction(seq, "snapshot " + schema.id(), "", System.currentTimeMillis(), null, rows, fragment, false));
                rowsSoFar += rows.size();
                return;
            }
            tableChunks = 1;
            tableRows = rowsSoFar + rows.size();
            tableDone(schema.id());
            progress = progress.after(null);
            out.put(new Transaction(seq++, "snapshot " + schema.id(), "", System.currentTimeMillis(),
                    resume.withSnapshot(progress), rows, fragment, true));
            nextChunk++;
            barrier = null;
            lock.notifyAll();
            if (progress == null) onSnapshotDone.run();
        }
    }
}
