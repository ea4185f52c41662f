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
import java.util.Arrays;
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
    /**
     * For every row key hash in flight, the lane that holds it and the ticket of the transaction there that last
     * touched it: open addressing over one array of primitives, a slot's key beside its lane and ticket so that a
     * lookup reads one cache line (boxed keys in a HashMap cost the submitting thread a third of its time in a
     * snapshot; three parallel arrays, three cache misses a key).
     */
    private static final class InFlight {
        /** A free slot's second word; a held one's is {@code ticket << 8 | lane}. */
        private static final long FREE = -1;
        private static final int MIN_SLOTS = 1 << 15;
        /** Slot i: {@code table[2i]} the key hash, {@code table[2i + 1]} the ticket and lane, or {@link #FREE}. */
        private long[] table = empty(MIN_SLOTS);
        private int size;

        private static long[] empty(int slots) {
            long[] t = new long[2 * slots];
            for (int i = 1; i < t.length; i += 2) t[i] = FREE;
            return t;
        }

        int size() {
            return size;
        }

        /** The slot holding {@code key}, or the free slot where it would go. */
        private int slot(long key) {
            int mask = (table.length >> 1) - 1;
            // the product's high bits depend on all of the key's bits
            int i = (int) ((key * 0x9E3779B97F4A7C15L) >>> Long.numberOfLeadingZeros(mask)) & mask;
            while (table[2 * i + 1] != FREE && table[2 * i] != key) i = (i + 1) & mask;
            return i;
        }

        /** The slot holding {@code key}, or -1. */
        int find(long key) {
            int i = slot(key);
            return table[2 * i + 1] != FREE ? i : -1;
        }

        int lane(int slot) {
            return (int) (table[2 * slot + 1] & 0xFF);
        }

        long ticket(int slot) {
            return table[2 * slot + 1] >>> 8;
        }

        void put(long key, int lane, long ticket) {
            if (2 * (size + 1) > table.length >> 1) rebuild(2 * (table.length >> 1), null); // doubles
            int i = slot(key);
            if (table[2 * i + 1] == FREE) size++;
            table[2 * i] = key;
            table[2 * i + 1] = ticket << 8 | lane;
        }

        /** Whether an entry is still wanted. */
        interface Keep {
            boolean test(int lane, long ticket);
        }

        /** Keeps only the entries {@code keep} accepts, in a table sized for them. */
        void retain(Keep keep) {
            int live = 0;
            for (int i = 1; i < table.length; i += 2) {
                if (table[i] != FREE && keep.test((int) (table[i] & 0xFF), table[i] >>> 8)) live++;
            }
            rebuild(Math.max(MIN_SLOTS, Integer.highestOneBit(Math.max(1, 4 * live))), keep);
        }

        void clear() {
            table = empty(MIN_SLOTS);
            size = 0;
        }

        private void rebuild(int slots, Keep keep) {
            long[] old = table;
            table = empty(slots);
            size = 0;
            for (int i = 0; i < old.length; i += 2) {
                long v = old[i + 1];
                if (v != FREE && (keep == null || keep.test((int) (v & 0xFF), v >>> 8))) put(old[i], (int) (v & 0xFF), v >>> 8);
            }
        }
    }

    /**
     * A key-range transaction ({@link Transaction#keyRange}) queued without putting its keys in {@link #inFlight}: a
     * snapshot chunk's thousands of keys cost the submitting thread most of its time there, while only the rare
     * transaction that touches the chunk's table before the chunk is committed needs them. That one looks them up
     * here, sorted on first use.
     */
    private static final class Claim {
        final TableId table;
        final Transaction tx;
        final int lane;
        final long ticket;
        private long[] keys;

        Claim(TableId table, Transaction tx, int lane, long ticket) {
            this.table = table;
            this.tx = tx;
            this.lane = lane;
            this.ticket = ticket;
        }

        boolean holds(long key) {
            if (keys == null) {
                keys = keysOf(tx);
                Arrays.sort(keys);
            }
            return Arrays.binarySearch(keys, key) >= 0;
        }
    }

    private final Sink sink;
    private final int batchRows;
    private final CommitTracker tracker;
    private final Lane[] lanes;
    private final InFlight inFlight = new InFlight();
    /** Key ranges queued as {@link Claim}s, until their lanes commit them. */
    private final List<Claim> claims = new ArrayList<>();
    /**
     * Per table, per lane, the ticket of the last transaction there that touched the table through {@link #inFlight}:
     * a key range of the table may skip {@link #inFlight} only when none of them is still uncommitted.
     */
    private final Map<TableId, long[]> touched = new HashMap<>();
    private final Map<TableId, TableSchema> shapes = new HashMap<>();
    /** In-flight keys above which those of committed transactions are dropped: few enough that the table stays in cache. */
    private static final int PRUNE_AT = 1 << 14;
    private int pruneAt = PRUNE_AT;
    /** Rows of the fragmented transaction being submitted, counted when its last fragment arrives. */
    private long fragmentRows;
    private final Object monitor = new Object();
    private volatile Throwable failure;
    private int nextLane;

    public ApplyEngine(Sink sink, int batchRows, long queueBytes, Listener listener) {
        this.sink = sink;
        this.batchRows = batchRows;
        this.tracker = new CommitTracker(listener::committed);
        if (sink.lanes() > 255) throw new IllegalArgumentException("at most 255 lanes, not " + sink.lanes());
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
                claims.clear();
                touched.clear();
            }
            return;
        }
        if (lanes.length == 1) {
            enqueue(0, tx); // one lane keeps source order by itself
            return;
        }
        if (!claims.isEmpty()) claims.removeIf(c -> lanes[c.lane].completed >= c.ticket);
        TableId rangeOf = tx.keyRange() ? ((RowChange) tx.changes().get(0)).table() : null;
        if (rangeOf != null && !touchedInFlight(rangeOf)) {
            int lane = leastLoaded();
            claims.add(new Claim(rangeOf, tx, lane, enqueue(lane, tx)));
            return;
        }
        long[] keys = keysOf(tx);
        int lane = -1;
        for (long k : keys) {
            int slot = inFlight.find(k);
            if (slot < 0) continue;
            lane = follow(lane, inFlight.lane(slot), inFlight.ticket(slot));
        }
        List<TableId> tables = rangeOf != null ? List.of() : tablesOf(tx);
        for (Claim c : claims) {
            // key ranges of one table never share a key, so a range that got here meets only the others' tables
            if (!tables.contains(c.table)) continue;
            for (long k : keys) {
                if (c.holds(k)) {
                    lane = follow(lane, c.lane, c.ticket);
                    break;
                }
            }
        }
        if (lane < 0) lane = leastLoaded();
        long ticket = enqueue(lane, tx);
        for (long k : keys) inFlight.put(k, lane, ticket);
        for (TableId t : tables) touched.computeIfAbsent(t, x -> new long[lanes.length])[lane] = ticket;
        if (inFlight.size() > pruneAt) {
            prune();
            // when that many keys really are in flight, scanning again on the next transaction frees nothing
            pruneAt = Math.max(PRUNE_AT, 2 * inFlight.size());
        }
    }

    /**
     * The lane a transaction goes to, given the lane chosen so far ({@code -1}: none) and a key it shares with the
     * transaction {@code ticket} on lane {@code held}: that lane while the transaction there is uncommitted; when a
     * lane is chosen already, waits until that transaction is committed instead.
     */
    private int follow(int lane, int held, long ticket) throws InterruptedException {
        if (lanes[held].completed >= ticket) return lane;
        if (lane < 0) return held;
        if (lane != held) awaitCompleted(held, ticket);
        return lane;
    }

    /** Whether a transaction that touched the table through {@link #inFlight} is not yet committed. */
    private boolean touchedInFlight(TableId table) {
        long[] tickets = touched.get(table);
        return tickets != null && uncommitted(tickets);
    }

    private boolean uncommitted(long[] ticketPerLane) {
        for (int l = 0; l < ticketPerLane.length; l++) if (lanes[l].completed < ticketPerLane[l]) return true;
        return false;
    }

    /** The tables the transaction's rows are in. */
    private static List<TableId> tablesOf(Transaction tx) {
        List<TableId> tables = new ArrayList<>(2);
        TableSchema last = null;
        for (Change c : tx.changes()) {
            if (c instanceof RowChange rc && rc.schema() != last) {
                last = rc.schema();
                if (!tables.contains(rc.table())) tables.add(rc.table());
            }
        }
        return tables;
    }

    /**
     * Whether the transaction carries a table shape other than the last one seen for that table. Such a transaction
     * runs alone, so that no lane writes rows of the old shape while another one alters the table for the new one.
     */
    private boolean changesShape(Transaction tx) {
        if (tx.keyRange()) { // one shape throughout
            RowChange first = (RowChange) tx.changes().get(0);
            TableSchema prev = shapes.put(first.table(), first.schema());
            return prev != null && prev != first.schema();
        }
        boolean changed = false;
        TableSchema last = null; // runs of changes of one shape are common: their lookup is done once
        for (Change c : tx.changes()) {
            if (c instanceof RowChange rc && rc.schema() != last) {
                last = rc.schema();
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
        inFlight.retain((lane, ticket) -> lanes[lane].completed < ticket);
        touched.values().removeIf(tickets -> !uncommitted(tickets));
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
        long[] keys = new long[Math.max(4, 2 * tx.changes().size())];
        int n = 0;
        TableSchema last = null; // runs of changes of one shape are common: their lookups are done once
        long table = 0;
        int[] idx = null;
        for (Change c : tx.changes()) {
            if (!(c instanceof RowChange rc)) continue;
            if (rc.schema() != last) {
                last = rc.schema();
                table = rc.table().hashCode() * 0x9E3779B97F4A7C15L;
                idx = last.hasKey() ? last.keyIndexes() : null;
            }
            if (n + 2 > keys.length) keys = Arrays.copyOf(keys, 2 * keys.length);
            if (idx == null) {
                keys[n++] = table;
                continue;
            }
            if (rc.before() != null) keys[n++] = keyHash(table, idx, rc.before());
            if (rc.after() != null) {
                long k = keyHash(table, idx, rc.after());
                if (rc.before() == null || k != keys[n - 1]) keys[n++] = k;
            }
        }
        return n == keys.length ? keys : Arrays.copyOf(keys, n);
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
