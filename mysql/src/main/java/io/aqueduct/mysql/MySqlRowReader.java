package io.aqueduct.mysql;

import io.aqueduct.core.apply.RowReader;
import io.aqueduct.core.model.Column;
import io.aqueduct.core.model.Values;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads MySQL/MariaDB rows over JDBC into the same Java values the binlog decoder produces: integers as Long, BIGINT
 * UNSIGNED as BigInteger, FLOAT as Float, BIT as big-endian bytes, DATE/DATETIME as LocalDate/LocalDateTime, TIMESTAMP
 * as Instant, TIME as Duration, YEAR as Long, zero and partial dates as their text.
 *
 * <p>Temporal columns are selected as text and parsed here, so neither driver nor JVM time zone can shift them and
 * zero dates survive; the session must run in UTC ({@link #prepareSession}) for TIMESTAMP text to be UTC. FLOAT is
 * selected multiplied by a double, because MySQL prints a FLOAT with 6 significant digits, which does not give its
 * exact value back, while a DOUBLE prints exactly.
 */
public final class MySqlRowReader implements RowReader {
    private final List<Column> columns;
    /** The columns' {@link Column#baseType}s, looked up once rather than for every value read. */
    private final String[] baseTypes;

    /** @param columns the source columns, whose types decide the Java type of each value */
    public MySqlRowReader(List<Column> columns) {
        this.columns = List.copyOf(columns);
        this.baseTypes = this.columns.stream().map(Column::baseType).toArray(String[]::new);
    }

    /** UTC for TIMESTAMP text, utf8mb4 so that any column's text arrives intact. */
    public static void prepareSession(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("SET SESSION time_zone = '+00:00', NAMES utf8mb4");
        }
    }

    public static String quote(String identifier) {
        return "`" + identifier.replace("`", "``") + "`";
    }

    @Override
    public String selectList(List<String> names) {
        List<String> out = new ArrayList<>(names.size());
        for (int i = 0; i < names.size(); i++) {
            String q = quote(names.get(i));
            out.add(switch (columns.get(i).baseType()) {
                case "date", "datetime", "timestamp", "time" -> "CAST(" + q + " AS CHAR)";
                case "float" -> q + " * 1e0";
                case "bit" -> "CAST(" + q + " AS UNSIGNED)";
                default -> q;
            });
        }
        return String.join(", ", out);
    }

    @Override
    public List<Column> columns() {
        return columns;
    }

    @Override
    public Object[] read(ResultSet rs) throws SQLException {
        Object[] row = new Object[baseTypes.length];
        for (int i = 0; i < row.length; i++) row[i] = value(rs, i + 1, columns.get(i), baseTypes[i]);
        return row;
    }

    @Override
    public Object value(ResultSet rs, int i, Column c) throws SQLException {
        return value(rs, i, c, c.baseType());
    }

    private static Object value(ResultSet rs, int i, Column c, String base) throws SQLException {
        switch (base) {
            case "tinyint", "year" -> {
                String s = rs.getString(i); // text: the driver maps YEAR to a date and TINYINT(1) to a boolean
                return s == null ? null : Long.parseLong(s);
            }
            case "smallint", "mediumint", "int", "integer" -> {
                long v = rs.getLong(i);
                return rs.wasNull() ? null : (Object) v;
            }
            case "bigint" -> {
                if (c.unsigned()) {
                    String s = rs.getString(i);
                    return s == null ? null : Values.unsigned(Long.parseUnsignedLong(s));
                }
                long v = rs.getLong(i);
                return rs.wasNull() ? null : (Object) v;
            }
            case "decimal", "numeric" -> {
                return rs.getBigDecimal(i);
            }
            case "float" -> {
                double d = rs.getDouble(i);
                return rs.wasNull() ? null : (Object) (float) d;
            }
            case "double", "real" -> {
                double d = rs.getDouble(i);
                return rs.wasNull() ? null : (Object) d;
            }
            case "bit" -> {
                String s = rs.getString(i);
                return s == null ? null : bits(new BigInteger(s), (Math.max(1, c.length()) + 7) / 8);
            }
            case "date" -> {
                String s = rs.getString(i);
                return s == null || isZero(s) ? s : date(s);
            }
            case "datetime" -> {
                String s = rs.getString(i);
                return s == null || isZero(s) ? s : datetime(s);
            }
            case "timestamp" -> {
                String s = rs.getString(i);
                return s == null || isZero(s) ? s : datetime(s).toInstant(ZoneOffset.UTC);
            }
            case "time" -> {
                String s = rs.getString(i);
                return s == null ? null : time(s);
            }
            default -> {
                if (c.charset() == null && !base.equals("json") && !base.equals("enum") && !base.equals("set")
                        && !base.endsWith("text") && !base.endsWith("char")) {
                    return rs.getBytes(i); // binary strings, blobs, geometry
                }
                return rs.getString(i);
            }
        }
    }

    /** A zero or partial date ({@code 0000-00-00}, {@code 2024-00-10}), which Java dates cannot hold. */
    private static boolean isZero(String s) {
        return s.startsWith("0000") || s.startsWith("-00", 4) || s.startsWith("-00", 7);
    }

    /** MySQL DATE text, YYYY-MM-DD; parsed by hand because this runs for every date value read. */
    static LocalDate date(String s) {
        if (s.length() != 10) throw notTemporal(s);
        return day(s);
    }

    /** MySQL DATETIME/TIMESTAMP text, YYYY-MM-DD HH:MM:SS[.f up to 6 digits]. */
    static LocalDateTime datetime(String s) {
        int n = s.length();
        if (n < 19 || n == 20 || n > 26 || n > 19 && s.charAt(19) != '.' || s.charAt(10) != ' ' || s.charAt(13) != ':'
                || s.charAt(16) != ':') {
            throw notTemporal(s);
        }
        int nanos = 0;
        if (n > 20) {
            nanos = digits(s, 20, n - 20);
            for (int i = n - 20; i < 9; i++) nanos *= 10;
        }
        return LocalDateTime.of(day(s), LocalTime.of(digits(s, 11, 2), digits(s, 14, 2), digits(s, 17, 2), nanos));
    }

    private static LocalDate day(String s) {
        if (s.charAt(4) != '-' || s.charAt(7) != '-') throw notTemporal(s);
        return LocalDate.of(digits(s, 0, 4), digits(s, 5, 2), digits(s, 8, 2));
    }

    private static int digits(String s, int from, int count) {
        int v = 0;
        for (int i = from; i < from + count; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') throw notTemporal(s);
            v = v * 10 + (c - '0');
        }
        return v;
    }

    private static IllegalArgumentException notTemporal(String s) {
        return new IllegalArgumentException("not a MySQL date or time as the server prints one: '" + s + "'");
    }

    /** An unsigned value as exactly {@code len} big-endian bytes. */
    static byte[] bits(BigInteger v, int len) {
        byte[] raw = v.toByteArray(); // may carry a leading sign byte
        byte[] out = new byte[len];
        int n = Math.min(len, raw.length);
        System.arraycopy(raw, raw.length - n, out, len - n, n);
        return out;
    }

    /** MySQL TIME text: [-]H:MM:SS[.f up to 6 digits], hours up to 838; parsed by hand like the dates. */
    static Duration time(String s) {
        boolean negative = s.startsWith("-");
        int from = negative ? 1 : 0;
        int colon = s.indexOf(':', from);
        int n = s.length();
        if (colon < from + 1 || colon > from + 3 || n < colon + 6 || s.charAt(colon + 3) != ':'
                || n > colon + 6 && (s.charAt(colon + 6) != '.' || n == colon + 7 || n > colon + 13)) {
            throw notTemporal(s);
        }
        long seconds = digits(s, from, colon - from) * 3600L + digits(s, colon + 1, 2) * 60L + digits(s, colon + 4, 2);
        int nanos = 0;
        if (n > colon + 7) {
            nanos = digits(s, colon + 7, n - colon - 7);
            for (int i = n - colon - 7; i < 9; i++) nanos *= 10;
        }
        Duration d = Duration.ofSeconds(seconds, nanos);
        return negative ? d.negated() : d;
    }
}
