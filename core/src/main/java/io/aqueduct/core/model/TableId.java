package io.aqueduct.core.model;

/** A table's identity: database (MySQL) or schema (PostgreSQL) plus table name. */
public record TableId(String schema, String table) {
    public TableId {
        if (schema == null || table == null) throw new IllegalArgumentException("schema and table are required");
    }

    /** The Canal-style {@code schema.table} form that filters match against. */
    @Override
    public String toString() {
        return schema + "." + table;
    }
}
