package io.aqueduct.mysql;

import io.aqueduct.core.apply.RowText;
import io.aqueduct.core.model.Column;
import io.aqueduct.core.model.TableSchema;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.mariadb.jdbc.util.constants.Capabilities;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes many rows of one table with {@code REPLACE} in one go, where REPLACE leaves the same rows as the upsert
 * ({@link #suits}). Two ways, both cheaper for the server than multi-row upserts:
 *
 * <ul>
 *   <li>On a server that takes bulk statements (MariaDB 10.2.7 on: {@code COM_STMT_BULK_EXECUTE}), one prepared
 *       {@code REPLACE} with the rows' parameters sent as one binary array: the server parses no text at all and the
 *       values are bound exactly as the upsert binds them. In strict mode a bad value fails it with the upsert's
 *       error. On this machine it cost the target about 35% less CPU than LOAD DATA for rows with many types.
 *   <li>Elsewhere (MySQL), {@code LOAD DATA LOCAL INFILE ... REPLACE}, streamed from memory. Text values go as UTF-8
 *       with LOAD DATA's backslash escapes and {@code \N} for NULL; {@code byte[]} values (binary strings, BIT,
 *       GEOMETRY) go as hex through a user variable and {@code UNHEX}, which the server stores exactly as a bound
 *       binary parameter; YEAR values go through a variable as numbers (as text, 0 would be the year 2000); values of
 *       columns generated on the target go to a variable that nothing reads. Should the server report a changed value
 *       only as a warning (LOCAL without REPLACE turns errors into warnings; a server out of strict mode), the
 *       statement fails here and the batch is rolled back.
 * </ul>
 */
final class MySqlBulkLoad {
    private static final Logger LOG = LoggerFactory.getLogger(MySqlBulkLoad.class);
    /** The server refuses LOAD DATA LOCAL: "not allowed with this version" (1148), MySQL's "local files disabled"
     *  (3948), MariaDB's "disabled the local infile capability" (4166). */
    private static final Set<Integer> REFUSED = Set.of(1148, 3948, 4166);
    /**
     * The size, by {@link #wireBytes}, at which a bulk statement is sent and the next one begun. The driver builds a
     * statement in a buffer of 8 KiB that it grows to 128 KiB, 1 MiB and then 16 MiB, and shrinks back to 8 KiB after a
     * statement of less than half its size. Statements of 96 KiB and a row keep one 128 KiB buffer from one statement to
     * the next; statements of half a MiB allocated (and zeroed) a fresh MiB each, which JFR put at a tenth of the
     * snapshot JVM's samples.
     */
    static final long BULK_STATEMENT_BYTES = 96 << 10;
    private final MySqlDialect dialect;
    /** Whether the target takes LOAD DATA LOCAL; null until a session has asked it. */
    private volatile Boolean enabled;
    /** Whether bulk statements are used where the server takes them; off only to test LOAD DATA as MySQL gets it. */
    private final boolean bulkStatements;
    /** Per table shape, whether REPLACE leaves what the upsert would (see {@link #suits}). */
    private final Map<TableSchema, Boolean> suits = Collections.synchronizedMap(new IdentityHashMap<>());

    MySqlBulkLoad(MySqlDialect dialect, boolean bulkStatements) {
        this.dialect = dialect;
        this.bulkStatements = bulkStatements;
    }

    /** Asks the target, once, whether it takes LOAD DATA LOCAL (its local_infile setting), unless it takes bulk statements. */
    void prepareSession(Statement st) throws SQLException {
        if (enabled != null || bulk(st.getConnection())) return;
        try (ResultSet rs = st.executeQuery("SELECT @@local_infile")) {
            enabled = rs.next() && rs.getInt(1) == 1;
        } catch (SQLException e) {
            enabled = false; // a proxy in front of the server may not answer it
        }
        if (!enabled) {
            LOG.info("The target has local_infile off: batches go as multi-row upserts instead of LOAD DATA LOCAL, which "
                    + "costs the target less CPU (SET GLOBAL local_infile = 1 allows it)");
        }
    }

    /**
     * Writes the rows into the table on the connection's open transaction. Returns false, having changed nothing, when
     * neither way can stand in for the upsert: the table is not {@link #suits suited}, or (without bulk statements) the
     * target does not take LOAD DATA LOCAL, the text would exceed {@link RowText#MAX_BYTES}, or a column's values are
     * binary in some rows and not in others (the statement fixes which columns are hex).
     */
    boolean replace(Connection c, TableSchema t, int[] written, List<Object[]> rows) throws SQLException {
        boolean bulk = bulk(c);
        if (!bulk && enabled != Boolean.TRUE || !suits(c, t)) return false;
        if (bulk) {
            replaceInBulk(c, t, written, rows);
            return true;
        }
        boolean[] hex = binaryColumns(t.columns().size(), rows);
        RowText text = RowText.ofThisThread();
        try {
            return write(rows, hex, text) && load(c, t, written, hex, text);
        } finally {
            text.release();
        }
    }

    /** Whether rows go to this connection's server as bulk statements (the test that the driver makes too). */
    private boolean bulk(Connection c) throws SQLException {
        return bulkStatements && c.unwrap(org.mariadb.jdbc.Connection.class).getContext()
                .hasServerCapability(Capabilities.STMT_BULK_OPERATIONS);
    }

    /**
     * One prepared REPLACE for all rows, sent as bulk statements of {@link #BULK_STATEMENT_BYTES} of rows and a row each
     * (the connection has {@code useBulkStmts}, {@link MySqlConnections}).
     */
    private void replaceInBulk(Connection c, TableSchema t, int[] written, List<Object[]> rows) throws SQLException {
        List<Column> columns = t.columns();
        String insert = dialect.insert(t, written, 1); // INSERT INTO t (columns) VALUES (?,...)
        try (PreparedStatement ps = c.prepareStatement("REPLACE" + insert.substring("INSERT".length()))) {
            long bytes = 0;
            for (Object[] row : rows) {
                for (int i = 0; i < written.length; i++) {
                    int w = written[i];
                    MySqlDialect.bindValue(ps, i + 1, columns.get(w), row[w]);
                    bytes += wireBytes(row[w]);
                }
                ps.addBatch();
                if (bytes >= BULK_STATEMENT_BYTES) {
                    ps.executeBatch();
                    bytes = 0;
                }
            }
            if (bytes > 0) ps.executeBatch();
        }
    }

    /**
     * About the bytes a value takes in a bulk statement: a string a byte a character (more outside ASCII), binary its
     * length, each with its length; numbers and temporals (sent as short text) 16.
     */
    static long wireBytes(Object v) {
        if (v instanceof String s) return 4 + s.length();
        if (v instanceof byte[] b) return 4 + b.length;
        return 16;
    }

    private static boolean write(List<Object[]> rows, boolean[] hex, RowText text) {
        for (Object[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                if (i > 0) text.put('\t');
                Object v = row[i];
                if (v == null) {
                    text.put('\\').put('N');
                } else if (v instanceof byte[] b) {
                    if (!hex[i] || text.wouldOverflow(b)) return false;
                    text.hex(b);
                } else {
                    if (hex[i] || text.wouldOverflow(v)) return false;
                    text.value(v);
                }
            }
            text.put('\n');
        }
        return true;
    }

    private boolean load(Connection c, TableSchema t, int[] written, boolean[] hex, RowText text) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.unwrap(org.mariadb.jdbc.Statement.class).setLocalInfileInputStream(text.stream());
            try {
                st.executeUpdate(statement(t, written, hex));
            } catch (SQLException e) {
                if (!REFUSED.contains(e.getErrorCode())) throw e;
                // refused after the session said yes (a proxy, local_infile switched off): only this statement failed
                enabled = false;
                LOG.warn("The target refused LOAD DATA LOCAL ({}): batches go as multi-row upserts from now on", e.getMessage());
                return false;
            }
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
        int shown = 0;
        try (ResultSet rs = st.executeQuery("SHOW WARNINGS")) {
            while (rs.next()) {
                if ("Note".equalsIgnoreCase(rs.getString(1)) || shown++ >= 5) continue;
                sb.append(sb.isEmpty() ? "" : "; ").append(rs.getString(1)).append(' ').append(rs.getInt(2))
                        .append(' ').append(rs.getString(3));
            }
        }
        return sb.toString();
    }

    /**
     * Whether REPLACE leaves the table as the upsert would: the target table has exactly the source's columns (REPLACE
     * would reset columns only the target has; generated ones aside, which both compute anew), no triggers (REPLACE
     * fires DELETE and INSERT triggers where the upsert fires UPDATE ones), and no unique key but the row's key
     * (REPLACE deletes a row that holds a unique value of the new row; the upsert fails or updates it). Asked once per
     * table shape.
     */
    private boolean suits(Connection c, TableSchema t) throws SQLException {
        Boolean known = suits.get(t);
        if (known != null) return known;
        String why = unsuited(c, t);
        if (why != null) {
            LOG.info("Table {} on the target has {}: its batches go as multi-row upserts rather than one REPLACE, "
                    + "which would change that", t.id(), why);
        }
        suits.put(t, why == null);
        return why == null;
    }

    private static String unsuited(Connection c, TableSchema t) throws SQLException {
        Set<String> source = new HashSet<>();
        for (Column col : t.columns()) source.add(col.name().toLowerCase(Locale.ROOT));
        Set<String> key = new HashSet<>();
        for (String k : t.keyColumns()) key.add(k.toLowerCase(Locale.ROOT));
        List<String> extra = new ArrayList<>();
        int matching = 0;
        for (List<String> row : query(c, "SELECT COLUMN_NAME, " + MySqlDialect.GENERATED + " FROM information_schema.COLUMNS "
                + "WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?", t)) {
            if (source.contains(row.get(0).toLowerCase(Locale.ROOT))) matching++;
            else if (row.get(1).equals("0")) extra.add(row.get(0));
        }
        if (!extra.isEmpty()) return "columns the source does not have (" + String.join(", ", extra) + ")";
        if (matching != source.size()) return "fewer columns than the source";
        if (!query(c, "SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA = ? "
                + "AND EVENT_OBJECT_TABLE = ?", t).isEmpty()) {
            return "triggers";
        }
        Map<String, Set<String>> unique = new TreeMap<>();
        for (List<String> row : query(c, "SELECT INDEX_NAME, COLUMN_NAME FROM information_schema.STATISTICS WHERE "
                + "TABLE_SCHEMA = ? AND TABLE_NAME = ? AND NON_UNIQUE = 0", t)) {
            unique.computeIfAbsent(row.get(0), k -> new HashSet<>()).add(row.get(1).toLowerCase(Locale.ROOT));
        }
        unique.values().removeIf(key::equals);
        return unique.isEmpty() ? null : "unique keys besides the row's key (" + String.join(", ", unique.keySet()) + ")";
    }

    private static List<List<String>> query(Connection c, String sql, TableSchema t) throws SQLException {
        List<List<String>> rows = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, t.id().schema());
            ps.setString(2, t.id().table());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    List<String> row = new ArrayList<>();
                    for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) row.add(rs.getString(i));
                    rows.add(row);
                }
            }
        }
        return rows;
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

    /** LOAD DATA of rows of all columns into the written ones (ascending positions, {@link MySqlDialect#written}). */
    String statement(TableSchema t, int[] written, boolean[] hex) {
        StringBuilder cols = new StringBuilder();
        StringBuilder set = new StringBuilder();
        List<Column> columns = t.columns();
        int next = 0; // the next written column's index in written
        for (int i = 0; i < columns.size(); i++) {
            String q = dialect.quote(columns.get(i).name());
            cols.append(i == 0 ? "" : ",");
            if (next == written.length || written[next] != i) {
                cols.append("@g").append(i); // generated on the target: the value is read and dropped
                continue;
            }
            next++;
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
        return "LOAD DATA LOCAL INFILE 'aqueduct-rows' REPLACE INTO TABLE " + dialect.table(t.id())
                + " CHARACTER SET utf8mb4 FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' (" + cols + ")"
                + set;
    }
}
