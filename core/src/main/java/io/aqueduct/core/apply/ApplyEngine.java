package io.aqueduct.core.apply;

import io.aqueduct.core.model.Position;
import io.aqueduct.core.model.RowChange;
import io.aqueduct.core.model.Transaction;
import io.aqueduct.core.model.Change;
import io.aqueduct.core.model.TableId;
import io.aqueduct.core.model.TableSchema;
import io.aqueduct.core.model.Values;
import io.aqueduct.core.pipeline.Sink;
import io.aqueduct.core.pipeline.TransactionQueue;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Applies a stream of transactions on parallel lanes without ever reordering two changes to the same row and
 * without splitting a source transaction across target commits.
 *
 * <p>A transaction goes whole to one lane. The engine remembers, for every row key still in flight, which lane
 * holds it; a transaction touching keys held by one lane goes to that lane, one touching keys held by several
 * lanes waits until all but one of them have committed those keys. Keyless tables use the table itself as the
 * key. DDL and fragments of large transactions run alone on lane 0 with every other lane idle. Each lane merges
 * the queued whole transactions into one target commit of at most {@code batchRows} rows. The committed position
 * is reported through a {@link CommitTracker}, so it never passes a transaction that is not yet committed.
 */
public final class ApplyEngine implements AutoCloseable {
    /** The lane that holds a key and the ticket of the transaction there that last touched it. */
    private record Owner(int lane, long ticket) {}

    private final Sink sink;
    private final int batchRows;
    private final CommitTracker tracker;
    private final Lane[] lanes;
    private final Map<Long, Owner> inFlight = new HashMap<>();
    private final Map<TableId, TableSchema> shapes = new HashMap<>();
    private int pruneAt = 200_000;
    /** Rows of the fragmented transaction being submitted, counted when its last fragment arrives. */
    private long fragmentRows;
    private final Object monitor = new Object();
    private volatile Throwable failure;
    private int nextLane;

    public ApplyEngine(Sink sink, int batchRows, long queueBytes, Listener listener) {
        this.sink = sink;
        this.batchRows = batchRows;
        this.tracker = new CommitTracker(listener::committed);
        this.lanes = new Lane[sink.lanes()];
        for (int i = 0; i < lanes.length; i++) {
            lanes[i] = new Lane(i, new TransactionQueue(Math.max(1, queueBytes / lanes.length)));
            lanes[i].thread.start();
        }
    }

    /** Receives every move of the committed position, from a lane thread. */
    public interface Listener {
        void committed(Position position, long commitTime, long transactions, long rows);
    }

    /** Hands over the next transaction in source order; blocks when lanes are full. */
    public void submit(Transaction tx) throws InterruptedException {
        checkFailure();
        if (!tx.isWhole()) fragmentRows += tx.rowCount();
        if (tx.last()) {
            tracker.register(tx.seq(), tx.position(), tx.commitTime(), tx.isWhole() ? tx.rowCount() : (int) fragmentRows);
            fragmentRows = 0;
        }
        if (tx.changes().isEmpty() && tx.isWhole()) {
            tracker.done(tx.seq());
            return;
        }
        boolean newShape = changesShape(tx); // evaluated for every transaction, so every shape is remembered
        if (!tx.isWhole() || tx.hasDdl() || newShape) {
            if (tx.fragment() == 0) awaitIdle();
            enqueue(0, tx);
            if (tx.last()) {
                awaitIdle();
                inFlight.clear();
            }
            return;
        }
        if (lanes.length == 1) {
            enqueue(0, tx); // one lane keeps source order by itself
            return;
        }
        long[] keys = keysOf(tx);
        int lane = -1;
        for (long k : keys) {
            Owner o = inFlight.get(k);
            if (o == null || lanes[o.lane].completed >= o.ticket) continue;
            if (lane < 0) lane = o.lane;
            else if (lane != o.lane) awaitCompleted(o.lane, o.ticket);
        }
        if (lane < 0) lane = leastLoaded();
        Owner owner = new Owner(lane, enqueue(lane, tx));
        for (long k : keys) inFlight.put(k, owner);
        if (inFlight.size() > pruneAt) {
            prune();
            // when that many keys really are in flight, scanning again on the next transaction frees nothing
            pruneAt = Math.max(200_000, 2 * inFlight.size());
        }
    }

    /**
     * Whether the transaction carries a table shape other than the last one seen for that table. Such a transaction
     * runs alone, so that no lane writes rows of the old shape while another one alters the table for the new one.
     */
    private boolean changesShape(Transaction tx) {
        boolean changed = false;
        for (Change c : tx.changes()) {
            if (c instanceof RowChange rc) {
                TableSchema prev = shapes.put(rc.table(), rc.schema());
                if (prev != null && prev != rc.schema()) changed = true;
            }
        }
        return changed;
    }

