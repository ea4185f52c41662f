package io.aqueduct.core.model;

/**
 * A schema change as the source logged it.
 *
 * @param schema   the default database the statement ran in (may be empty)
 * @param sql      the statement text
 * @param table    the table it changes when known, else null
 * @param newTable the table's shape after the statement when known, else null
 */
public record Ddl(String schema, String sql, TableId table, TableSchema newTable) implements Change {
    @Override
    public long sizeEstimate() {
        return 64 + 2L * sql.length();
    }
}
