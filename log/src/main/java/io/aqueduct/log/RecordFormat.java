package io.aqueduct.log;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * The layout of one record, big-endian: length (4, the bytes after this field), CRC32C (4, over every byte after
 * it), seqno (8, of the record's first transaction), fragment number (4), flags (1, bit 0: last fragment), epoch (8),
 * commit time in epoch millis (8, the greatest of the record's transactions), raw payload length (4), compressed
 * payload length (4), transaction count (4), then the compressed payload: for each transaction its varint length and
 * its {@link TransactionCodec} encoding.
 *
 * <p>A record holds one fragment of a transaction (count 1), or one or more whole transactions with consecutive seqnos
 * (a block: compressed together, they compress far better than alone).
 */
final class RecordFormat {
    static final int LENGTH_AT = 0;
    static final int CRC_AT = 4;
    static final int SEQNO_AT = 8;
    static final int FRAGMENT_AT = 16;
    static final int FLAGS_AT = 20;
    static final int EPOCH_AT = 21;
    static final int COMMIT_TIME_AT = 29;
    static final int RAW_LENGTH_AT = 37;
    static final int COMPRESSED_LENGTH_AT = 41;
    static final int COUNT_AT = 45;
    static final int HEADER_SIZE = 49;
    /** What the length field counts besides the payload. */
    static final int FIXED_AFTER_LENGTH = HEADER_SIZE - 4;
    static final int FLAG_LAST = 1;
    /** Largest payload accepted before or after compression; bigger transactions must come as smaller fragments. */
    static final int MAX_PAYLOAD = 1 << 30;

    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private RecordFormat() {}

    /** The seqno of the record that starts at {@code at} in {@code a}. */
    static long seqno(byte[] a, int at) {
        return (long) LONG.get(a, at + SEQNO_AT);
    }

    /** The fragment number of the record that starts at {@code at} in {@code a}. */
    static int fragment(byte[] a, int at) {
        return (int) INT.get(a, at + FRAGMENT_AT);
    }

    /** The epoch of the record that starts at {@code at} in {@code a}. */
    static long epoch(byte[] a, int at) {
        return (long) LONG.get(a, at + EPOCH_AT);
    }

    /** The number of transactions in the record that starts at {@code at} in {@code a}. */
    static int count(byte[] a, int at) {
        return (int) INT.get(a, at + COUNT_AT);
    }

    /** The seqno of the last transaction in the record that starts at {@code at} in {@code a}. */
    static long lastSeqno(byte[] a, int at) {
        return seqno(a, at) + count(a, at) - 1;
    }

    /**
     * Whether a header's count goes with its fragment number, last flag and raw length: a block holds whole
     * transactions only, and each transaction takes at least its length byte.
     */
    static boolean validCount(int count, int fragment, boolean last, int rawLength) {
        return (count == 1 || count > 1 && fragment == 0 && last) && count <= rawLength;
    }

    /** Fills in the header of the record whose compressed payload is already at {@code at + HEADER_SIZE}. */
    static void writeHeader(ByteBuffer b, int at, long seqno, int fragment, boolean last, long epoch, long commitTime,
                            int rawLength, int compressedLength, int count, CRC32C crc) {
        b.putInt(at + LENGTH_AT, FIXED_AFTER_LENGTH + compressedLength);
        b.putLong(at + SEQNO_AT, seqno);
        b.putInt(at + FRAGMENT_AT, fragment);
        b.put(at + FLAGS_AT, (byte) (last ? FLAG_LAST : 0));
        b.putLong(at + EPOCH_AT, epoch);
        b.putLong(at + COMMIT_TIME_AT, commitTime);
        b.putInt(at + RAW_LENGTH_AT, rawLength);
        b.putInt(at + COMPRESSED_LENGTH_AT, compressedLength);
        b.putInt(at + COUNT_AT, count);
        crc.reset();
        crc.update(b.array(), b.arrayOffset() + at + SEQNO_AT, HEADER_SIZE - SEQNO_AT + compressedLength);
        b.putInt(at + CRC_AT, (int) crc.getValue());
    }
}
