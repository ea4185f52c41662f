package io.aqueduct.log;

import io.aqueduct.core.model.Transaction;
import java.util.Objects;

/**
 * What a record says about its transaction, without the changes: read by {@link LogReader#nextHead()} to compare
 * records with transactions cheaply.
 *
 * @param positionJson the source position's JSON form, null when the transaction had none
 * @param changeCount  how many changes the record holds
 */
record RecordHead(long seqno, int fragment, boolean last, long commitTime, String id, String origin, String positionJson,
                  int changeCount) {

    boolean isWhole() {
        return fragment == 0 && last;
    }

    /**
     * Whether this record and {@code t} are, as far as their heads tell, the same record of the same source
     * transaction: same fragment number and last flag, id, origin, commit time, number of changes and source position,
     * which a last fragment (or whole transaction) must have. The seqno is not compared: a capture job numbers its
     * transactions afresh on every run.
     */
    boolean matches(Transaction t) {
        String position = t.position() == null ? null : t.position().toJson();
        return fragment == t.fragment() && last == t.last() && commitTime == t.commitTime()
                && changeCount == t.changes().size() && Objects.equals(id, t.id()) && Objects.equals(origin, t.origin())
                && Objects.equals(positionJson, position) && (!last || position != null);
    }
}
