package io.aqueduct.core.apply;

import io.aqueduct.core.model.Column;
import io.aqueduct.core.model.Ddl;
import io.aqueduct.core.model.TableId;
import io.aqueduct.core.model.TableSchema;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/** What differs between SQL targets; {@link JdbcSink} does the rest. */
public interface SqlDialect {
    /** Opens a connection to the target, with a {@link io.aqueduct.core.config.ConfigException} for user errors. */
    Connection connect() throws SQLException;

    /** Session settings for applying replicated changes (time zone, checks, autocommit off). */
    void prepareSession(Connection c) throws SQLException;

    String quote(String identifier);

    default String table(TableId t) {
        return quote(t.schema()) + "." + quote(t.table());
    }

    /**
     * The positions of the columns that statements write, ascending: every column, unless the target computes some
     * itself and refuses values for them (MySQL's generated columns). The statements below take these positions as
     * {@code columns}, and their parameters are those columns' values. Asked once per table shape on a connection,
     * after {@link #ensureTable}, and again after DDL.
     */
    default int[] written(Connection c, TableSchema t) throws SQLException {
        return allColumns(t);
    }

    /** The positions of all of the table's columns. */
    static int[] allColumns(TableSchema t) {
        int[] all = new int[t.columns().size()];
        for (int i = 0; i < all.length; i++) all[i] = i;
        return all;
    }

    /** Inserts {@code rows} rows of the given columns, replacing a row with the same key. */
    String upsert(TableSchema t, int[] columns, int rows);

    /**
     * Writes many rows of one table as {@link #upsert} of the given columns ({@link #written}) would, in a form cheaper
     * for the target (a bulk load), on the connection's open transaction; returns false, having written nothing, when
     * the target or the rows do not allow it, and the rows then go as upserts.
     */
    default boolean upsertInBulk(Connection c, TableSchema t, int[] columns, List<Object[]> rows) throws SQLException {
        return false;
    }

    /** Inserts {@code rows} rows of the given columns. */
    default String insert(TableSchema t, int[] columns, int rows) {
        StringBuilder sb = new StringBuilder("INSERT INTO ").append(table(t.id())).append(" (");
        for (int i = 0; i < columns.length; i++) sb.append(i == 0 ? "" : ",").append(quote(t.columns().get(columns[i]).name()));
        sb.append(") VALUES ");
        String tuple = "(" + "?,".repeat(columns.length - 1) + "?)";
        for (int r = 0; r < rows; r++) sb.append(r == 0 ? "" : ",").append(tuple);
        return sb.toString();
    }

    /** Null-safe equality of one column with a parameter. */
    String nullSafeEquals(String quotedColumn);

    /** Deletes one row whose given columns equal the parameters (bound in that order). */
    String deleteOneMatching(TableSchema t, int[] columns);

    /** Sets the given columns of one row matching them: parameters are new values, then old values. */
    String updateOneMatching(TableSchema t, int[] columns);

    void bind(PreparedStatement ps, int index, Column column, Object value) throws SQLException;

    /** Makes the target able to take rows of this shape (create or alter the table), once per shape. */
    void ensureTable(Connection c, TableSchema t) throws SQLException;

    /** Applies a source DDL statement, translated for this target or ignored when the target follows by shape. */
    void applyDdl(Connection c, Ddl ddl) throws SQLException;

    /** Most bind parameters one statement may have. */
    int maxParameters();

    /** Whether the failure is likely to pass on retry (lost connection, deadlock, restart). */
    boolean isTransient(SQLException e);

    /** Whether the target chose this transaction as a deadlock victim (or failed it to serialize), so it may run again. */
    default boolean isDeadlock(SQLException e) {
        return e.getSQLState() != null && e.getSQLState().startsWith("40");
    }

    /** Whether it is a constraint violation that ordered, row-by-row apply might avoid. */
    default boolean isConstraintViolation(SQLException e) {
        return e.getSQLState() != null && e.getSQLState().startsWith("23");
    }
}
