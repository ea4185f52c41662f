package io.aqueduct.postgres;

import io.aqueduct.core.apply.RowText;
import io.aqueduct.core.apply.SqlDialect;
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
    private static final AtomicInteger TABLES = new AtomicInteger();

    private final PostgresDialect dialect;
    /** The statements that stage and upsert each table shape's rows, built once per shape. */
    private final Map<TableSchema, Staging> stagings = Collections.synchronizedMap(new IdentityHashMap<>());
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
        RowText text = RowText.ofThisThread();
        try {
            if (!write(t, rows, text)) return false;
            load(c, t, text);
            return true;
        } finally {
            text.release();
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
                } else if (text.wouldOverflow(v)) {
                    return false;
                } else if (v instanceof byte[] b) {
                    if (col.baseType().equals("bit")) text.value(PostgresDialect.bits(b, col));
                    else text.put('\\').put('\\').put('x').hex(b); // bytea hex input, its backslash escaped for COPY
                } else {
                    text.value(v);
                }
            }
            text.put('\n');
        }
        return true;
    }

    private void load(Connection c, TableSchema t, RowText text) throws SQLException {
        Staging staging = stagings.computeIfAbsent(t, this::staging);
        try (Statement st = c.createStatement()) {
            // a transaction rolled back takes a staging table it created with it: ask every time (a catalog lookup)
            st.execute(staging.create);
            try {
                c.unwrap(PGConnection.class).getCopyAPI().copyIn(staging.copy, text.stream());
            } catch (SQLException e) {
                throw new SQLException("Rows of " + t.id() + " did not load: " + e.getMessage(), e.getSQLState(), e);
            }
            st.execute(staging.upsert);
        } catch (java.io.IOException e) {
            throw new SQLException("Could not stream rows of " + t.id() + " to the target: " + e.getMessage(), "08006", e);
        }
    }

    private record Staging(String create, String copy, String upsert) {}

    /**
     * A session-local table typed by the shape, as the target's columns were made for it, emptied in place at every
     * commit, and again right after each upsert for a second load of the table in the same transaction.
     */
    private Staging staging(TableSchema t) {
        String name = "pg_temp.aqueduct_bulk_" + TABLES.incrementAndGet();
        StringBuilder columns = new StringBuilder();
        StringBuilder definitions = new StringBuilder();
        for (Column col : t.columns()) {
            String q = dialect.quote(col.name());
            columns.append(columns.isEmpty() ? "" : ", ").append(q);
            definitions.append(definitions.isEmpty() ? "" : ", ").append(q).append(' ').append(PostgresDialect.pgType(col));
        }
        return new Staging("CREATE TEMPORARY TABLE IF NOT EXISTS " + name + " (" + definitions + ") ON COMMIT DELETE ROWS",
                "COPY " + name + " (" + columns + ") FROM STDIN",
                "INSERT INTO " + dialect.table(t.id()) + " (" + columns + ") SELECT " + columns + " FROM " + name
                        + dialect.onConflict(t, SqlDialect.allColumns(t)) + "; DELETE FROM " + name);
    }
}
