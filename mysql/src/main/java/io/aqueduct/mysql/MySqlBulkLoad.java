package io.aqueduct.mysql;

import io.aqueduct.core.model.Column;
import io.aqueduct.core.model.TableSchema;
import io.aqueduct.core.model.Values;
import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * Writes many rows of one table with {@code LOAD DATA LOCAL INFILE ... REPLACE}, streamed from memory: the server
 * parses tab-separated text far more cheaply than a multi-row upsert, and building that text costs the JVM less than
 * binding parameters. REPLACE leaves each row as given whatever was there under its key or a unique value, as an
 * upsert of the batch's final rows must.
 *
 * <p>Text values go as UTF-8 with LOAD DATA's backslash escapes and {@code \N} for NULL; {@code byte[]} values (binary
 * strings, BIT, GEOMETRY) go as hex through a user variable and {@code UNHEX}, which the server stores exactly as a
 * bound binary parameter; YEAR values go through a variable as numbers (as text, 0 would be the year 2000). MariaDB
 * in strict mode refuses a bad value with the same error an upsert gets; MySQL turns it into a warning under LOCAL
 * (it cannot stop reading the stream), so a warning fails the statement here, and the batch is rolled back.
 */
final class MySqlBulkLoad {
    /** Kept across batches: a lane thread loads batch after batch of about the same size. */
    private static final int KEEP_BYTES = 16 << 20;
    private final Function<String, String> quote;
    private final ThreadLocal<Text> texts = ThreadLocal.withInitial(() -> new Text(1 << 20));

    MySqlBulkLoad(Function<String, String> quote) {
        this.quote = quote;
    }

    /**
     * Loads the rows into the table on the connection's open transaction. Returns false, having sent nothing, when a
     * column's values are binary in some rows and not in others (the statement fixes which columns are hex).
     */
    boolean replace(Connection c, TableSchema t, List<Object[]> rows) throws SQLException {
        boolean[] hex = binaryColumns(t.columns().size(), rows);
        Text text = texts.get();
        try {
            return replace(c, t, rows, hex, text.clear());
        } finally {
            if (text.capacity() > KEEP_BYTES) texts.remove();
        }
    }

    private boolean replace(Connection c, TableSchema t, List<Object[]> rows, boolean[] hex, Text text) throws SQLException {
        for (Object[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                if (i > 0) text.put('\t');
                Object v = row[i];
                if (v == null) {
                    text.put('\\').put('N');
                } else if (v instanceof byte[] b) {
                    if (!hex[i]) return false;
                    text.hex(b);
                } else {
                    if (hex[i]) return false;
                    text.value(v);
                }
            }
            text.put('\n');
        }
        try (Statement st = c.createStatement()) {
            st.unwrap(org.mariadb.jdbc.Statement.class).setLocalInfileInputStream(text.stream());
            st.executeUpdate(statement(t, hex));
            if (st.getWarnings() != null) {
                String warnings = warnings(st);
                if (!warnings.isEmpty()) {
                    throw new SQLException("The target did not take rows of " + t.id() + " as sent: " + warnings
                            + ". Its column types cannot hold the source's values; make them match the source ("
                            + "aqueduct precheck shows the difference).", "22000");
                }
            }
        }
        return true;
    }

    /** The statement's warnings other than notes (which multi-row upserts pass over too), joined; empty for none. */
    private static String warnings(Statement st) throws SQLException {
        StringBuilder sb = new StringBuilder();
        try (ResultSet rs = st.executeQuery("SHOW WARNINGS LIMIT 5")) {
            while (rs.next()) {
                if ("Note".equalsIgnoreCase(rs.getString(1))) continue;
                sb.append(sb.isEmpty() ? "" : "; ").append(rs.getString(1)).append(' ').append(rs.getInt(2))
                        .append(' ').append(rs.getString(3));
            }
        }
        return sb.toString();
    }

    private static boolean[] binaryColumns(int columns, List<Object[]> rows) {
        boolean[] hex = new boolean[columns];
        boolean[] seen = new boolean[columns];
        int left = columns;
        for (Object[] row : rows) {
            for (int i = 0; i < columns; i++) {
                if (seen[i] || row[i] == null) continue;
                hex[i] = row[i] instanceof byte[];
                seen[i] = true;
                left--;
            }
            if (left == 0) break;
        }
        return hex;
    }

