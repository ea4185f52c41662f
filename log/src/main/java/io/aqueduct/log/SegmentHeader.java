package io.aqueduct.log;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.UUID;
import java.util.zip.CRC32C;

/**
 * The 44 bytes a segment file starts with, big-endian: magic "AQRL" (4), format version (2), codec id (1), zero (1),
 * base seqno (8), epoch (8), file UUID (16), CRC32C of the 40 bytes before it (4).
 *
 * @param baseSeqno the seqno of the segment's first record, also its file name
 * @param epoch     the writer's epoch when it created the segment
 * @param fileId    a random id of this file, telling apart two files of the same name in different histories
 */
record SegmentHeader(Codec codec, long baseSeqno, long epoch, UUID fileId) {
    static final int SIZE = 44;
    static final int MAGIC = 0x4151524C;
    /** 2: records hold blocks of transactions (a count in the record header, a length before each transaction). */
    static final int VERSION = 2;
    private static final int CRC_AT = 40;

    ByteBuffer toBuffer() {
        ByteBuffer b = ByteBuffer.allocate(SIZE);
        b.putInt(MAGIC).putShort((short) VERSION).put((byte) codec.id()).put((byte) 0)
                .putLong(baseSeqno).putLong(epoch)
                .putLong(fileId.getMostSignificantBits()).putLong(fileId.getLeastSignificantBits());
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, CRC_AT);
        b.putInt((int) crc.getValue());
        return b.flip();
    }

    /** Parses the header at {@code b[at, at+available)} of {@code file}. */
    static SegmentHeader parse(ByteBuffer b, int at, int available, Path file) throws LogCorruptException {
        if (available < SIZE) {
            throw new LogCorruptException(file, 0, "segment header is truncated: " + available + " of " + SIZE + " bytes");
        }
        int magic = b.getInt(at);
        if (magic != MAGIC) {
            throw new LogCorruptException(file, 0, String.format("not a relay log segment: magic 0x%08x, expected 0x%08x", magic, MAGIC));
        }
        int version = b.getShort(at + 4) & 0xFFFF;
        if (version != VERSION) {
            throw new LogCorruptException(file, 4, "segment format version " + version + " is not supported; this build reads version "
                    + VERSION + (version < VERSION ? ": the log was written by an earlier Aqueduct; let its readers finish with that "
                    + "version, or delete the log and capture again (downstream jobs then start anew)" : ": upgrade Aqueduct"));
        }
        CRC32C crc = new CRC32C();
        crc.update(b.array(), b.arrayOffset() + at, CRC_AT);
        int stored = b.getInt(at + CRC_AT);
        if (stored != (int) crc.getValue()) {
            throw new LogCorruptException(file, 0, String.format("segment header CRC32C mismatch: stored 0x%08x, computed 0x%08x",
                    stored, (int) crc.getValue()));
        }
        int codecId = b.get(at + 6) & 0xFF;
        Codec codec = Codec.byId(codecId);
        if (codec == null) throw new LogCorruptException(file, 6, "unknown codec id " + codecId);
        return new SegmentHeader(codec, b.getLong(at + 8), b.getLong(at + 16), new UUID(b.getLong(at + 24), b.getLong(at + 32)));
    }
}
