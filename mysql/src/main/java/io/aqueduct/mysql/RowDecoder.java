package io.aqueduct.mysql;

import com.github.shyiko.mysql.binlog.event.deserialization.json.JsonBinary;
import io.aqueduct.core.model.Values;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.List;

/**
 * Decodes the row images of a rows event body straight into typed values (see {@link Values}).
 * Works on the raw event bytes, one pass, no intermediate objects per value.
 */
final class RowDecoder {
    private static final int[] DIG2BYTES = {0, 1, 1, 2, 2, 3, 3, 4, 4, 4};

    private final byte[] b;
    private int p;

    private RowDecoder(byte[] body, int offset) {
        this.b = body;
        this.p = offset;
    }

    /** The table id a rows event body starts with. */
    static long tableId(byte[] body) {
        long id = 0;
        for (int i = 5; i >= 0; i--) id = (id << 8) | (body[i] & 0xff);
        return id;
    }

    /**
     * Decodes every row of a rows event. {@code v2} events carry an extra-data block after the flags; {@code images} is
     * 1 for write and delete events, 2 for updates (before image, then after image). Adds one Object[] per image.
     */
    static void decode(byte[] body, boolean v2, int images, TableMapping t, List<Object[]> out) throws IOException {
        RowDecoder d = new RowDecoder(body, 8);
        if (v2) {
            int extra = d.u16();
            d.p += extra - 2;
        }
        int n = (int) d.packedInt();
        if (n != t.columns.length) {
            throw new IOException("rows event for " + t.id + " has " + n + " columns but its table map has " + t.columns.length);
        }
        int bitmapLen = (n + 7) >> 3;
        int presentAt = d.p;
        d.p += bitmapLen;
        int presentAfterAt = presentAt;
        if (images == 2) {
            presentAfterAt = d.p;
            d.p += bitmapLen;
        }
        d.requireAll(t, presentAt, n);
        if (images == 2) d.requireAll(t, presentAfterAt, n);
        int nullBitmap = (n + 7) >> 3;
        while (d.p < body.length) {
            for (int img = 0; img < images; img++) out.add(d.row(t, n, nullBitmap));
        }
    }

    /** Every column must be in the image; the bitmap is the same for all rows of an event, so it is checked once. */
    private void requireAll(TableMapping t, int presentAt, int n) throws IOException {
        for (int i = 0; i < n; i++) {
            if (!bit(presentAt, i)) {
                throw new IOException("rows event for " + t.id + " lacks column " + t.columns[i].column().name()
                        + ": the source must log full row images (binlog_row_image=FULL)");
            }
        }
    }

    private Object[] row(TableMapping t, int n, int nullBitmap) throws IOException {
        int nullAt = p;
        p += nullBitmap;
        if (t.into != null) return ownColumns(t, n, nullAt);
        Object[] row = new Object[n];
        for (int i = 0; i < n; i++) {
            if (!bit(nullAt, i)) row[i] = value(t.columns[i]);
        }
        return row;
    }

    /** A row of a table with hidden columns: each value is read, the hidden ones' dropped. */
    private Object[] ownColumns(TableMapping t, int n, int nullAt) throws IOException {
        Object[] row = new Object[t.schema.columns().size()];
        for (int i = 0; i < n; i++) {
            if (bit(nullAt, i)) continue;
            Object v = value(t.columns[i]);
            if (t.into[i] >= 0) row[t.into[i]] = v;
        }
        return row;
    }

    private boolean bit(int at, int i) {
        return (b[at + (i >> 3)] & (1 << (i & 7))) != 0;
    }

