package io.aqueduct.log;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads what {@link BinaryWriter} wrote, checking every length against the bytes left, so that malformed input fails
 * with an {@link IllegalArgumentException} naming the payload offset instead of running past the end or allocating
 * what a corrupt length asks for.
 */
final class BinaryReader {
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private byte[] buf;
    private int start;
    private int pos;
    private int end;

    void reset(byte[] bytes, int offset, int length) {
        if (offset < 0 || length < 0 || offset + length > bytes.length) {
            throw new IndexOutOfBoundsException("range " + offset + "+" + length + " of " + bytes.length + " bytes");
        }
        buf = bytes;
        start = offset;
        pos = offset;
        end = offset + length;
    }

    boolean atEnd() {
        return pos == end;
    }

    /** The current offset from the start of the payload, for error messages. */
    int offset() {
        return pos - start;
    }

    int readByte() {
        need(1);
        return buf[pos++] & 0xFF;
    }

    int readInt() {
        need(4);
        int v = (int) INT.get(buf, pos);
        pos += 4;
        return v;
    }

    long readLong() {
        need(8);
        long v = (long) LONG.get(buf, pos);
        pos += 8;
        return v;
    }

    long readVarLong() {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = readByte();
            v |= (long) (b & 0x7F) << shift;
            if (b < 0x80) return v;
        }
        throw malformed("varint longer than 10 bytes");
    }

    long readZigZag() {
        long v = readVarLong();
        return (v >>> 1) ^ -(v & 1);
    }

    int readZigZagInt() {
        long v = readZigZag();
        if (v != (int) v) throw malformed("int out of range: " + v);
        return (int) v;
    }

    /** A count of items that each take at least one byte, so never more than the bytes left. */
    int readCount() {
        long n = readVarLong();
        if (n < 0 || n > end - pos) throw malformed("count " + n + " exceeds the " + (end - pos) + " bytes left");
        return (int) n;
    }

    /** The next {@code n} bytes without consuming them, for use as a map key while they stay unchanged. */
    ByteBuffer view(int n) {
        need(n);
        return ByteBuffer.wrap(buf, pos, n);
    }

    /** Whether the next bytes are {@code bytes}, without consuming them. */
    boolean startsWith(byte[] bytes) {
        return end - pos >= bytes.length && Arrays.equals(buf, pos, pos + bytes.length, bytes, 0, bytes.length);
    }

    /** A copy of the next {@code n} bytes, without consuming them. */
    byte[] copy(int n) {
        need(n);
        return Arrays.copyOfRange(buf, pos, pos + n);
    }

    void skip(int n) {
        need(n);
        pos += n;
    }

    byte[] readBytes() {
        int n = readCount();
        byte[] b = new byte[n];
        System.arraycopy(buf, pos, b, 0, n);
        pos += n;
        return b;
    }

    /** Moves past a string, checking its header as {@link #readString()} does. */
    void skipString() {
        long header = readVarLong();
        if (header == 0) return;
        header--;
        long length = header >>> 1;
        if (length > end - pos) throw malformed("string of " + length + " bytes exceeds the " + (end - pos) + " bytes left");
        if ((header & 1) != 0 && (length & 1) != 0) throw malformed("UTF-16 string of odd length " + length);
        pos += (int) length;
    }

    /** Moves past a byte string as {@link #readBytes()} reads it. */
    void skipBytes() {
        skip(readCount());
    }

    String readString() {
        long header = readVarLong();
        if (header == 0) return null;
        header--;
        long length = header >>> 1;
        if (length > end - pos) throw malformed("string of " + length + " bytes exceeds the " + (end - pos) + " bytes left");
        int n = (int) length;
        String s;
        if ((header & 1) == 0) {
            s = new String(buf, pos, n, StandardCharsets.UTF_8);
        } else {
            if ((n & 1) != 0) throw malformed("UTF-16 string of odd length " + n);
            char[] chars = new char[n / 2];
            for (int i = 0, p = pos; i < chars.length; i++, p += 2) {
                chars[i] = (char) (((buf[p] & 0xFF) << 8) | (buf[p + 1] & 0xFF));
            }
            s = new String(chars);
        }
        pos += n;
        return s;
    }

    IllegalArgumentException malformed(String problem) {
        return malformedAt(offset(), problem);
    }

    /** For a problem with something already read, such as an unknown tag byte. */
    IllegalArgumentException malformedAt(int payloadOffset, String problem) {
        return new IllegalArgumentException(problem + " at payload byte " + payloadOffset);
    }

    private void need(int n) {
        if (end - pos < n) throw malformed("payload ends early: " + n + " more bytes needed");
    }
}
