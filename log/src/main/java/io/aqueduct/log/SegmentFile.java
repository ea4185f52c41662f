package io.aqueduct.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.zip.CRC32C;

/**
 * Reads the records of one segment file through a reusable buffer. The file may still be growing: a record the
 * writer has not finished shows up as {@link Frame#INCOMPLETE} until it has.
 */
final class SegmentFile implements AutoCloseable {

    /** What {@link #frame} found at an offset. */
    enum Frame {
        /** A whole record with consistent lengths; its CRC is not checked yet. */
        COMPLETE,
        /** The end of the file. */
        END,
        /** The start of a record that continues past the end of the file. */
        INCOMPLETE,
        /** A record header of zero bytes: space a crash left behind, or a record not written yet. */
        ZEROS,
        /** A header whose length fields disagree: damage, not a record in progress. */
        MALFORMED
    }

    private static final int READ_AHEAD = 128 * 1024;

    private final Path path;
    /** The identity of the file opened (an inode), or null where the file system has none. */
    private final Object fileKey;
    private final FileChannel channel;
    private final SegmentHeader header;
    private final CRC32C crc = new CRC32C();
    /** Holds the file's bytes from {@code bufStart} to {@code bufStart + buf.limit()}. */
    private ByteBuffer buf = ByteBuffer.allocate(READ_AHEAD);
    private long bufStart;
    private long knownSize;

    private long offset;
    private int length;
    private int storedCrc;
    private long seqno;
    private int fragment;
    private boolean last;
    private long epoch;
    private long commitTime;
    private int rawLength;
    private int compressedLength;
    private int count;

    private SegmentFile(Path path, Object fileKey, FileChannel channel) throws IOException {
        this.path = path;
        this.fileKey = fileKey;
        this.channel = channel;
        buf.limit(0);
        int n = fill(0, SegmentHeader.SIZE);
        this.header = SegmentHeader.parse(buf, 0, n, path);
    }

