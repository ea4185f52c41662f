package io.aqueduct.core.model;

import java.util.List;

/**
 * A source transaction, or one fragment of a transaction too large to hold in memory. Immutable. Its size estimate is
 * computed once here, because every queue it passes through weighs it.
 */
public final class Transaction {
    /** The bytes {@link #sizeEstimate} counts for the transaction itself, beside its changes. */
    private static final long OVERHEAD = 96;
    private final long seq;
    private final String id;
    private final String origin;
    private final long commitTime;
    private final Position position;
    private final List<Change> changes;
    private final int fragment;
    private final boolean last;
    private final long sizeEstimate;
    private final int rowCount;
    private final boolean hasDdl;
    private final boolean keyRange;

    /**
     * @param seq        the pipeline's own running number, assigned by the source, increasing by one per
     *                   transaction (fragments of one transaction share it)
     * @param id         the source's id for it (GTID, binlog file:offset, LSN)
     * @param origin     the server that originally wrote it (server id, node name), for loop prevention
     * @param commitTime source commit time in epoch milliseconds
     * @param position   where to resume once this transaction is committed (the next transaction boundary);
     *                   meaningful only on the last fragment
     * @param fragment   0 for the first (or only) fragment
     * @param last       whether this is the last fragment
     */
    public Transaction(long seq, String id, String origin, long commitTime, Position position, List<Change> changes,
                       int fragment, boolean last) {
        this.seq = seq;
        this.id = id;
        this.origin = origin;
        this.commitTime = commitTime;
        this.position = position;
        this.changes = List.copyOf(changes);
        this.fragment = fragment;
        this.last = last;
        long size = OVERHEAD;
        int rows = 0;
        boolean ddl = false;
        for (Change c : this.changes) {
            size += c.sizeEstimate();
            if (c instanceof RowChange) rows++;
            else ddl = true;
        }
        this.sizeEstimate = size;
        this.rowCount = rows;
        this.hasDdl = ddl;
        this.keyRange = false;
    }

    private Transaction(long seq, String id, String origin, long commitTime, Position position, List<Change> changes,
                        int fragment, boolean last, long sizeEstimate, int rowCount, boolean hasDdl, boolean keyRange) {
        this.seq = seq;
        this.id = id;
        this.origin = origin;
        this.commitTime = commitTime;
        this.position = position;
        this.changes = changes;
        this.fragment = fragment;
        this.last = last;
        this.sizeEstimate = sizeEstimate;
        this.rowCount = rowCount;
        this.hasDdl = hasDdl;
        this.keyRange = keyRange;
    }

    /**
     * A key range: inserts of {@code rows} into {@code table}, whose key they hold distinct values of, read in one
     * consistent snapshot of a range of the key that no other key range of the table overlaps (a snapshot chunk). Such
     * a transaction needs no order against other key ranges, only against transactions that touch its rows; the apply
     * engine and sinks rely on that. Numbered and placed by {@link #numbered}.
     *
     * @param rowsSizeEstimate the rows' {@link Values#sizeEstimate}s summed: measured by the caller as it reads them,
     *                         while they are in the CPU's cache, rather than here in a second pass
     */
    public static Transaction keyRange(String id, long commitTime, TableSchema table, List<Object[]> rows,
                                       long rowsSizeEstimate) {
        if (!table.hasKey()) throw new IllegalArgumentException("a key range of " + table.id() + ", which has no key");
        Change[] inserts = new Change[rows.size()];
        for (int i = 0; i < inserts.length; i++) inserts[i] = new RowChange(table, RowChange.Op.INSERT, null, rows.get(i));
        return new Transaction(0, id, "", commitTime, null, List.of(inserts), 0, true,
                OVERHEAD + RowChange.OVERHEAD * inserts.length + rowsSizeEstimate, inserts.length, false, true);
    }

    /** This transaction with another position; its changes are shared, not copied or measured again. */
    public Transaction withPosition(Position p) {
        return numbered(seq, p);
    }

    /**
     * This transaction with another sequence number and position, its changes shared: lets a source build and measure
     * a large transaction before it takes the lock under which it numbers and emits it.
     */
    public Transaction numbered(long seq, Position p) {
        return new Transaction(seq, id, origin, commitTime, p, changes, fragment, last, sizeEstimate, rowCount, hasDdl, keyRange);
    }

    /** Whether this is a key range ({@link #keyRange(String, long, TableSchema, List, long)}). */
    public boolean keyRange() {
        return keyRange;
    }

    public long seq() {
        return seq;
    }

    public String id() {
        return id;
    }

    public String origin() {
        return origin;
    }

    public long commitTime() {
        return commitTime;
    }

    public Position position() {
        return position;
    }

    public List<Change> changes() {
        return changes;
    }

    public int fragment() {
        return fragment;
    }

    public boolean last() {
        return last;
    }

    public boolean isWhole() {
        return fragment == 0 && last;
    }

    public boolean hasDdl() {
        return hasDdl;
    }

    public int rowCount() {
        return rowCount;
    }

    public long sizeEstimate() {
        return sizeEstimate;
    }

    @Override
    public String toString() {
        return "Transaction[seq=" + seq + ", id=" + id + ", fragment=" + fragment + (last ? " last" : "") + ", changes="
                + changes.size() + "]";
    }
}
