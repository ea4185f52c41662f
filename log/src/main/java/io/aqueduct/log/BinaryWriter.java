package io.aqueduct.log;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable byte array with the primitive encodings of the payload format: unsigned LEB128 varints, zigzag varints for
 * signed numbers, fixed-width big-endian ints and longs, length-prefixed strings and byte arrays.
 */
final class BinaryWriter {
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final int MAX_ARRAY = Integer.MAX_VALUE - 16;

    private byte[] buf;
    private int pos;

    BinaryWriter(int capacity) {
        buf = new byte[capacity];
    }

    void reset() {
        pos = 0;
    }

    int length() {
        return pos;
    }

    byte[] array() {
        return buf;
    }

    void writeByte(int b) {
        ensure(1);
        buf[pos++] = (byte) b;
    }

    void writeInt(int v) {
        ensure(4);
        INT.set(buf, pos, v);
        pos += 4;
    }

    void writeLong(long v) {
        ensure(8);
        LONG.set(buf, pos, v);
        pos += 8;
    }

    void writeVarLong(long v) {
        if ((v & ~0x7FL) == 0) {
            writeByte((int) v);
            return;
        }
        ensure(10);
        while ((v & ~0x7FL) != 0) {
            buf[pos++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[pos++] = (byte) v;
    }

    /** Signed numbers as zigzag varints, so that small negative numbers stay short. */
    void writeZigZag(long v) {
        writeVarLong((v << 1) ^ (v >> 63));
    }

    void writeBytes(byte[] b) {
        writeBytes(b, b.length);
    }

    /** {@code b[0, length)}, after its varint length. */
    void writeBytes(byte[] b, int length) {
        writeVarLong(length);
        ensure(length);
        System.arraycopy(b, 0, buf, pos, length);
        pos += length;
    }

    /**
     * A nullable string. The varint header is 0 for null, else {@code (byteLength << 1 | utf16) + 1}: UTF-8 for
     * well-formed text, raw UTF-16 chars for the rare string holding an unpaired surrogate, which UTF-8 cannot carry
     * unchanged.
     */
    void writeString(String s) {
        if (s == null) {
            writeByte(0);
            return;
        }
        int n = s.length();
        long asciiHeader = ((long) n << 1) + 1;
        int headerSize = varLongSize(asciiHeader);
        ensure(headerSize + n);
        int start = pos;
        int p = start + headerSize;
        byte[] b = buf;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x80) {
                writeNonAscii(s);
                return;
            }
            b[p++] = (byte) c;
        }
        writeVarLong(asciiHeader);
        pos = p;
    }

    private void writeNonAscii(String s) {
        if (wellFormed(s)) {
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            writeVarLong(((long) utf8.length << 1) + 1);
            ensure(utf8.length);
            System.arraycopy(utf8, 0, buf, pos, utf8.length);
            pos += utf8.length;
        } else {
            int n = s.length();
            writeVarLong(((long) n << 2) + 2);
            ensure(2 * n);
            for (int i = 0; i < n; i++) {
                char c = s.charAt(i);
                buf[pos++] = (byte) (c >>> 8);
                buf[pos++] = (byte) c;
            }
        }
    }

    private static boolean wellFormed(String s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) i++;
                else return false;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    static int varLongSize(long v) {
        int n = 1;
        while ((v & ~0x7FL) != 0) {
            v >>>= 7;
            n++;
        }
        return n;
    }

    private void ensure(int n) {
        if (buf.length - pos >= n) return;
        long wanted = Math.max(2L * buf.length, (long) pos + n);
        if ((long) pos + n > MAX_ARRAY) throw new IllegalArgumentException("encoded transaction exceeds 2 GiB");
        buf = Arrays.copyOf(buf, (int) Math.min(wanted, MAX_ARRAY));
    }
}
