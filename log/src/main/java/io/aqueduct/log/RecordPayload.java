package io.aqueduct.log;

import io.aqueduct.core.model.TableSchema;
import io.aqueduct.core.model.Transaction;
import java.util.Arrays;
import java.util.function.Predicate;

/**
 * The transactions in one record's decompressed payload ({@link RecordFormat}): for each, its varint length and its
 * {@link TransactionCodec} encoding. {@link #reset} checks the lengths against the payload, which must end right after
 * the record's last transaction; {@link #check} checks what a decoded transaction says of itself against the record's
 * header. A payload that breaks a rule is an {@link IllegalArgumentException}.
 *
 * <p>The transactions of a record share one schema dictionary (see {@link TransactionCodec}), so a transaction is
 * decoded after the ones before it: {@link #decode} passes over those a reader did not decode yet, keeping their schemas.
 */
final class RecordPayload {
    private final BinaryReader in = new BinaryReader();
    private byte[] raw;
    private int[] offsets = new int[64];
    private int[] lengths = new int[64];
    private long seqno;
    private int count;
    private int fragment;
    private boolean last;
    private long commitTime;
    /** The index of the transaction {@link #next()} moved to last, -1 before the first. */
    private int current = -1;
    /** How many transactions from the first the codec's dictionary covers. */
    private int schemasUpTo;

    /**
     * Starts on the payload {@code raw[0, rawLength)} of a record whose header gives the seqno of its first
     * transaction, their count, the fragment number, the last-fragment flag and the greatest commit time.
     */
    void reset(byte[] raw, int rawLength, long seqno, int count, int fragment, boolean last, long commitTime) {
        in.reset(raw, 0, rawLength);
        // each transaction takes at least its length byte
        if (count < 1 || count > rawLength) throw in.malformed("record says it holds " + count + " transactions in " + rawLength + " bytes");
        if (offsets.length < count) {
            offsets = Arrays.copyOf(offsets, Math.max(count, 2 * offsets.length));
            lengths = Arrays.copyOf(lengths, offsets.length);
        }
        for (int i = 0; i < count; i++) {
            lengths[i] = in.readCount();
            offsets[i] = in.offset();
            in.skip(lengths[i]);
        }
        if (!in.atEnd()) throw in.malformed("bytes after the record's last transaction");
        this.raw = raw;
        this.seqno = seqno;
        this.count = count;
        this.fragment = fragment;
        this.last = last;
        this.commitTime = commitTime;
        current = -1;
        schemasUpTo = 0;
    }

    /** Forgets the payload: {@link #hasNext()} is false until the next {@link #reset}. */
    void clear() {
        count = 0;
        current = -1;
    }

    boolean hasNext() {
        return current + 1 < count;
    }

    /** The seqno of the transaction {@link #next()} moves to. */
    long nextSeqno() {
        return seqno + current + 1;
    }

    /** Moves to the next transaction. */
    void next() {
        if (!hasNext()) throw new IllegalStateException("no transaction left in the record");
        current++;
    }

    /** The current transaction's encoding: at this offset of the payload array, {@link #length()} long. */
    int offset() {
        return offsets[current];
    }

    int length() {
        return lengths[current];
    }

    /**
     * Decodes the current transaction with {@code codec}, which decoded this record's transactions before it or none
     * of them since {@link #reset}: those not decoded yet are passed over with {@link TransactionCodec#NO_ROWS} first.
     */
    Transaction decode(TransactionCodec codec, Predicate<TableSchema> rowsOf) {
        for (; schemasUpTo < current; schemasUpTo++) {
            codec.decode(raw, offsets[schemasUpTo], lengths[schemasUpTo], TransactionCodec.NO_ROWS, schemasUpTo > 0);
        }
        Transaction t = codec.decode(raw, offsets[current], lengths[current], rowsOf, current > 0);
        schemasUpTo = current + 1;
        check(t.seq(), t.fragment(), t.last(), t.commitTime());
        return t;
    }

    /**
     * Checks what the current transaction says of itself against the record's header: its seqno, fragment number and
     * last flag, and its commit time (the header's, or in a block at most the header's).
     */
    void check(long seqno, int fragment, boolean last, long commitTime) {
        long expected = this.seqno + current;
        if (seqno != expected || fragment != this.fragment || last != this.last
                || (count > 1 ? commitTime > this.commitTime : commitTime != this.commitTime)) {
            throw new IllegalArgumentException("the payload of seqno " + expected + " fragment " + this.fragment
                    + " disagrees with its record header");
        }
    }
}
