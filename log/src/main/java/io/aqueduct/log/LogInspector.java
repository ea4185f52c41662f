package io.aqueduct.log;

import io.aqueduct.core.model.Transaction;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Read-only access to a log's files for operator tools: segment headers, record headers with their place in the file,
 * the sparse index, and a checked walk over every record. It reads the files itself, independently of
 * {@link LogReader}, and checks what a reader checks: segment headers, record frames, CRCs, the run of seqnos and
 * fragment numbers within and across segments, and (when decoding) payloads. Not thread-safe.
 */
public final class LogInspector implements AutoCloseable {
    private final Path dir;
    private final TransactionCodec codec = new TransactionCodec();
    private final Map<Codec, Compressor> compressors = new EnumMap<>(Codec.class);
    private byte[] raw = new byte[64 * 1024];
    private final RecordPayload payload = new RecordPayload();

    private LogInspector(Path dir) {
        this.dir = dir;
    }

    /** @throws NoSuchFileException when {@code dir} is not a directory */
    public static LogInspector open(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) throw new NoSuchFileException(dir.toString(), null, "no relay log directory");
        return new LogInspector(dir);
    }

    /** A segment file as its header describes it. */
    public record Segment(Path file, long baseSeqno, Codec codec, long epoch, UUID fileId, long bytes) {}

    /**
     * What a record's header says, and where it is.
     *
     * @param offset     the record's first byte in {@code file}
     * @param size       its size in the file, header included
     * @param seqno      the seqno of its first transaction
     * @param commitTime the greatest commit time of its transactions
     * @param count      how many transactions it holds: more than one in a block, 1 for a fragment
     */
    public record Record(Path file, long offset, int size, long seqno, int fragment, boolean last, long epoch,
                         long commitTime, int rawLength, int compressedLength, int count) {
        /** The seqno of its last transaction. */
        public long lastSeqno() {
            return seqno + count - 1;
        }
    }

    /** How the log ends. */
    public enum Tail {
        /** After a whole transaction. */
        CLEAN,
        /** In the middle of a transaction: a writer is appending its fragments, or stopped before its last one. */
        UNFINISHED_TRANSACTION,
        /** In a record that continues past the end of the file: being written, or torn by a crash. */
        INCOMPLETE_RECORD,
        /** In zero bytes up to the end of the file, left by a crash. */
        ZEROS
    }

    /**
     * Where a walk ended.
     *
     * @param nextSeqno  the seqno after the last whole transaction walked over; -1 for a log without segments
     * @param tail       how the log ends, when the walk reached its end
     * @param tailFile   the newest segment, when the walk reached the end; else null
     * @param tailOffset the end of the last whole transaction in it, where a writer's recovery would cut a tail
     * @param stopped    whether the visitor stopped the walk before the end
     */
    public record End(long nextSeqno, Tail tail, Path tailFile, long tailOffset, boolean stopped) {}

    /** Receives the records of a walk. */
    @FunctionalInterface
    public interface Visitor {
        /**
         * Called once per record when the walk does not decode; when it does, once per transaction (or fragment) with
         * the record that holds it, so a block comes as several calls with the same record.
         *
         * @param t the decoded transaction, or null when the walk does not decode
         * @return whether to go on
         */
        boolean visit(Record r, Transaction t) throws IOException;
    }

    /**
     * An entry of a segment's sparse index.
     *
     * @param commitTime          the commit time of the record that starts there (of a block: its latest)
     * @param maxCommitTimeBefore the greatest commit time of the segment's transactions before it, {@link Long#MIN_VALUE}
     *                            for none
     */
    public record IndexEntry(long seqno, long offset, long commitTime, long maxCommitTimeBefore) {}

    /** The directory. */
    public Path dir() {
        return dir;
    }

    /**
     * The segments, oldest first, each with its header checked and its base seqno compared with its file name.
     *
     * @throws LogCorruptException at a damaged header
     */
    public List<Segment> segments() throws IOException {
        List<Segment> out = new ArrayList<>();
        for (Map.Entry<Long, Path> e : LogFiles.segments(dir).entrySet()) {
            try (SegmentFile f = openSegment(e.getKey(), e.getValue())) {
                SegmentHeader h = f.header();
                out.add(new Segment(e.getValue(), h.baseSeqno(), h.codec(), h.epoch(), h.fileId(), f.fileSize()));
            }
        }
        return out;
    }

    /**
     * The sparse index of a segment as a reader builds it, with an entry about every {@code intervalBytes}, over the
     * segment's whole transactions.
     */
    public List<IndexEntry> index(Segment s, int intervalBytes) throws IOException {
        if (intervalBytes <= 0) throw new IllegalArgumentException("index interval must be positive: " + intervalBytes);
        try (SegmentFile f = openSegment(s.baseSeqno(), s.file())) {
            SparseIndex index = new SparseIndex(s.baseSeqno(), intervalBytes);
            index.extend(f);
            List<IndexEntry> out = new ArrayList<>(index.entries());
            for (int i = 0; i < index.entries(); i++) {
                long offset = index.offsetAt(i);
                if (f.frame(offset) != SegmentFile.Frame.COMPLETE) {
                    throw new LogCorruptException(s.file(), offset, "the record indexed at this offset is gone");
                }
                out.add(new IndexEntry(index.seqnoAt(i), offset, f.commitTime(), index.maxTimeBeforeAt(i)));
            }
            return out;
        }
    }

    /**
     * Walks the records in log order, from the first record of transaction {@code fromSeqno} (or of the first one
     * after, or from the start when it is before the log), checking frames and the run of seqnos and fragment numbers;
     * with {@code decode} also each record's CRC, and its payload decompressed and decoded.
     *
     * <p>Records of a transaction the writer is still appending, or stopped in, are visited; {@link End#tail()} then
     * says so.
     *
     * @throws LogCorruptException at damage, naming the file and offset
     */
    public End walk(long fromSeqno, boolean decode, Visitor visitor) throws IOException {
        TreeMap<Long, Path> segments = LogFiles.segments(dir);
        if (segments.isEmpty()) return new End(-1, Tail.CLEAN, null, 0, false);
        List<Map.Entry<Long, Path>> list = new ArrayList<>(segments.entrySet());
        long expectedSeqno = -1;
        for (int i = 0; i < list.size(); i++) {
            long base = list.get(i).getKey();
            Path path = list.get(i).getValue();
            boolean newest = i == list.size() - 1;
            if (expectedSeqno >= 0 && base != expectedSeqno) {
                throw new LogCorruptException(path, 8, "the segment before it ends after seqno " + (expectedSeqno - 1)
                        + ", so this one should start at seqno " + expectedSeqno + ", not " + base);
            }
            if (!newest && list.get(i + 1).getKey() <= fromSeqno) {
                expectedSeqno = list.get(i + 1).getKey(); // nothing wanted in it: not read
                continue;
            }
            try (SegmentFile f = openSegment(base, path)) {
                expectedSeqno = base;
                int expectedFragment = 0;
                long wholeEnd = SegmentHeader.SIZE;
                for (long o = SegmentHeader.SIZE; ; ) {
                    SegmentFile.Frame frame = f.frame(o);
                    if (frame == SegmentFile.Frame.MALFORMED) throw new LogCorruptException(path, o, f.malformation());
                    if (frame == SegmentFile.Frame.COMPLETE) {
                        if (decode) f.loadVerified();
                        if (f.seqno() != expectedSeqno || f.fragment() != expectedFragment) {
                            throw new LogCorruptException(path, o, "expected seqno " + expectedSeqno + " fragment "
                                    + expectedFragment + ", found seqno " + f.seqno() + " fragment " + f.fragment());
                        }
                        Record r = new Record(path, o, f.size(), f.seqno(), f.fragment(), f.last(), f.epoch(), f.commitTime(),
                                f.rawLength(), f.compressedLength(), f.count());
                        if (r.lastSeqno() >= fromSeqno) {
                            if (!decode) {
                                if (!visitor.visit(r, null)) return new End(expectedSeqno, null, null, 0, true);
                            } else {
                                for (Transaction t : decode(f, r)) {
                                    if (t.seq() >= fromSeqno && !visitor.visit(r, t)) return new End(t.seq(), null, null, 0, true);
                                }
                            }
                        }
                        o += r.size();
                        if (r.last()) {
                            expectedSeqno = r.lastSeqno() + 1;
                            expectedFragment = 0;
                            wholeEnd = o;
                        } else {
                            expectedFragment++;
                        }
                        continue;
                    }
                    // the end of what the file holds
                    if (!newest) {
                        if (frame != SegmentFile.Frame.END) {
                            throw new LogCorruptException(path, o, (frame == SegmentFile.Frame.ZEROS ? "zero bytes where a record "
                                    + "should be" : "the segment ends in an incomplete record") + ", yet the next segment "
                                    + list.get(i + 1).getValue().getFileName() + " exists");
                        }
                        if (expectedFragment != 0) {
                            throw new LogCorruptException(path, o, "the segment ends inside seqno " + expectedSeqno
                                    + " (before fragment " + expectedFragment + "), yet the next segment "
                                    + list.get(i + 1).getValue().getFileName() + " exists");
                        }
                        break;
                    }
                    if (frame == SegmentFile.Frame.ZEROS && !f.zerosToEnd(o)) {
                        throw new LogCorruptException(path, o, "zero bytes where a record should be, followed by data");
                    }
                    Tail tail = switch (frame) {
                        case ZEROS -> Tail.ZEROS;
                        case INCOMPLETE -> Tail.INCOMPLETE_RECORD;
                        default -> expectedFragment != 0 ? Tail.UNFINISHED_TRANSACTION : Tail.CLEAN;
                    };
                    return new End(expectedSeqno, tail, path, wholeEnd, false);
                }
            }
        }
        throw new IllegalStateException("unreachable: the newest segment ends the walk");
    }

    /**
     * The decompressed payload of a record a walk visited (see {@link RecordFormat}): for each of its transactions, the
     * varint length and the encoding. For tools that look at what the log compresses.
     *
     * @throws LogCorruptException when the record is no longer there as the walk saw it, or is damaged
     */
    public byte[] payload(Record r) throws IOException {
        try (SegmentFile f = SegmentFile.open(r.file())) {
            if (f.frame(r.offset()) != SegmentFile.Frame.COMPLETE || f.seqno() != r.seqno() || f.size() != r.size()) {
                throw new LogCorruptException(r.file(), r.offset(), "the record of seqno " + r.seqno() + " is no longer there");
            }
            f.loadVerified();
            try {
                return Arrays.copyOf(raw, decompress(f));
            } catch (RuntimeException e) {
                throw new LogCorruptException(r.file(), r.offset(), "cannot decompress the record of seqno " + r.seqno() + ": "
                        + e.getMessage(), e);
            }
        }
    }

    @Override
    public void close() {
        for (Compressor c : compressors.values()) c.close();
        compressors.clear();
    }

    private List<Transaction> decode(SegmentFile f, Record r) {
        List<Transaction> out = new ArrayList<>(r.count());
        try {
            payload.reset(raw, decompress(f), r.seqno(), r.count(), r.fragment(), r.last(), r.commitTime());
            while (payload.hasNext()) {
                payload.next();
                out.add(payload.decode(codec, null));
            }
        } catch (RuntimeException e) {
            throw new LogCorruptException(r.file(), r.offset(), "cannot decode the record of seqno " + r.seqno() + " fragment "
                    + r.fragment() + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** Decompresses the payload of the record loaded in {@code f} into {@link #raw}; returns its length. */
    private int decompress(SegmentFile f) {
        int rawLength = f.rawLength();
        if (raw.length < rawLength) raw = new byte[Math.max(rawLength, Math.min(2 * raw.length, RecordFormat.MAX_PAYLOAD))];
        compressors.computeIfAbsent(f.header().codec(), Compressor::new)
                .decompress(f.array(), f.payloadIndex(), f.compressedLength(), raw, rawLength);
        return rawLength;
    }

    private static SegmentFile openSegment(long base, Path path) throws IOException {
        SegmentFile f;
        try {
            f = SegmentFile.open(path);
        } catch (java.nio.file.NoSuchFileException e) {
            // listed a moment ago: retention or a purge deleted it since
            TreeMap<Long, Path> now = LogFiles.segments(path.getParent());
            throw new io.aqueduct.core.config.ConfigException(path.getFileName() + " was deleted while it was being read, by "
                    + "retention or a purge; the log now begins at seqno " + (now.isEmpty() ? "(none)" : now.firstKey())
                    + ". Run the command again.", e);
        }
        if (f.header().baseSeqno() != base) {
            f.close();
            throw new LogCorruptException(path, 8, "header says base seqno " + f.header().baseSeqno() + ", the file name " + base);
        }
        return f;
    }
}