    String statement(TableSchema t, boolean[] hex) {
        StringBuilder cols = new StringBuilder();
        StringBuilder set = new StringBuilder();
        List<Column> columns = t.columns();
        for (int i = 0; i < columns.size(); i++) {
            String q = quote.apply(columns.get(i).name());
            cols.append(i == 0 ? "" : ",");
            if (hex[i]) {
                cols.append("@h").append(i);
                set.append(set.isEmpty() ? " SET " : ",").append(q).append("=UNHEX(@h").append(i).append(')');
            } else if (columns.get(i).baseType().equals("year")) {
                // the text 0 is the year 2000 and the number 0 the year 0000, which the source's 0 is
                cols.append("@n").append(i);
                set.append(set.isEmpty() ? " SET " : ",").append(q).append("=@n").append(i).append("+0");
            } else {
                cols.append(q);
            }
        }
        return "LOAD DATA LOCAL INFILE 'aqueduct-rows' REPLACE INTO TABLE " + quote.apply(t.id().schema()) + "."
                + quote.apply(t.id().table()) + " CHARACTER SET utf8mb4 FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' "
                + "LINES TERMINATED BY '\\n' (" + cols + ")" + set;
    }

    /** The rows as LOAD DATA text, built in one growing array. */
    static final class Text {
        private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);
        private static final boolean[] SPECIAL = new boolean[256];

        static {
            for (char c : new char[] {'\\', '\t', '\n', 0}) SPECIAL[c] = true;
        }

        private byte[] buf;
        private int size;

        Text(int capacity) {
            buf = new byte[capacity];
        }

        Text clear() {
            size = 0;
            return this;
        }

        int capacity() {
            return buf.length;
        }

        Text put(char ascii) {
            ensure(1);
            buf[size++] = (byte) ascii;
            return this;
        }

        void hex(byte[] b) {
            ensure(2 * b.length);
            for (byte x : b) {
                buf[size++] = HEX[(x >> 4) & 0xF];
                buf[size++] = HEX[x & 0xF];
            }
        }

        /** Any model value other than null and byte[], as the text MySQL reads back to the same value. */
        void value(Object v) {
            if (v instanceof String s) escaped(s);
            else if (v instanceof Long l) ascii(Long.toString(l));
            else if (v instanceof BigDecimal d) ascii(d.toPlainString());
            else if (v instanceof BigInteger b) ascii(b.toString());
            else if (v instanceof Double d) ascii(Double.toString(d));
            else if (v instanceof Float f) ascii(Float.toString(f));
            else if (v instanceof LocalDateTime t) ascii(MySqlDialect.datetime(t));
            else if (v instanceof Instant t) ascii(MySqlDialect.datetime(LocalDateTime.ofInstant(t, ZoneOffset.UTC)));
            else if (v instanceof LocalDate d) ascii(d.toString());
            else if (v instanceof Duration d) ascii(Values.timeText(d));
            else if (v instanceof Boolean b) put(b ? '1' : '0');
            else throw new IllegalArgumentException("cannot write a " + v.getClass().getName() + " as MySQL text");
        }

        private void ascii(String s) {
            int n = s.length();
            ensure(n);
            for (int i = 0; i < n; i++) buf[size++] = (byte) s.charAt(i);
        }

        /** UTF-8 with the four bytes LOAD DATA treats specially escaped; no UTF-8 continuation byte is one of them. */
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
                    case 0 -> { buf[size++] = '\\'; buf[size++] = '0'; }
                    default -> buf[size++] = x;
                }
            }
        }

        private void ensure(int n) {
            if (buf.length - size >= n) return;
            buf = Arrays.copyOf(buf, (int) Math.min(Integer.MAX_VALUE - 8, Math.max(2L * buf.length, (long) size + n)));
        }

        ByteArrayInputStream stream() {
            return new ByteArrayInputStream(buf, 0, size);
        }

        @Override
        public String toString() {
            return new String(buf, 0, size, StandardCharsets.UTF_8);
        }
    }
}
