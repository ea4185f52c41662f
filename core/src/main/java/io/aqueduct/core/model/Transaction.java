package io.aqueduct.core.model;

import java.util.List;

/**
 * A source transaction, or one fragment of a transaction too large to hold in memory.
 *
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
public record Transaction(
        long seq,
        String id,
        String origin,
        long commitTime,
        Position position,
        List<Change> changes,
        int fragment,
        boolean last) {

    public Transaction {
        changes = List.copyOf(changes);
    }

    public boolean isWhole() {
        return fragment == 0 && last;
    }

    public boolean hasDdl() {
        for (Change c : changes) if (c instanceof Ddl) return true;
        return false;
    }

    public int rowCount() {
        int n = 0;
        for (Change c : changes) if (c instanceof RowChange) n++;
        return n;
    }

    public long sizeEstimate() {
        long n = 96;
        for (Change c : changes) n += c.sizeEstimate();
        return n;
    }
}