    /**
     * Opens a segment and checks its header.
     *
     * @throws LogCorruptException when the header is damaged or from an unknown format version
     */
    static SegmentFile open(Path path) throws IOException {
        // taken before opening: should the file be replaced in between, it looks replaced at once rather than never
        Object key = Files.readAttributes(path, BasicFileAttributes.class).fileKey();
        FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
        try {
            return new SegmentFile(path, key, ch);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    Path path() {
        return path;
    }

    SegmentHeader header() {
        return header;
    }

    /**
     * Whether the file at {@link #path()} is no longer the one this reads: deleted, or deleted and created anew, as a
     * writer's recovery does with a newest segment that holds no whole transaction. Always false where the file system
     * gives files no identity.
     */
    boolean replaced() throws IOException {
        if (fileKey == null) return false;
        try {
            return !fileKey.equals(Files.readAttributes(path, BasicFileAttributes.class).fileKey());
        } catch (NoSuchFileException e) {
            return true;
        }
    }

    /** Reads the record header at {@code at}; the accessors below describe that record afterwards. */
    Frame frame(long at) throws IOException {
        offset = at;
        int n = fill(at, RecordFormat.HEADER_SIZE);
        if (n == 0) return Frame.END;
        int i = index();
        if (allZero(i, n)) return Frame.ZEROS;
        if (n < RecordFormat.HEADER_SIZE) return Frame.INCOMPLETE;
        length = buf.getInt(i + RecordFormat.LENGTH_AT);
        storedCrc = buf.getInt(i + RecordFormat.CRC_AT);
        seqno = buf.getLong(i + RecordFormat.SEQNO_AT);
        fragment = buf.getInt(i + RecordFormat.FRAGMENT_AT);
        last = (buf.get(i + RecordFormat.FLAGS_AT) & RecordFormat.FLAG_LAST) != 0;
        epoch = buf.getLong(i + RecordFormat.EPOCH_AT);
        commitTime = buf.getLong(i + RecordFormat.COMMIT_TIME_AT);
        rawLength = buf.getInt(i + RecordFormat.RAW_LENGTH_AT);
        compressedLength = buf.getInt(i + RecordFormat.COMPRESSED_LENGTH_AT);
        count = buf.getInt(i + RecordFormat.COUNT_AT);
        // the length field is outside the CRC; the compressed length inside it must agree with it
        if (compressedLength < 0 || compressedLength > RecordFormat.MAX_PAYLOAD || rawLength < 0
                || rawLength > RecordFormat.MAX_PAYLOAD || length != RecordFormat.FIXED_AFTER_LENGTH + compressedLength
                || !RecordFormat.validCount(count, fragment, last, rawLength)) {
            return Frame.MALFORMED;
        }
        long end = at + size();
        if (end > knownSize) knownSize = channel.size();
        return end <= knownSize ? Frame.COMPLETE : Frame.INCOMPLETE;
    }

    /** Describes a {@link Frame#MALFORMED} header. */
    String malformation() {
        if (!RecordFormat.validCount(count, fragment, last, rawLength)) {
            return "record says it holds " + count + " transactions as fragment " + fragment + (last ? " (last)" : "");
        }
        return "record length " + length + " disagrees with its compressed length " + compressedLength
                + " and raw length " + rawLength;
    }

    /** Brings the whole framed record into the buffer; returns whether its CRC matches. */
    boolean load() throws IOException {
        int size = size();
        if (fill(offset, size) < size) {
            throw new IOException(path + " got shorter while reading the record at byte " + offset);
        }
        return storedCrc == computedCrc();
    }

    /**
     * Like {@link #load()}; a CRC mismatch is damage at the record's offset.
     *
     * @throws LogCorruptException when the CRC does not match
     */
    void loadVerified() throws IOException {
        if (!load()) {
            throw new LogCorruptException(path, offset, String.format("record CRC32C mismatch: stored 0x%08x, computed 0x%08x",
                    storedCrc, computedCrc()));
        }
    }

    int computedCrc() {
        crc.reset();
        crc.update(buf.array(), index() + RecordFormat.SEQNO_AT, size() - RecordFormat.SEQNO_AT);
        return (int) crc.getValue();
    }

    int storedCrc() {
        return storedCrc;
    }

    /** The array holding the loaded record's payload at {@link #payloadIndex()}. */
    byte[] array() {
        return buf.array();
    }

    int payloadIndex() {
        return index() + RecordFormat.HEADER_SIZE;
    }

    long offset() {
        return offset;
    }

    /** The framed record's size in the file, header included. */
    int size() {
        return 4 + length;
    }

    /** The seqno of the record's first transaction. */
    long seqno() {
        return seqno;
    }

    /** The seqno of the record's last transaction. */
    long lastSeqno() {
        return seqno + count - 1;
    }

    /** How many transactions the record holds: 1 for a fragment. */
    int count() {
        return count;
    }

    int fragment() {
        return fragment;
    }

    boolean last() {
        return last;
    }

    long epoch() {
        return epoch;
    }

    /** The greatest commit time of the record's transactions. */
    long commitTime() {
        return commitTime;
    }

    int rawLength() {
        return rawLength;
    }

    int compressedLength() {
        return compressedLength;
    }

    long fileSize() throws IOException {
        return knownSize = channel.size();
    }

    /** Whether every byte from {@code at} to the end of the file is zero. */
    boolean zerosToEnd(long at) throws IOException {
        for (long p = at; ; ) {
            int n = fill(p, READ_AHEAD);
            if (n == 0) return true;
            if (!allZero((int) (p - bufStart), n)) return false;
            p += n;
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    private int index() {
        return (int) (offset - bufStart);
    }

    private boolean allZero(int from, int n) {
        byte[] a = buf.array();
        for (int i = from, end = from + n; i < end; i++) if (a[i] != 0) return false;
        return true;
    }

    /**
     * Makes the buffer hold the file's bytes from {@code at} on, at least {@code n} of them if the file has them;
     * returns how many of those {@code n} it holds.
     */
    private int fill(long at, int n) throws IOException {
        if (at >= bufStart && at + n <= bufStart + buf.limit()) return n;
        if (buf.capacity() < n) buf = ByteBuffer.allocate(n);
        buf.clear();
        // after one big record the buffer stays big; read ahead by the usual amount only
        buf.limit(Math.max(n, READ_AHEAD));
        bufStart = at;
        while (buf.position() < n) {
            if (channel.read(buf, at + buf.position()) <= 0) break;
        }
        buf.flip();
        return Math.min(n, buf.limit());
    }
}