    private Object value(BinlogColumn c) throws IOException {
        int meta = c.meta();
        switch (c.type()) {
            case ColumnType.TINY: {
                int v = b[p++];
                return (long) (c.unsigned() ? v & 0xff : v);
            }
            case ColumnType.SHORT: {
                int v = u16();
                return (long) (c.unsigned() ? v : (short) v);
            }
            case ColumnType.INT24: {
                int v = u24();
                return (long) (c.unsigned() ? v : (v << 8) >> 8);
            }
            case ColumnType.LONG: {
                int v = i32();
                return c.unsigned() ? v & 0xffffffffL : (long) v;
            }
            case ColumnType.LONGLONG: {
                long v = i64();
                if (!c.unsigned()) return v;
                return Values.unsigned(v);
            }
            case ColumnType.FLOAT:
                return Float.intBitsToFloat(i32());
            case ColumnType.DOUBLE:
                return Double.longBitsToDouble(i64());
            case ColumnType.NEWDECIMAL:
                return decimal(meta & 0xff, meta >> 8);
            case ColumnType.YEAR: {
                int v = b[p++] & 0xff;
                return (long) (v == 0 ? 0 : 1900 + v);
            }
            case ColumnType.DATE:
            case ColumnType.NEWDATE: {
                int v = u24();
                int day = v & 31, month = (v >> 5) & 15, year = v >> 9;
                if (year == 0 || month == 0 || day == 0) return String.format("%04d-%02d-%02d", year, month, day);
                return LocalDate.of(year, month, day);
            }
            case ColumnType.TIME2:
                return time2(meta);
            case ColumnType.DATETIME2:
                return datetime2(meta);
            case ColumnType.TIMESTAMP2: {
                long sec = be(4);
                int micros = fraction(meta, false);
                if (sec == 0 && micros == 0) return zeroDateTime(meta);
                return Instant.ofEpochSecond(sec, micros * 1000L);
            }
            case ColumnType.TIMESTAMP: {
                long sec = i32() & 0xffffffffL;
                return sec == 0 ? zeroDateTime(0) : Instant.ofEpochSecond(sec);
            }
            case ColumnType.DATETIME: {
                long v = i64();
                int sec = (int) (v % 100), min = (int) (v / 100 % 100), hour = (int) (v / 10000 % 100);
                long d = v / 1000000;
                int day = (int) (d % 100), month = (int) (d / 100 % 100), year = (int) (d / 10000);
                if (year == 0 || month == 0 || day == 0) {
                    return String.format("%04d-%02d-%02d %02d:%02d:%02d", year, month, day, hour, min, sec);
                }
                return LocalDateTime.of(year, month, day, hour, min, sec);
            }
            case ColumnType.TIME: {
                int v = (u24() << 8) >> 8;
                boolean neg = v < 0;
                v = Math.abs(v);
                Duration dur = Duration.ofSeconds(v / 10000 * 3600L + v / 100 % 100 * 60L + v % 100);
                return neg ? dur.negated() : dur;
            }
            case ColumnType.BIT: {
                int bits = (meta >> 8) * 8 + (meta & 0xff);
                int len = (bits + 7) >> 3;
                byte[] v = Arrays.copyOfRange(b, p, p + len);
                p += len;
                return v;
            }
            case ColumnType.VARCHAR:
            case ColumnType.VAR_STRING: {
                int len = meta < 256 ? b[p++] & 0xff : u16();
                return text(c, len);
            }
            case ColumnType.STRING: {
                int real = ColumnType.realType(c.type(), meta);
                int size = ColumnType.stringMaxLength(meta);
                if (real == ColumnType.ENUM) {
                    int idx = size == 1 ? b[p++] & 0xff : u16();
                    return idx == 0 ? "" : c.elements()[idx - 1];
                }
                if (real == ColumnType.SET) {
                    long bits = le(size);
                    StringBuilder sb = new StringBuilder();
                    for (int i = 0; i < c.elements().length; i++) {
                        if ((bits & (1L << i)) != 0) sb.append(sb.length() == 0 ? "" : ",").append(c.elements()[i]);
                    }
                    return sb.toString();
                }
                int len = size < 256 ? b[p++] & 0xff : u16();
                if (c.charset() == null && len < size) {
                    // BINARY(n) is logged without its trailing zero bytes; the server pads them back on read, so do we
                    byte[] v = new byte[size];
                    System.arraycopy(b, p, v, 0, len);
                    p += len;
                    return v;
                }
                return text(c, len);
            }
            case ColumnType.BLOB:
            case ColumnType.TINY_BLOB:
            case ColumnType.MEDIUM_BLOB:
            case ColumnType.LONG_BLOB:
            case ColumnType.GEOMETRY: {
                int len = (int) le(meta);
                return c.type() == ColumnType.GEOMETRY ? bytes(len) : text(c, len);
            }
            case ColumnType.JSON: {
                int len = (int) le(meta);
                byte[] raw = bytes(len);
                return len == 0 ? "null" : JsonBinary.parseAsString(raw);
            }
            default:
                throw new IOException("cannot decode binlog column type " + c.type() + " of " + c.column().name());
        }
    }

