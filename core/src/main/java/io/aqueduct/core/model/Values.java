package io.aqueduct.core.model;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.Objects;

/**
 * The Java types row values take, whatever the source:
 * <ul>
 * <li>integers: {@link Long}; BIGINT UNSIGNED: {@link BigInteger}</li>
 * <li>DECIMAL: {@link BigDecimal}; FLOAT: {@link Float}; DOUBLE: {@link Double}</li>
 * <li>BIT(n): {@code byte[]} of ceil(n/8) bytes, big-endian</li>
 * <li>DATE: {@link java.time.LocalDate}; DATETIME: {@link java.time.LocalDateTime};
 *     TIMESTAMP: {@link java.time.Instant}; TIME: {@link java.time.Duration} (may be negative or over 24h);
 *     YEAR: {@link Long}; a MySQL zero or partial date ({@code 0000-00-00}): its {@link String} text</li>
 * <li>character types, ENUM (member name), SET (comma-joined members), JSON (text): {@link String}</li>
 * <li>binary types and GEOMETRY (MySQL internal form: 4-byte SRID + WKB): {@code byte[]}</li>
 * </ul>
 */
public final class Values {
    private Values() {}

    public static long sizeEstimate(Object[] row) {
        if (row == null) return 0;
        long n = 16 + 8L * row.length;
        for (Object v : row) n += sizeEstimate(v);
        return n;
    }

    static long sizeEstimate(Object v) {
        // runs for every value read: the common kinds first, and checks against final classes only (cheap)
        if (v == null) return 0;
        if (v instanceof Long) return 24;
        if (v instanceof String s) return 40 + 2L * s.length();
        if (v instanceof byte[] b) return 16 + b.length;
        if (v instanceof BigDecimal || v instanceof BigInteger) return 64;
        // a LocalDateTime holds a LocalDate and a LocalTime
        if (v instanceof LocalDateTime || v instanceof LocalDate || v instanceof java.time.Instant) return 72;
        return 24;
    }

    /** Value equality that compares arrays by content. */
    public static boolean same(Object a, Object b) {
        if (a instanceof byte[] x && b instanceof byte[] y) return Arrays.equals(x, y);
        if (a instanceof BigDecimal x && b instanceof BigDecimal y) return x.compareTo(y) == 0;
        return Objects.equals(a, b);
    }

    /** A hash consistent with {@link #same}. */
    public static int hash(Object v) {
        if (v instanceof byte[] b) return Arrays.hashCode(b);
        if (v instanceof BigDecimal d) return d.stripTrailingZeros().hashCode();
        return Objects.hashCode(v);
    }

    /** A BIGINT UNSIGNED value from its 64 bits. */
    public static BigInteger unsigned(long bits) {
        return bits >= 0 ? BigInteger.valueOf(bits) : BigInteger.valueOf(bits & Long.MAX_VALUE).setBit(63);
    }

    /**
     * A TIME value as text both MySQL (TIME) and PostgreSQL (interval) read back exactly: {@code [-]H:MM:SS.ffffff},
     * hours unbounded so that 838:59:59 stays hours rather than days. Built by hand: it runs for every value applied.
     */
    public static String timeText(Duration d) {
        Duration a = d.abs();
        long seconds = a.getSeconds();
        StringBuilder sb = new StringBuilder(18);
        if (d.isNegative()) sb.append('-');
        sb.append(seconds / 3600).append(':');
        two(sb, seconds / 60 % 60).append(':');
        two(sb, seconds % 60).append('.');
        return micros(sb, a.getNano() / 1000).toString();
    }

    /** A DATETIME as {@code YYYY-MM-DD HH:MM:SS.ffffff}, which MySQL and PostgreSQL read back exactly; built by hand. */
    public static String datetimeText(LocalDateTime t) {
        StringBuilder sb = new StringBuilder(26);
        int y = t.getYear();
        if (y < 1000) sb.append(y < 10 ? "000" : y < 100 ? "00" : "0");
        sb.append(y).append('-');
        two(sb, t.getMonthValue()).append('-');
        two(sb, t.getDayOfMonth()).append(' ');
        two(sb, t.getHour()).append(':');
        two(sb, t.getMinute()).append(':');
        two(sb, t.getSecond()).append('.');
        return micros(sb, t.getNano() / 1000).toString();
    }

    private static StringBuilder two(StringBuilder sb, long v) {
        return sb.append(v < 10 ? "0" : "").append(v);
    }

    private static StringBuilder micros(StringBuilder sb, int micros) {
        String m = Integer.toString(micros);
        for (int i = m.length(); i < 6; i++) sb.append('0');
        return sb.append(m);
    }
}
