package io.aqueduct.core.apply;

import io.aqueduct.core.model.Values;
import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;

/**
 * Rows as the tab-separated text of a bulk load, which MySQL's {@code LOAD DATA} and PostgreSQL's {@code COPY ... FROM
 * STDIN} both read: values as text in UTF-8, backslash escapes for backslash, tab, newline, carriage return and NUL,
 * built in one growing array. Temporal values are written in UTC, as the targets' sessions run.
 */
public final class RowText {
    private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);
    private static final boolean[] SPECIAL = new boolean[256];

    static {
        for (char c : new char[] {'\\', '\t', '\n', '\r', 0}) SPECIAL[c] = true;
    }

    /** Larger texts are not built: the loaders send such a batch as upserts, which are split into statements. */
    public static final int MAX_BYTES = 64 << 20;
    /** Kept for the thread's next batch up to this size: a lane loads batch after batch of about the same size. */
    private static final int KEEP_BYTES = 16 << 20;
    private static final ThreadLocal<RowText> THREAD = ThreadLocal.withInitial(() -> new RowText(1 << 20));

    private byte[] buf;
    private int size;

    private RowText(int capacity) {
        buf = new byte[capacity];
    }

    /** This thread's text, empty; {@link #release} it when the load is done. */
    public static RowText ofThisThread() {
        RowText text = THREAD.get();
        text.size = 0;
        return text;
    }

    /** Lets go of this thread's text if a large batch grew it past what is worth keeping. */
    public void release() {
        if (buf.length > KEEP_BYTES) THREAD.remove();
    }

    /**
     * Whether writing the value could take the text past {@link #MAX_BYTES}: bytes double as hex, and a char takes up
     * to three UTF-8 bytes, each of which an escape may double.
     */
    public boolean wouldOverflow(Object v) {
        long more = v instanceof byte[] b ? 2L * b.length + 3 : v instanceof String s ? 6L * s.length() : 64;
        return size + more > MAX_BYTES;
    }

    public RowText put(char ascii) {
        ensure(1);
        buf[size++] = (byte) ascii;
        return this;
    }

    /** The bytes as upper-case hex digits. */
    public void hex(byte[] b) {
        ensure(2 * b.length);
        for (byte x : b) {
            buf[size++] = HEX[(x >> 4) & 0xF];
            buf[size++] = HEX[x & 0xF];
        }
    }

    /** Any model value other than null and byte[], as the text both targets read back to the same value. */
    public void value(Object v) {
        if (v instanceof String s) escaped(s);
        else if (v instanceof Long l) digits(l);
        else if (v instanceof BigDecimal d) ascii(d.toPlainString());
        else if (v instanceof BigInteger b) ascii(b.toString());
        else if (v instanceof Double d) ascii(Double.toString(d));
        // as its exact double: MySQL reads Float.toString's 3.4028235E38 (FLT_MAX) as a double above FLT_MAX, out of range
        else if (v instanceof Float f) ascii(Double.toString(f));
        else if (v instanceof LocalDateTime t) ascii(Values.datetimeText(t));
        else if (v instanceof Instant t) ascii(Values.datetimeText(LocalDateTime.ofInstant(t, ZoneOffset.UTC)));
        else if (v instanceof LocalDate d) ascii(d.toString());
        else if (v instanceof Duration d) ascii(Values.timeText(d));
        else if (v instanceof Boolean b) put(b ? '1' : '0');
        else throw new IllegalArgumentException("cannot write a " + v.getClass().getName() + " as bulk-load text");
    }

    /** A long in decimal, as {@link Long#toString(long)} writes it, without making the String: it runs for most values. */
    private void digits(long v) {
        if (v == Long.MIN_VALUE) {
            ascii(Long.toString(v)); // has no positive counterpart
            return;
        }
        ensure(20);
        if (v < 0) {
            buf[size++] = '-';
            v = -v;
        }
        int start = size;
        do {
            buf[size++] = (byte) ('0' + v % 10);
            v /= 10;
        } while (v != 0);
        for (int i = start, j = size - 1; i < j; i++, j--) {
            byte t = buf[i];
            buf[i] = buf[j];
            buf[j] = t;
        }
    }

    private void ascii(String s) {
        int n = s.length();
        ensure(n);
        for (int i = 0; i < n; i++) buf[size++] = (byte) s.charAt(i);
    }

    /** UTF-8 with the bytes the loaders treat specially escaped; no UTF-8 continuation byte is one of them. */
    private void escaped(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        ensure(2 * b.length);
        int plain = 0;
        while (plain < b.length && !SPECIAL[b[plain] & 0xFF]) plain++;
        System.arraycopy(b, 0, buf, size, plain); // most values have nothing to escape
        size += plain;
        for (int i = plain; i < b.length; i++) {
            byte x = b[i];
            switch (x) {
                case '\\' -> { buf[size++] = '\\'; buf[size++] = '\\'; }
                case '\t' -> { buf[size++] = '\\'; buf[size++] = 't'; }
                case '\n' -> { buf[size++] = '\\'; buf[size++] = 'n'; }
                case '\r' -> { buf[size++] = '\\'; buf[size++] = 'r'; }
                case 0 -> { buf[size++] = '\\'; buf[size++] = '0'; }
                default -> buf[size++] = x;
            }
        }
    }

    /** Callers keep the text under {@link #MAX_BYTES} ({@link #wouldOverflow}). */
    private void ensure(int n) {
        if (buf.length - size >= n) return;
        buf = Arrays.copyOf(buf, (int) Math.max(2L * buf.length, (long) size + n));
    }

    public ByteArrayInputStream stream() {
        return new ByteArrayInputStream(buf, 0, size);
    }

    @Override
    public String toString() {
        return new String(buf, 0, size, StandardCharsets.UTF_8);
    }
}

