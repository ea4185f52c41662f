package io.aqueduct.log;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The bench's door into the log's package-private parts, so that {@code LogBench} times the compressor the writer runs
 * and reads payload sizes from the records as the writer laid them out, instead of copies that could drift from them.
 * It lives in the bench module (same package name, plain classpath) and is not part of the log's API.
 */
public final class BenchLogAccess {
    private BenchLogAccess() {}

    /** The log's own {@link Compressor}: the codec and settings that {@link LogWriter} uses. Not thread-safe. */
    public static final class BenchCompressor implements AutoCloseable {
        private final Compressor compressor;

        public BenchCompressor(Codec codec) {
            compressor = new Compressor(codec);
        }

        public int maxCompressedLength(int rawLength) {
            return compressor.maxCompressedLength(rawLength);
        }

        public int compress(byte[] src, int srcOff, int srcLen, byte[] dst, int dstOff) {
            return compressor.compress(src, srcOff, srcLen, dst, dstOff);
        }

        public void decompress(byte[] src, int srcOff, int srcLen, byte[] dst, int rawLength) {
            compressor.decompress(src, srcOff, srcLen, dst, rawLength);
        }

        @Override
        public void close() {
            compressor.close();
        }
    }

    /** What one record's header says about its size. */
    public record RecordSize(long seqno, int fragment, int rawLength, int compressedLength) {}

    /**
     * The sizes of every record in the log directory, in log order, read from the record headers (the payloads are
     * skipped, not decompressed or checked). For a log no writer has open.
     */
    public static List<RecordSize> recordSizes(Path dir) throws IOException {
        List<RecordSize> out = new ArrayList<>();
        byte[] head = new byte[RecordFormat.HEADER_SIZE];
        for (Path segment : LogFiles.segments(dir).values()) {
            try (InputStream in = new java.io.BufferedInputStream(Files.newInputStream(segment), 1 << 16);
                 DataInputStream data = new DataInputStream(in)) {
                data.readFully(new byte[SegmentHeader.SIZE]);
                while (true) {
                    try {
                        data.readFully(head);
                    } catch (EOFException end) {
                        break;
                    }
                    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(head);
                    int compressed = b.getInt(RecordFormat.COMPRESSED_LENGTH_AT);
                    if (b.getInt(RecordFormat.LENGTH_AT) != RecordFormat.FIXED_AFTER_LENGTH + compressed) {
                        throw new IOException(segment + ": record " + out.size() + " has an inconsistent length field");
                    }
                    out.add(new RecordSize(b.getLong(RecordFormat.SEQNO_AT), b.getInt(RecordFormat.FRAGMENT_AT),
                            b.getInt(RecordFormat.RAW_LENGTH_AT), compressed));
                    data.skipNBytes(compressed);
                }
            }
        }
        return out;
    }
}
