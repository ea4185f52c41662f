package io.aqueduct.log;

import java.io.IOException;
import java.util.Arrays;

/**
 * An in-memory index of one segment, built by scanning its record headers: an entry about every {@code intervalBytes},
 * always at the first record of a transaction (or of a block of them), holding its first seqno, its offset, and the
 * greatest commit time of the
 * segment's transactions before it. Commit times need not increase from one transaction to the next; that running
 * maximum does, so both lookups are binary searches.
 */
final class SparseIndex {
    private final int intervalBytes;
    private long[] seqnos = new long[16];
    private long[] offsets = new long[16];
    private long[] maxTimesBefore = new long[16];
    private int size;

    private long wholeEnd = SegmentHeader.SIZE;
    private long nextSeqno;
    private long maxTime = Long.MIN_VALUE;

    SparseIndex(long baseSeqno, int intervalBytes) {
        this.nextSeqno = baseSeqno;
        this.intervalBytes = intervalBytes;
    }

    /**
     * Indexes the whole transactions written since the last call. A transaction still missing its last fragment is
     * left for a later call: a writer reopened after a crash or stop may cut it and write something else there.
     */
    void extend(SegmentFile f) throws IOException {
        long offset = wholeEnd;
        long start = offset;
        long seqno = nextSeqno;
        long time = Long.MIN_VALUE;
        while (f.frame(offset) == SegmentFile.Frame.COMPLETE) {
            if (f.fragment() == 0) {
                start = offset;
                seqno = f.seqno();
                time = f.commitTime();
            }
            offset += f.size();
            if (f.last()) {
                if (size == 0 || start - offsets[size - 1] >= intervalBytes) add(seqno, start, maxTime);
                maxTime = Math.max(maxTime, time);
                wholeEnd = offset;
                nextSeqno = f.lastSeqno() + 1;
            }
        }
    }

    /** Where to start looking for the transaction {@code seqno}: at or before its first record. */
    long floorOffsetBySeqno(long seqno) {
        int lo = 0;
        int hi = size - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (seqnos[mid] <= seqno) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found < 0 ? SegmentHeader.SIZE : offsets[found];
    }

    /** Where to start looking for the first transaction with a commit time of at least {@code time}. */
    long floorOffsetByTime(long time) {
        int lo = 0;
        int hi = size - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (maxTimesBefore[mid] < time) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found < 0 ? SegmentHeader.SIZE : offsets[found];
    }

    /** The greatest commit time in the segment so far, {@link Long#MIN_VALUE} when it has no records. */
    long maxTime() {
        return maxTime;
    }

    /** The end of the segment's last whole transaction. */
    long wholeEnd() {
        return wholeEnd;
    }

    /** The seqno of the transaction after the segment's last whole one. */
    long nextSeqno() {
        return nextSeqno;
    }

    int entries() {
        return size;
    }

    /** The seqno of entry {@code i}, {@code 0 <= i < entries()}. */
    long seqnoAt(int i) {
        return seqnos[i];
    }

    /** The offset of entry {@code i}: the first record of transaction {@link #seqnoAt}. */
    long offsetAt(int i) {
        return offsets[i];
    }

    /** The greatest commit time of the segment's transactions before entry {@code i}, {@link Long#MIN_VALUE} for none. */
    long maxTimeBeforeAt(int i) {
        return maxTimesBefore[i];
    }

    private void add(long seqno, long offset, long maxTimeBefore) {
        if (size == seqnos.length) {
            seqnos = Arrays.copyOf(seqnos, 2 * size);
            offsets = Arrays.copyOf(offsets, 2 * size);
            maxTimesBefore = Arrays.copyOf(maxTimesBefore, 2 * size);
        }
        seqnos[size] = seqno;
        offsets[size] = offset;
        maxTimesBefore[size] = maxTimeBefore;
        size++;
    }
}
