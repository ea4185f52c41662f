package io.aqueduct.postgres;

import io.aqueduct.core.apply.RowText;
import io.aqueduct.core.model.Column;
import io.aqueduct.core.model.TableSchema;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes many rows of one table as the upsert does, but fed by {@code COPY ... FROM STDIN} into a temporary table of
 * the target table's columns and then one {@code INSERT ... SELECT ... ON CONFLICT}: the server parses COPY text far
 * more cheaply than thousands of bound parameters, and the upsert statement is the same, so the rows it leaves are.
 * Values are converted as {@link PostgresDialect#bind} converts them (zero dates to NULL, U+0000 refused, BIT as
 * bit text, binary as bytea hex).
 */
final class PostgresBulkLoad {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresBulkLoad.class);
    /** Kept across batches: a lane thread loads batch after batch of about the same size. */
    private static final int KEEP_BYTES = 16 << 20;
    /** Larger batches go as upserts, which are split into statements, rather than as one text this large. */
    private static final int MAX_BYTES = 64 << 20;
    private static final AtomicInteger TABLES = new AtomicInteger();

    private final PostgresDialect dialect;
    private final ThreadLocal<RowText> texts = ThreadLocal.withInitial(() -> new RowText(1 << 20));
    /** The session-local table each table shape is copied into first. */
    private final Map<TableSchema, String> stagingTables = Collections.synchronizedMap(new IdentityHashMap<>());
    /** Whether the target user may create temporary tables; null until asked. */
    private volatile Boolean temporaryTables;

    PostgresBulkLoad(PostgresDialect dialect) {
        this.dialect = dialect;
    }

    private boolean mayCreateTemporaryTables(Connection c) throws SQLException {
        Boolean may = temporaryTables;
        if (may != null) return may;
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT has_database_privilege(current_database(), 'TEMPORARY')")) {
            may = rs.next() && rs.getBoolean(1);
        }
        if (!may) {
            LOG.info("The target user may not create temporary tables: batches go as multi-row upserts instead of COPY "
                    + "through a staging table, which costs the target more CPU (GRANT TEMPORARY ON DATABASE ... allows it)");
        }
        temporaryTables = may;
        return may;
    }

    /**
     * Upserts the rows on the connection's open transaction; false, having changed nothing, when the target user may
     * not create temporary tables or the text would be too large.
     */
    boolean upsert(Connection c, TableSchema t, List<Object[]> rows) throws SQLException {
        if (!t.hasKey() || !mayCreateTemporaryTables(c)) return false;
        RowText text = texts.get();
        try {
            if (!write(t, rows, text.clear())) return false;
            load(c, t, text);
            return true;
        } finally {
            if (text.capacity() > KEEP_BYTES) texts.remove();
        }
    }

    private boolean write(TableSchema t, List<Object[]> rows, RowText text) throws SQLException {
        List<Column> columns = t.columns();
        for (Object[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                if (i > 0) text.put('\t');
                Column col = columns.get(i);
                Object v = row[i] instanceof String s ? dialect.storable(col, s) : row[i];
                if (v == null) {
                    text.put('\\').put('N');
                } else if (v instanceof byte[] b) {
                    if (2L * b.length > MAX_BYTES) return false;
                    if (col.baseType().equals("bit")) text.value(PostgresDialect.bits(b, col));
                    else text.put('\\').put('\\').put('x').hex(b); // bytea hex input, its backslash escaped for COPY
                } else {
                    if (v instanceof String s && s.length() > MAX_BYTES / 6) return false; // 3 UTF-8 bytes, escaped
                    text.value(v);
                }
                if (text.size() > MAX_BYTES) return false;
            }
            text.put('\n');
        }
        return true;
    }

    private void load(Connection c, TableSchema t, RowText text) throws SQLException {
        String staging = "pg_temp." + stagingTables.computeIfAbsent(t, k -> "aqueduct_bulk_" + TABLES.incrementAndGet());
        String columns = columnList(t);
        try (Statement st = c.createStatement()) {
            // typed by the shape, as the target's columns were made for it; a transaction rolled back takes a staging
            // table it created with it, so ask every time (a catalog lookup); emptied in place at every commit
            st.execute("CREATE TEMPORARY TABLE IF NOT EXISTS " + staging + " (" + columnDefinitions(t) + ") ON COMMIT DELETE ROWS");
            try {
                c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY " + staging + " (" + columns + ") FROM STDIN", text.stream());
            } catch (SQLException e) {
                throw new SQLException("Rows of " + t.id() + " did not load: " + e.getMessage(), e.getSQLState(), e);
            }
            // emptied again at once for a second load of the table in this transaction
            st.execute("INSERT INTO " + dialect.table(t.id()) + " (" + columns + ") SELECT " + columns + " FROM " + staging
                    + dialect.onConflict(t) + "; DELETE FROM " + staging);
        } catch (java.io.IOException e) {
            throw new SQLException("Could not stream rows of " + t.id() + " to the target: " + e.getMessage(), "08006", e);
        }
    }

    private String columnDefinitions(TableSchema t) {
        StringBuilder sb = new StringBuilder();
        for (Column col : t.columns()) {
            sb.append(sb.isEmpty() ? "" : ", ").append(dialect.quote(col.name())).append(' ').append(PostgresDialect.pgType(col));
        }
        return sb.toString();
    }

    private String columnList(TableSchema t) {
        StringBuilder sb = new StringBuilder();
        for (Column col : t.columns()) sb.append(sb.isEmpty() ? "" : ", ").append(dialect.quote(col.name()));
        return sb.toString();
    }
}