    private Object text(BinlogColumn c, int len) {
        if (c.charset() == null) return bytes(len);
        String s = new String(b, p, len, c.charset());
        p += len;
        return s;
    }

    private byte[] bytes(int len) {
        byte[] v = Arrays.copyOfRange(b, p, p + len);
        p += len;
        return v;
    }

    private Object time2(int fsp) {
        long packed;
        long intPart;
        long frac;
        switch (fsp) {
            case 1, 2 -> {
                intPart = be(3) - 0x800000L;
                frac = b[p++] & 0xff;
                if (intPart < 0 && frac != 0) {
                    intPart++;
                    frac -= 0x100;
                }
                packed = (intPart << 24) + frac * 10000;
            }
            case 3, 4 -> {
                intPart = be(3) - 0x800000L;
                frac = be(2);
                if (intPart < 0 && frac != 0) {
                    intPart++;
                    frac -= 0x10000;
                }
                packed = (intPart << 24) + frac * 100;
            }
            case 5, 6 -> packed = be(6) - 0x800000000000L;
            default -> packed = (be(3) - 0x800000L) << 24;
        }
        boolean negative = packed < 0;
        if (negative) packed = -packed;
        long hms = packed >> 24;
        long micros = packed % (1L << 24);
        long hour = (hms >> 12) % (1 << 10);
        long minute = (hms >> 6) % (1 << 6);
        long second = hms % (1 << 6);
        Duration d = Duration.ofSeconds(hour * 3600 + minute * 60 + second, micros * 1000);
        return negative ? d.negated() : d;
    }

    private Object datetime2(int fsp) {
        long intPart = be(5) - 0x8000000000L;
        int frac = fraction(fsp, true);
        long ymd = intPart >> 17;
        long hms = intPart % (1 << 17);
        int ym = (int) (ymd >> 5);
        int day = (int) (ymd % (1 << 5));
        int month = ym % 13;
        int year = ym / 13;
        int second = (int) (hms % (1 << 6));
        int minute = (int) ((hms >> 6) % (1 << 6));
        int hour = (int) (hms >> 12);
        if (year == 0 || month == 0 || day == 0) {
            String s = String.format("%04d-%02d-%02d %02d:%02d:%02d", year, month, day, hour, minute, second);
            return fsp == 0 ? s : s + "." + String.format("%06d", frac).substring(0, fsp);
        }
        return LocalDateTime.of(year, month, day, hour, minute, second, frac * 1000);
    }

    private static String zeroDateTime(int fsp) {
        return "0000-00-00 00:00:00" + (fsp == 0 ? "" : "." + "0".repeat(fsp));
    }

    /** Fractional seconds of TIMESTAMP2/DATETIME2 in microseconds. */
    private int fraction(int fsp, boolean signed) {
        return switch (fsp) {
            case 1, 2 -> (signed ? b[p++] : b[p++] & 0xff) * 10000;
            case 3, 4 -> {
                int v = (int) be(2);
                yield (signed ? (short) v : v) * 100;
            }
            case 5, 6 -> {
                int v = (int) be(3);
                yield signed ? (v << 8) >> 8 : v;
            }
            default -> 0;
        };
    }

