package io.aqueduct.log;

/**
 * Walks the transactions in one record's decompressed payload ({@link RecordFormat}): for each, its varint length and
 * its {@link TransactionCodec} encoding. The lengths are checked against the payload, the payload must end right
 * after the record's last transaction, and each transaction decoded must agree with the record's header; a payload
 * that breaks a rule is an {@link IllegalArgumentException}.
 */
final class RecordPayload {
    private final BinaryReader in = new BinaryReader();
    private long nextSeqno;
    private int left;
    private int offset;
    private int length;
    private int count;
    private int fragment;
    private boolean last;
    private long commitTime;

    /**
     * Starts on the payload {@code raw[0, rawLength)} of a record whose header gives the seqno of its first
     * transaction, their count, the fragment number, the last-fragment flag and the greatest commit time.
     */
    void reset(byte[] raw, int rawLength, long seqno, int count, int fragment, boolean last, long commitTime) {
        in.reset(raw, 0, rawLength);
        nextSeqno = seqno;
        left = count;
        this.count = count;
        this.fragment = fragment;
        this.last = last;
        this.commitTime = commitTime;
    }

    /**
     * Checks what the transaction {@link #next()} moved to says of itself against the record's header: its seqno,
     * fragment number and last flag, and its commit time (the header's, or in a block at most the header's).
     */
    void check(long seqno, int fragment, boolean last, long commitTime) {
        long expected = nextSeqno - 1;
        if (seqno != expected || fragment != this.fragment || last != this.last
                || (count > 1 ? commitTime > this.commitTime : commitTime != this.commitTime)) {
            throw new IllegalArgumentException("the payload of seqno " + expected + " fragment " + this.fragment
                    + " disagrees with its record header");
        }
    }

    /** Forgets the payload: {@link #hasNext()} is false until the next {@link #reset}. */
    void clear() {
        left = 0;
    }

    boolean hasNext() {
        return left > 0;
    }

    /** The seqno of the transaction {@link #next()} moves to. */
    long nextSeqno() {
        return nextSeqno;
    }

    /** Moves to the next transaction, whose encoding is then at {@link #offset()} in the array, {@link #length()} long. */
    void next() {
        if (left <= 0) throw new IllegalStateException("no transaction left in the record");
        length = in.readCount();
        offset = in.offset();
        in.skip(length);
        left--;
        nextSeqno++;
        if (left == 0 && !in.atEnd()) throw in.malformed("bytes after the record's last transaction");
    }

    int offset() {
        return offset;
    }

    int length() {
        return length;
    }
}
