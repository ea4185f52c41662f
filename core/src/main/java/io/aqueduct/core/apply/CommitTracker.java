package io.aqueduct.core.apply;

import io.aqueduct.core.model.Position;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Turns out-of-order lane completions into the committed position: the position of the newest transaction
 * such that it and every transaction submitted before it are committed (the minimum over lanes).
 */
final class CommitTracker {
    private static final class Entry {
        final long seq;
        final Position position;
        final long commitTime;
        final int rows;
        boolean done;

        Entry(long seq, Position position, long commitTime, int rows) {
            this.seq = seq;
            this.position = position;
            this.commitTime = commitTime;
            this.rows = rows;
        }
    }

    /** What the tracker reports each time the committed position moves. */
    interface Listener {
        void committed(Position position, long commitTime, long transactions, long rows);
    }

    private final ArrayDeque<Entry> pending = new ArrayDeque<>();
    private final Map<Long, Entry> bySeq = new HashMap<>();
    private final Listener listener;

    CommitTracker(Listener listener) {
        this.listener = listener;
    }

    synchronized void register(long seq, Position position, long commitTime, int rows) {
        Entry e = new Entry(seq, position, commitTime, rows);
        pending.addLast(e);
        bySeq.put(seq, e);
    }

    synchronized void done(long seq) {
        Entry e = bySeq.remove(seq);
        if (e == null) throw new IllegalStateException("transaction " + seq + " was never registered");
        e.done = true;
        Entry last = null;
        long txs = 0;
        long rows = 0;
        while (!pending.isEmpty() && pending.peekFirst().done) {
            last = pending.removeFirst();
            txs++;
            rows += last.rows;
        }
        if (last != null) listener.committed(last.position, last.commitTime, txs, rows);
    }

    synchronized int pendingCount() {
        return pending.size();
    }
}