    private BigDecimal decimal(int precision, int scale) {
        int intg = precision - scale;
        int intg0 = intg / 9, intg0x = intg % 9, frac0 = scale / 9, frac0x = scale % 9;
        int size = intg0 * 4 + DIG2BYTES[intg0x] + frac0 * 4 + DIG2BYTES[frac0x];
        byte[] d = Arrays.copyOfRange(b, p, p + size);
        p += size;
        boolean positive = (d[0] & 0x80) != 0;
        d[0] ^= (byte) 0x80;
        if (!positive) for (int i = 0; i < d.length; i++) d[i] ^= (byte) 0xff;
        if (precision <= 18) return smallDecimal(d, positive, scale, intg0, intg0x, frac0, frac0x);
        StringBuilder sb = new StringBuilder(precision + 3);
        if (!positive) sb.append('-');
        int at = 0;
        boolean any = false;
        if (intg0x > 0) {
            long v = bigEndian(d, at, DIG2BYTES[intg0x]);
            at += DIG2BYTES[intg0x];
            if (v != 0) {
                sb.append(v);
                any = true;
            }
        }
        for (int i = 0; i < intg0; i++) {
            long v = bigEndian(d, at, 4);
            at += 4;
            if (any) pad(sb, v, 9);
            else if (v != 0) {
                sb.append(v);
                any = true;
            }
        }
        if (!any) sb.append('0');
        if (scale > 0) {
            sb.append('.');
            for (int i = 0; i < frac0; i++) {
                pad(sb, bigEndian(d, at, 4), 9);
                at += 4;
            }
            if (frac0x > 0) pad(sb, bigEndian(d, at, DIG2BYTES[frac0x]), frac0x);
        }
        return new BigDecimal(sb.toString());
    }

    /** Up to 18 digits fit a long: build the unscaled value directly instead of parsing text. */
    private static BigDecimal smallDecimal(byte[] d, boolean positive, int scale, int intg0, int intg0x, int frac0, int frac0x) {
        long unscaled = 0;
        int at = 0;
        if (intg0x > 0) {
            unscaled = bigEndian(d, at, DIG2BYTES[intg0x]);
            at += DIG2BYTES[intg0x];
        }
        for (int i = 0; i < intg0; i++, at += 4) unscaled = unscaled * 1_000_000_000L + bigEndian(d, at, 4);
        for (int i = 0; i < frac0; i++, at += 4) unscaled = unscaled * 1_000_000_000L + bigEndian(d, at, 4);
        if (frac0x > 0) unscaled = unscaled * POW10[frac0x] + bigEndian(d, at, DIG2BYTES[frac0x]);
        return BigDecimal.valueOf(positive ? unscaled : -unscaled, scale);
    }

    private static final long[] POW10 = {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000};

    private static void pad(StringBuilder sb, long v, int digits) {
        String s = Long.toString(v);
        for (int i = s.length(); i < digits; i++) sb.append('0');
        sb.append(s);
    }

    private static long bigEndian(byte[] d, int at, int len) {
        long v = 0;
        for (int i = 0; i < len; i++) v = (v << 8) | (d[at + i] & 0xff);
        return v;
    }

    private long be(int len) {
        long v = bigEndian(b, p, len);
        p += len;
        return v;
    }

    private long le(int len) {
        long v = 0;
        for (int i = len - 1; i >= 0; i--) v = (v << 8) | (b[p + i] & 0xff);
        p += len;
        return v;
    }

    private int u16() {
        int v = (b[p] & 0xff) | (b[p + 1] & 0xff) << 8;
        p += 2;
        return v;
    }

    private int u24() {
        int v = (b[p] & 0xff) | (b[p + 1] & 0xff) << 8 | (b[p + 2] & 0xff) << 16;
        p += 3;
        return v;
    }

    private int i32() {
        int v = (b[p] & 0xff) | (b[p + 1] & 0xff) << 8 | (b[p + 2] & 0xff) << 16 | (b[p + 3] & 0xff) << 24;
        p += 4;
        return v;
    }

    private long i64() {
        long v = (i32() & 0xffffffffL);
        return v | ((long) i32() << 32);
    }

    private long packedInt() {
        int first = b[p++] & 0xff;
        if (first < 251) return first;
        if (first == 252) return u16();
        if (first == 253) return u24();
        return i64();
    }
}
