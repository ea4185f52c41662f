package io.aqueduct.log;

import io.aqueduct.core.model.TableSchema;
import io.aqueduct.core.model.Transaction;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.zip.CRC32C;

/**
 * Checks and decodes records as stored in a segment ({@link RecordFormat}) that arrive from elsewhere, such as a relay
 * server: the length fields, the CRC32C, the seqno and fragment continuity, then the payload against its header. A
 * record that fails any check is an {@link IOException} naming {@code origin}, since it was damaged on its way.
 */
final class FramedRecordDecoder implements AutoCloseable {
    private final String origin;
    private final TransactionCodec codec = new TransactionCodec();
    private final Map<Codec, Compressor> compressors = new EnumMap<>(Codec.class);
    private final CRC32C crc = new CRC32C();
    private byte[] raw = new byte[64 * 1024];
    private final RecordPayload payload = new RecordPayload();
    /** Whether no record was decoded yet: the first may be a block that begins before {@link #expectedSeqno}. */
    private boolean first = true;
    private long expectedSeqno;
    private int expectedFragment;
    private long lastEpoch = -1;

    private final Predicate<TableSchema> rowsOf;

    /**
     * @param nextSeqno the seqno of the first transaction to return
     * @param rowsOf    the tables whose row changes are decoded (see {@link TransactionCodec#decode(byte[], int, int,
     *                  Predicate)}); null for all
     */
    FramedRecordDecoder(String origin, long nextSeqno, Predicate<TableSchema> rowsOf) {
        this.origin = origin;
        this.expectedSeqno = nextSeqno;
        this.rowsOf = rowsOf;
    }

    /** The epoch of the record decoded last, -1 before the first. */
    long lastEpoch() {
        return lastEpoch;
    }

    /** The seqno the next record must have. */
    long expectedSeqno() {
        return expectedSeqno;
    }

    /**
     * Checks the CRC32C that ends a RECORDS frame (whose body is at {@code b}'s position, after the type) against the
     * records and codec ids before it, and sets {@code b}'s limit before it, so that the records are what remains.
     */
    void checkFrame(ByteBuffer b) throws IOException {
        int end = b.limit() - 4;
        if (end < b.position()) throw damaged("a RECORDS frame is cut short");
        crc.reset();
        crc.update(b.array(), b.arrayOffset() + b.position(), end - b.position());
        if (b.getInt(end) != (int) crc.getValue()) throw damaged("a RECORDS frame fails its CRC32C check");
        b.limit(end);
    }

    /**
     * Reads the codec id that comes before each record in a RECORDS frame and returns the codec; {@code b}'s position is
     * then at the record, whose length field is there to read.
     */
    Codec nextCodec(ByteBuffer b) throws IOException {
        Codec codec = Codec.byId(b.get() & 0xFF);
        if (codec == null || b.remaining() < 4) throw new IOException("relay stream from " + origin + " is malformed");
        return codec;
    }

    /**
     * Decodes the record of {@code length} bytes at {@code b}'s position and moves the position past it; returns its
     * transactions from the one expected next on. The first record may be a block that begins before that one (a
     * server seeking into a block sends all of it); every later record must begin with it.
     */
    List<Transaction> decode(Codec c, ByteBuffer b, int length) throws IOException {
        int at = b.position();
        long wanted = expectedSeqno;
        verify(b, length);
        long seqno = b.getLong(at + RecordFormat.SEQNO_AT);
        int count = b.getInt(at + RecordFormat.COUNT_AT);
        int rawLength = b.getInt(at + RecordFormat.RAW_LENGTH_AT);
        List<Transaction> out = new ArrayList<>(count);
        try {
            if (raw.length < rawLength) raw = new byte[Math.max(rawLength, Math.min(2 * raw.length, RecordFormat.MAX_PAYLOAD))];
            compressors.computeIfAbsent(c, Compressor::new).decompress(b.array(), b.arrayOffset() + at + RecordFormat.HEADER_SIZE,
                    b.getInt(at + RecordFormat.COMPRESSED_LENGTH_AT), raw, rawLength);
            payload.reset(raw, rawLength, seqno, count, b.getInt(at + RecordFormat.FRAGMENT_AT),
                    (b.get(at + RecordFormat.FLAGS_AT) & RecordFormat.FLAG_LAST) != 0, b.getLong(at + RecordFormat.COMMIT_TIME_AT));
            while (payload.hasNext()) {
                boolean skip = payload.nextSeqno() < wanted;
                payload.next();
                if (!skip) out.add(payload.decode(codec, rowsOf));
            }
        } catch (RuntimeException e) {
            throw damaged("cannot decode the record of seqno " + seqno + ": " + e.getMessage());
        }
        return out;
    }

    /**
     * Checks the record of {@code length} bytes at {@code b}'s position without decompressing it — its length fields,
     * CRC32C, transaction count, and seqno and fragment continuity, as {@link #decode} does — and moves the position
     * past it.
     */
    void verify(ByteBuffer b, int length) throws IOException {
        int at = b.position();
        if (length < RecordFormat.HEADER_SIZE || b.remaining() < length) throw damaged("a record is cut short");
        int compressed = b.getInt(at + RecordFormat.COMPRESSED_LENGTH_AT);
        int rawLength = b.getInt(at + RecordFormat.RAW_LENGTH_AT);
        if (b.getInt(at + RecordFormat.LENGTH_AT) != RecordFormat.FIXED_AFTER_LENGTH + compressed
                || length != RecordFormat.HEADER_SIZE + compressed || rawLength < 0 || rawLength > RecordFormat.MAX_PAYLOAD) {
            throw damaged("a record's length fields disagree");
        }
        crc.reset();
        crc.update(b.array(), b.arrayOffset() + at + RecordFormat.SEQNO_AT, length - RecordFormat.SEQNO_AT);
        long seqno = b.getLong(at + RecordFormat.SEQNO_AT);
        if (b.getInt(at + RecordFormat.CRC_AT) != (int) crc.getValue()) {
            throw damaged("the record of seqno " + seqno + " fails its CRC32C check");
        }
        int fragment = b.getInt(at + RecordFormat.FRAGMENT_AT);
        boolean last = (b.get(at + RecordFormat.FLAGS_AT) & RecordFormat.FLAG_LAST) != 0;
        int count = b.getInt(at + RecordFormat.COUNT_AT);
        if (!RecordFormat.validCount(count, fragment, last, rawLength)) {
            throw damaged("the record of seqno " + seqno + " says it holds " + count + " transactions as fragment " + fragment);
        }
        long lastSeqno = seqno + count - 1;
        boolean holds = first && expectedFragment == 0 && fragment == 0 && seqno <= expectedSeqno && expectedSeqno <= lastSeqno;
        if (!holds && (seqno != expectedSeqno || fragment != expectedFragment)) {
            throw damaged("expected seqno " + expectedSeqno + " fragment " + expectedFragment + ", received seqno " + seqno
                    + " fragment " + fragment);
        }
        first = false;
        lastEpoch = b.getLong(at + RecordFormat.EPOCH_AT);
        if (last) {
            expectedSeqno = lastSeqno + 1;
            expectedFragment = 0;
        } else {
            expectedFragment++;
        }
        b.position(at + length);
    }

    private IOException damaged(String problem) {
        return new IOException("relay stream from " + origin + ": " + problem + "; reconnecting");
    }

    @Override
    public void close() {
        for (Compressor c : compressors.values()) c.close();
        compressors.clear();
    }
}