    /** Whether every submitted transaction is committed. */
    public boolean idle() {
        for (Lane l : lanes) if (l.completed < l.submitted) return false;
        return true;
    }

    /** Waits until every submitted transaction is committed. */
    public void flush() throws InterruptedException {
        awaitIdle();
    }


    /** Throws the first lane failure, if any, to the caller. */
    public void checkFailure() {
        Throwable f = failure;
        if (f != null) throw new ApplyFailedException(f);
    }

    /** Queues the transaction on the lane and returns its ticket there. */
    private long enqueue(int lane, Transaction tx) throws InterruptedException {
        if (!lanes[lane].queue.put(tx)) checkFailure();
        return ++lanes[lane].submitted;
    }

    private int leastLoaded() {
        int best = nextLane;
        long bestBytes = Long.MAX_VALUE;
        for (int i = 0; i < lanes.length; i++) {
            int l = (nextLane + i) % lanes.length;
            long b = lanes[l].queue.bytes() + (lanes[l].busy ? 1 : 0);
            if (b < bestBytes) {
                best = l;
                bestBytes = b;
            }
        }
        nextLane = (best + 1) % lanes.length;
        return best;
    }

    private void prune() {
        inFlight.values().removeIf(o -> lanes[o.lane].completed >= o.ticket);
    }

    private void awaitCompleted(int lane, long ticket) throws InterruptedException {
        synchronized (monitor) {
            while (lanes[lane].completed < ticket) {
                checkFailure();
                monitor.wait(100);
            }
        }
    }

    private void awaitIdle() throws InterruptedException {
        for (Lane l : lanes) awaitCompleted(l.index, l.submitted);
    }

    private static long[] keysOf(Transaction tx) {
        List<Long> keys = new ArrayList<>();
        for (Change c : tx.changes()) {
            if (!(c instanceof RowChange rc)) continue;
            long table = rc.table().hashCode() * 0x9E3779B97F4A7C15L;
            if (!rc.schema().hasKey()) {
                keys.add(table);
                continue;
            }
            int[] idx = rc.schema().keyIndexes();
            if (rc.before() != null) keys.add(keyHash(table, idx, rc.before()));
            if (rc.after() != null) {
                long k = keyHash(table, idx, rc.after());
                if (rc.before() == null || k != keys.get(keys.size() - 1)) keys.add(k);
            }
        }
        long[] out = new long[keys.size()];
        for (int i = 0; i < out.length; i++) out[i] = keys.get(i);
        return out;
    }

    private static long keyHash(long table, int[] idx, Object[] row) {
        long h = table;
        for (int i : idx) h = h * 31 + Values.hash(row[i]);
        return h * 0xC2B2AE3D27D4EB4FL;
    }

    @Override
    public void close() {
        for (Lane l : lanes) {
            l.running = false;
            l.queue.close();
        }
        for (Lane l : lanes) {
            try {
                l.thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Thrown to the submitting thread when a lane failed; the cause is the lane's error. */
    public static final class ApplyFailedException extends RuntimeException {
        ApplyFailedException(Throwable cause) {
            super(cause.getMessage(), cause);
        }
    }

    private final class Lane implements Runnable {
        final int index;
        final TransactionQueue queue;
        final Thread thread;
        /** Transactions (or fragments) queued on and committed by this lane, counted from zero. */
        volatile long completed;
        volatile long submitted;
        volatile boolean running = true;
        volatile boolean busy;

        Lane(int index, TransactionQueue queue) {
            this.index = index;
            this.queue = queue;
            this.thread = new Thread(this, "apply-lane-" + index);
            this.thread.setDaemon(true);
        }

        @Override
        public void run() {
            List<Transaction> batch = new ArrayList<>();
            try {
                while (running) {
                    Transaction first = queue.take(200, TimeUnit.MILLISECONDS);
                    if (first == null) continue;
                    busy = true;
                    batch.clear();
                    batch.add(first);
                    if (first.isWhole() && !first.hasDdl()) {
                        int rows = first.rowCount();
                        while (rows < batchRows) {
                            int room = batchRows - rows;
                            Transaction next = queue.pollIf(t -> t.isWhole() && !t.hasDdl() && t.rowCount() <= room);
                            if (next == null) break;
                            batch.add(next);
                            rows += next.rowCount();
                        }
                    }
                    sink.apply(index, batch);
                    for (Transaction t : batch) if (t.last()) tracker.done(t.seq());
                    busy = false;
                    synchronized (monitor) {
                        completed += batch.size();
                        monitor.notifyAll();
                    }
                }
            } catch (Throwable t) {
                failure = t;
                queue.close(); // wakes a submit blocked on this lane's full queue, which then sees the failure
                synchronized (monitor) {
                    monitor.notifyAll();
                }
            }
        }
    }
}
