package io.aqueduct.log;

import io.aqueduct.core.model.TableSchema;
import io.aqueduct.core.model.Transaction;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Reads a log directory transaction by transaction, in seqno order across segments, while a {@link LogWriter} may still
 * be appending to it. Every record's CRC, seqno and fragment number are checked; at a damaged record {@link #next()}
 * throws a {@link LogCorruptException} naming the file and offset, and keeps throwing it, so nothing past the damage is
 * returned.
 *
 * <p>A reader starts at the first record of the log unless told otherwise with {@link #seekToSeqno},
 * {@link #seekToTime} or {@link #seekToSourcePosition}. Not thread-safe.
 *
 * <p>A writer that stops in the middle of a transaction leaves fragments that its next opening cuts off, writing other
 * records in their place; a reader that has read past them would then stand inside those. A reader made with
 * {@link #wholeTransactionsOnly()} therefore starts on a transaction only once its last fragment is in the file, and
 * finds its place again should the writer's recovery delete the newest segment it waits in.
 */
public final class LogReader implements AutoCloseable {
    /** Default spacing of sparse index entries. */
    public static final int DEFAULT_INDEX_INTERVAL_BYTES = 64 * 1024;

    private final Path dir;
    private final int indexIntervalBytes;
    private final TransactionCodec codec = new TransactionCodec();
    private final Map<Codec, Compressor> compressors = new EnumMap<>(Codec.class);
    private final Map<Long, SparseIndex> indexes = new HashMap<>();
    private byte[] raw = new byte[64 * 1024];
    /** The transactions of the record loaded last that are still to be read, from {@link #raw}. */
    private final RecordPayload payload = new RecordPayload();

    /** Null until positioned; {@link #next()} then starts at the beginning of the log. */
    private SegmentFile current;
    /** The next record's place; the loaded record's while {@link #payload} has transactions left. */
    private long offset;
    private long expectedSeqno;
    private int expectedFragment;
    /** Whether the next record may begin before {@link #expectedSeqno}: a seek can land inside a block. */
    private boolean mayStartInside;
    /** The epoch of the record read last, -1 before the first. */
    private long lastEpoch = -1;
    /** Whether a record is loaded (at {@link #offset}) whose transactions are not all read yet. */
    private boolean inRecord;
    /** The size of the loaded record. */
    private int recordSize;

    private boolean wholeOnly;
    private Predicate<TableSchema> rowsOf;
    /** How far the search for the last fragment of transaction {@link #lookaheadSeqno} got, while it is unfinished. */
    private long lookaheadSeqno = -1;
    private long lookaheadOffset;

    private LogReader(Path dir, int indexIntervalBytes) {
        this.dir = dir;
        this.indexIntervalBytes = indexIntervalBytes;
    }

    /** Opens the log in {@code dir}, which may be empty still. */
    public static LogReader open(Path dir) throws IOException {
        return open(dir, DEFAULT_INDEX_INTERVAL_BYTES);
    }

    /** Opens the log in {@code dir} with an index entry about every {@code indexIntervalBytes}. */
    public static LogReader open(Path dir, int indexIntervalBytes) throws IOException {
        if (!Files.isDirectory(dir)) throw new NoSuchFileException(dir.toString(), null, "no relay log directory");
        if (indexIntervalBytes <= 0) throw new IllegalArgumentException("index interval must be positive: " + indexIntervalBytes);
        return new LogReader(dir, indexIntervalBytes);
    }

    /**
     * Makes {@link #next()} start on a transaction only once its last fragment is in the file (it may still be in the
     * writer's buffers before that). Meant for readers that follow a log whose writer may stop, or crash, in the middle
     * of a transaction. Returns this reader.
     */
    public LogReader wholeTransactionsOnly() {
        wholeOnly = true;
        return this;
    }

    /**
     * Makes {@link #next()} leave out the row changes of tables {@code tables} does not accept, without building their
     * values ({@link TransactionCodec#decode(byte[], int, int, Predicate)}). Returns this reader.
     */
    public LogReader rowsOf(Predicate<TableSchema> tables) {
        this.rowsOf = tables;
        return this;
    }

    /**
     * The next record: a whole transaction or one fragment of one, in log order. Returns null when the reader has
     * reached what the writer has written so far; call again later to get what it appends next.
     *
     * @throws LogCorruptException at a damaged record or segment header
     */
    public Transaction next() throws IOException {
        try {
            if (!enterTransaction()) return null;
            Transaction t = payload.decode(codec, rowsOf);
            leaveTransaction(t.last());
            return t;
        } catch (RuntimeException e) {
            throw undecodable(e);
        }
    }

    /** Receives a framed record: valid only during the call. */
    @FunctionalInterface
    public interface FramedRecordConsumer {
        /**
         * @param codec  the payload compression of the record's segment
         * @param record the record as stored, {@link RecordFormat} header and compressed payload, at
         *               {@code [offset, offset + length)}
         */
        void accept(Codec codec, byte[] record, int offset, int length) throws IOException;
    }

    /**
     * Like {@link #next()}, but hands the record as stored to {@code out}: its CRC, seqno and fragment number checked,
     * its payload neither decompressed nor decoded. A record can be a block of several transactions; after a seek into
     * a block, the whole block comes first, and the receiver passes over the transactions before the one sought.
     * Returns false when the reader has reached what the writer has written so far.
     *
     * @throws IllegalStateException when {@link #next()} left a block half read
     */
    public boolean nextFramed(FramedRecordConsumer out) throws IOException {
        if (payload.hasNext()) throw new IllegalStateException("a block is half read by next()");
        if (!atRecord()) return false;
        SegmentFile f = current;
        loadChecked(f);
        out.accept(f.header().codec(), f.array(), f.payloadIndex() - RecordFormat.HEADER_SIZE, f.size());
        mayStartInside = false;
        offset += f.size();
        lastEpoch = f.epoch();
        if (f.last()) {
            expectedSeqno = f.lastSeqno() + 1;
            expectedFragment = 0;
        } else {
            expectedFragment++;
        }
        return true;
    }

    /** The seqno of the last transaction read to its last fragment; the seqno before the start until then. */
    public long lastWholeSeqno() {
        return expectedSeqno - 1;
    }

    /** The epoch of the record read last, -1 before the first. */
    public long lastEpoch() {
        return lastEpoch;
    }

    /** Like {@link #next()}, but reads only what the transaction says before its changes. */
    RecordHead nextHead() throws IOException {
        try {
            if (!enterTransaction()) return null;
            RecordHead h = codec.decodeHead(raw, payload.offset(), payload.length());
            payload.check(h.seqno(), h.fragment(), h.last(), h.commitTime());
            leaveTransaction(h.last());
            return h;
        } catch (RuntimeException e) {
            throw undecodable(e);
        }
    }

    /**
     * Moves {@link #payload} to the next transaction (or fragment) to read, loading the next record when the last one is
     * used up, and passing over the transactions of a block before the one a seek asked for. Returns false when there
     * is nothing to read now.
     */
    private boolean enterTransaction() throws IOException {
        if (!payload.hasNext()) {
            if (!atRecord()) return false;
            SegmentFile f = current;
            loadChecked(f);
            mayStartInside = false;
            inRecord = true;
            recordSize = f.size();
            lastEpoch = f.epoch();
            int rawLength = decompress(f, offset);
            payload.reset(raw, rawLength, f.seqno(), f.count(), f.fragment(), f.last(), f.commitTime());
        }
        while (payload.nextSeqno() < expectedSeqno) payload.next();
        payload.next();
        return true;
    }

    /** Moves past the transaction (or fragment) just read. */
    private void leaveTransaction(boolean last) {
        if (last) {
            expectedSeqno++;
            expectedFragment = 0;
        } else {
            expectedFragment++;
        }
        if (!payload.hasNext()) {
            offset += recordSize;
            inRecord = false;
        }
    }

    /** Whether {@link #current} has a record at {@link #offset} to read now; moves to the next segment when it is time. */
    private boolean atRecord() throws IOException {
        if (current == null && !positionAtStart()) return false;
        boolean refound = false;
        while (true) {
            SegmentFile.Frame frame = current.frame(offset);
            if (frame == SegmentFile.Frame.MALFORMED) {
                throw new LogCorruptException(current.path(), offset, current.malformation());
            }
            if (frame == SegmentFile.Frame.COMPLETE) {
                if (!wholeOnly || expectedFragment > 0 || current.last()) return true;
                if (lastFragmentAhead()) {
                    current.frame(offset); // the search moved the file's record state away
                    return true;
                }
            } else if (moveToNextSegment()) {
                continue;
            }
            // nothing to read now; unless the file waited in is gone, and the expected transaction is elsewhere
            if (!wholeOnly || refound || !current.replaced() || !refind()) return false;
            refound = true;
        }
    }

    /**
     * For the transaction whose first fragment is at {@link #offset}: whether its last fragment is in the file yet.
     * Only record headers are read; anything odd on the way is left for the reading itself to report, at its record.
     */
    private boolean lastFragmentAhead() throws IOException {
        long seqno = current.seqno();
        if (lookaheadSeqno != seqno || lookaheadOffset < offset) {
            lookaheadSeqno = seqno;
            lookaheadOffset = offset;
        }
        long o = lookaheadOffset;
        while (true) {
            SegmentFile.Frame frame = current.frame(o);
            if (frame == SegmentFile.Frame.MALFORMED) return true;
            if (frame != SegmentFile.Frame.COMPLETE) break;
            if (current.seqno() != seqno || current.last()) return true;
            o += current.size();
        }
        lookaheadOffset = o;
        // a transaction never spans segments: once the next one exists, this one stays unfinished for good
        Path after = LogFiles.segmentPath(dir, seqno + 1);
        if (Files.exists(after)) {
            throw new LogCorruptException(current.path(), o, "segment ends inside seqno " + seqno + ", yet the next segment "
                    + after.getFileName() + " exists");
        }
        return false;
    }

    /**
     * The segment this reader waits in was deleted or replaced: a writer reopening the log removed it, holding no whole
     * transaction, and may have created it anew. Finds the place of the transaction expected next again; returns false
     * when the log does not reach it yet.
     */
    private boolean refind() throws IOException {
        if (expectedFragment != 0) {
            // cannot happen to a whole-transactions-only reader unless the writer's machine lost data it had handed over
            throw new IOException("segment " + current.path() + " was replaced while this reader was inside seqno "
                    + expectedSeqno + "; read again from a committed position");
        }
        indexes.clear();
        TreeMap<Long, Path> segments = LogFiles.segments(dir);
        if (segments.isEmpty()) return false;
        if (segments.firstKey() > expectedSeqno) {
            throw new IOException("the relay log in " + dir + " now begins at seqno " + segments.firstKey()
                    + ", after seqno " + expectedSeqno + " which this reader expects next: was it recreated?");
        }
        try {
            seekToSeqno(expectedSeqno);
            return true;
        } catch (IllegalArgumentException e) {
            return false; // not written again yet
        }
    }

    /** Forgets the loaded record, to be loaded again on the next call (it may be half read: a block). */
    private void dropLoadedRecord() {
        if (inRecord) {
            payload.clear();
            inRecord = false;
            mayStartInside = true;
        }
    }

    /**
     * Positions the reader at the first record of transaction {@code seqno}. The seqno right after the last whole
     * transaction is allowed too: the reader then waits for it.
     *
     * @throws IllegalArgumentException when the log is empty, or {@code seqno} is before its first or after that
     */
    public void seekToSeqno(long seqno) throws IOException {
        TreeMap<Long, Path> segments = nonEmptySegments();
        Long base = segments.floorKey(seqno);
        if (base == null) {
            throw new IllegalArgumentException("seqno " + seqno + " is before the start of the relay log in " + dir
                    + ", which begins at " + segments.firstKey());
        }
        SegmentFile f = openSegment(base);
        try {
            SparseIndex index = indexOf(base, f);
            for (long o = index.floorOffsetBySeqno(seqno); f.frame(o) == SegmentFile.Frame.COMPLETE; o += f.size()) {
                if (f.fragment() == 0 && f.seqno() <= seqno && seqno <= f.lastSeqno()) {
                    position(f, o, seqno);
                    return;
                }
                if (f.seqno() > seqno) break;
            }
            if (seqno == index.nextSeqno() && base.equals(segments.lastKey())) {
                position(f, index.wholeEnd(), seqno);
                return;
            }
            if (base.equals(segments.lastKey())) {
                throw new IllegalArgumentException("seqno " + seqno + " is after the end of the relay log in " + dir
                        + ", whose next seqno is " + index.nextSeqno());
            }
            throw new LogCorruptException(f.path(), index.wholeEnd(), "segment ends before seqno " + seqno
                    + ", yet the next segment starts at " + segments.higherKey(base));
        } catch (IOException | RuntimeException e) {
            if (f != current) f.close();
            throw e;
        }
    }

    /**
     * Positions the reader at the first transaction, in log order, whose commit time is at least {@code epochMillis};
     * when there is none yet, after the last whole transaction, to wait for more.
     *
     * @throws IllegalArgumentException when the log is empty
     */
    public void seekToTime(long epochMillis) throws IOException {
        dropLoadedRecord(); // the search reuses its buffer
        TreeMap<Long, Path> segments = nonEmptySegments();
        for (long base : segments.keySet()) {
            SegmentFile f = openSegment(base);
            try {
                SparseIndex index = indexOf(base, f);
                if (index.maxTime() >= epochMillis) {
                    for (long o = index.floorOffsetByTime(epochMillis); f.frame(o) == SegmentFile.Frame.COMPLETE; o += f.size()) {
                        if (f.fragment() == 0 && f.commitTime() >= epochMillis) {
                            // the record's time is its newest transaction's: in a block, find the first late enough
                            long seqno = f.seqno();
                            if (f.count() > 1) {
                                for (RecordHead h : headsAt(f, o)) {
                                    if (h.commitTime() >= epochMillis) {
                                        seqno = h.seqno();
                                        break;
                                    }
                                }
                            }
                            position(f, o, seqno);
                            return;
                        }
                    }
                }
                if (base == segments.lastKey()) {
                    position(f, index.wholeEnd(), index.nextSeqno());
                    return;
                }
            } finally {
                if (f != current) f.close();
            }
        }
    }

    /**
     * Positions the reader at the first whole transaction, in log order, whose source position is at or after
     * {@code positionJson} by {@code order}, at its first record; when there is none yet, after the last whole
     * transaction, to wait for more. A transaction's position is the JSON stored with its last fragment (only whole
     * transactions and last fragments carry one); transactions without a position are passed over.
     *
     * <p>Assumes that positions do not decrease from one transaction to the next (equal ones are fine), as in a log
     * that a capture job appends in its source's order. The segment to start in, and then its index entry, are found
     * by binary search, each probe reading the position of one transaction; only from there on are record heads read
     * one by one. On a log where the assumption does not hold, the reader may land on a later transaction at or after
     * the position instead of the first one.
     *
     * @param order compares two positions' JSON forms in source order; it is given JSON as stored in the log, and
     *              whatever it throws (for a position it cannot parse) comes out of this method
     * @throws IllegalArgumentException when the log is empty
     */
    public void seekToSourcePosition(String positionJson, Comparator<String> order) throws IOException {
        dropLoadedRecord(); // the search reuses its buffer
        Objects.requireNonNull(positionJson, "positionJson");
        Objects.requireNonNull(order, "order");
        List<Long> bases = new ArrayList<>(nonEmptySegments().keySet());
        // the newest segment whose first position is before the one sought: nothing before it is at or after it
        int start = 0;
        for (int lo = 1, hi = bases.size() - 1; lo <= hi; ) {
            int mid = (lo + hi) >>> 1;
            String first;
            try (SegmentFile f = openSegment(bases.get(mid))) {
                first = firstPosition(f, SegmentHeader.SIZE, Long.MAX_VALUE);
            }
            if (first != null && order.compare(first, positionJson) < 0) {
                start = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        for (int i = start; i < bases.size(); i++) {
            long base = bases.get(i);
            SegmentFile f = openSegment(base);
            try {
                SparseIndex index = indexOf(base, f);
                long end = index.wholeEnd();
                long first = SegmentHeader.SIZE; // the first record of the transaction at o
                for (long o = floorOffsetByPosition(f, index, positionJson, order); o < end && f.frame(o) == SegmentFile.Frame.COMPLETE; ) {
                    long next = o + f.size();
                    if (f.fragment() == 0) first = o;
                    if (f.last()) {
                        for (RecordHead h : headsAt(f, o)) {
                            String p = h.positionJson();
                            if (p != null && order.compare(p, positionJson) >= 0) {
                                position(f, first, h.seqno());
                                return;
                            }
                        }
                    }
                    o = next;
                }
                if (i == bases.size() - 1) {
                    position(f, end, index.nextSeqno());
                    return;
                }
            } finally {
                if (f != current) f.close();
            }
        }
    }

    /**
     * Where in the segment to start reading heads for the first transaction at or after {@code positionJson}: the
     * offset of the last index entry whose transaction (or the first one after it that has a position) is before it.
     */
    private long floorOffsetByPosition(SegmentFile f, SparseIndex index, String positionJson, Comparator<String> order)
            throws IOException {
        long found = SegmentHeader.SIZE;
        for (int lo = 1, hi = index.entries() - 1; lo <= hi; ) {
            int mid = (lo + hi) >>> 1;
            String p = firstPosition(f, index.offsetAt(mid), index.wholeEnd());
            if (p != null && order.compare(p, positionJson) < 0) {
                found = index.offsetAt(mid);
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }

    /** The position of the first transaction from offset {@code from} to {@code to} that has one; null when none does. */
    private String firstPosition(SegmentFile f, long from, long to) throws IOException {
        for (long o = from; o < to && f.frame(o) == SegmentFile.Frame.COMPLETE; ) {
            long next = o + f.size();
            if (f.last()) {
                for (RecordHead h : headsAt(f, o)) if (h.positionJson() != null) return h.positionJson();
            }
            o = next;
        }
        return null;
    }

    /**
     * The heads of the transactions in the record just framed at {@code at}, its CRC checked and each head checked
     * against the record's header. Leaves {@code f} on some other place: frame the record again to go on from it.
     */
    private List<RecordHead> headsAt(SegmentFile f, long at) throws IOException {
        f.loadVerified();
        long seqno = f.seqno();
        int count = f.count();
        int fragment = f.fragment();
        boolean last = f.last();
        long commitTime = f.commitTime();
        int rawLength = decompress(f, at);
        RecordPayload p = new RecordPayload();
        List<RecordHead> heads = new ArrayList<>(count);
        try {
            p.reset(raw, rawLength, seqno, count, fragment, last, commitTime);
            while (p.hasNext()) {
                p.next();
                RecordHead h = codec.decodeHead(raw, p.offset(), p.length());
                p.check(h.seqno(), h.fragment(), h.last(), h.commitTime());
                heads.add(h);
            }
        } catch (RuntimeException e) {
            throw new LogCorruptException(f.path(), at, "cannot decode the record of seqno " + seqno + ": " + e.getMessage(), e);
        }
        return heads;
    }

    /**
     * The seqno a writer gives the next transaction: one past the last whole transaction in the log, or the first
     * segment's base seqno when the log holds none yet.
     *
     * @throws IllegalArgumentException when the log is empty
     */
    public long endSeqno() throws IOException {
        TreeMap<Long, Path> segments = nonEmptySegments();
        long base = segments.lastKey();
        try (SegmentFile f = openSegment(base)) {
            return indexOf(base, f).nextSeqno();
        }
    }

    /** The epoch of transaction {@code seqno}, which must be in the log. Moves this reader to after it. */
    long epochOf(long seqno) throws IOException {
        seekToSeqno(seqno);
        if (nextHead() == null) throw new IllegalArgumentException("seqno " + seqno + " is not in the relay log in " + dir);
        return lastEpoch;
    }

    @Override
    public void close() throws IOException {
        for (Compressor c : compressors.values()) c.close();
        compressors.clear();
        if (current != null) {
            current.close();
            current = null;
        }
    }

    /** Decompresses the payload of the loaded record at {@code at} into {@link #raw}; returns its length. */
    private int decompress(SegmentFile f, long at) throws IOException {
        int rawLength = f.rawLength();
        try {
            if (raw.length < rawLength) raw = new byte[Math.max(rawLength, Math.min(2 * raw.length, RecordFormat.MAX_PAYLOAD))];
            compressor(f.header().codec()).decompress(f.array(), f.payloadIndex(), f.compressedLength(), raw, rawLength);
        } catch (RuntimeException e) {
            throw new LogCorruptException(f.path(), at, "cannot decompress the record of seqno " + f.seqno() + " fragment "
                    + f.fragment() + ": " + e.getMessage(), e);
        }
        return rawLength;
    }

    /**
     * Brings the framed record at {@link #offset} into memory and checks its CRC, seqno and fragment number: it must
     * begin with the transaction expected next, or, right after a seek, may be the block that holds it.
     */
    private void loadChecked(SegmentFile f) throws IOException {
        f.loadVerified();
        boolean holds = mayStartInside && expectedFragment == 0 && f.fragment() == 0 && f.seqno() <= expectedSeqno
                && expectedSeqno <= f.lastSeqno();
        if (!holds && (f.seqno() != expectedSeqno || f.fragment() != expectedFragment)) {
            throw new LogCorruptException(f.path(), offset, "expected seqno " + expectedSeqno + " fragment " + expectedFragment
                    + ", found seqno " + f.seqno() + " fragment " + f.fragment());
        }
    }


    /**
     * A record at {@link #offset} that cannot be read (or a problem found before reading one). A record loaded already is
     * read again on the next call, up to the same transaction, so that the reader keeps failing there.
     */
    private RuntimeException undecodable(RuntimeException e) {
        dropLoadedRecord();
        if (e instanceof LogCorruptException || current == null) return e;
        return new LogCorruptException(current.path(), offset, "cannot decode the record holding seqno " + expectedSeqno
                + " fragment " + expectedFragment + ": " + e.getMessage(), e);
    }

    /**
     * Called at the end of what the current segment holds: moves to the next segment once the writer has started it,
     * and returns whether there is more to read now.
     */
    private boolean moveToNextSegment() throws IOException {
        if (expectedFragment != 0) {
            // a transaction never spans segments: its remaining fragments must come to this one
            Path after = LogFiles.segmentPath(dir, expectedSeqno + 1);
            if (Files.exists(after)) {
                throw new LogCorruptException(current.path(), offset, "segment ends inside seqno " + expectedSeqno
                        + " (before fragment " + expectedFragment + "), yet the next segment " + after.getFileName() + " exists");
            }
            return false;
        }
        if (expectedSeqno == current.header().baseSeqno()) return false;
        Path next = LogFiles.segmentPath(dir, expectedSeqno);
        if (!Files.exists(next)) return false;
        // the writer finishes a segment before it creates the next one, so what this one holds now is all it will hold
        SegmentFile.Frame frame = current.frame(offset);
        if (frame == SegmentFile.Frame.COMPLETE) return true;
        if (frame != SegmentFile.Frame.END) {
            throw new LogCorruptException(current.path(), offset, "segment ends in an incomplete record, yet the next segment "
                    + next.getFileName() + " exists");
        }
        position(openSegment(expectedSeqno), SegmentHeader.SIZE, expectedSeqno);
        mayStartInside = false; // a segment begins with the transaction its name says
        return true;
    }

    private boolean positionAtStart() throws IOException {
        TreeMap<Long, Path> segments = LogFiles.segments(dir);
        if (segments.isEmpty()) return false;
        long base = segments.firstKey();
        position(openSegment(base), SegmentHeader.SIZE, base);
        mayStartInside = false;
        return true;
    }

    private void position(SegmentFile f, long at, long seqno) throws IOException {
        if (current != null && current != f) current.close();
        current = f;
        offset = at;
        expectedSeqno = seqno;
        expectedFragment = 0;
        mayStartInside = true;
        payload.clear();
        inRecord = false;
        lookaheadSeqno = -1;
    }

    private SegmentFile openSegment(long base) throws IOException {
        Path path = LogFiles.segmentPath(dir, base);
        SegmentFile f = SegmentFile.open(path);
        if (f.header().baseSeqno() != base) {
            f.close();
            throw new LogCorruptException(path, 8, "header says base seqno " + f.header().baseSeqno() + ", the file name " + base);
        }
        return f;
    }

    private SparseIndex indexOf(long base, SegmentFile f) throws IOException {
        SparseIndex index = indexes.computeIfAbsent(base, b -> new SparseIndex(b, indexIntervalBytes));
        index.extend(f);
        return index;
    }

    private TreeMap<Long, Path> nonEmptySegments() throws IOException {
        TreeMap<Long, Path> segments = LogFiles.segments(dir);
        if (segments.isEmpty()) throw new IllegalArgumentException("the relay log in " + dir + " is empty");
        return segments;
    }

    private Compressor compressor(Codec c) {
        return compressors.computeIfAbsent(c, Compressor::new);
    }
}
