package io.aqueduct.core.config;

import java.util.Map;

/**
 * Renames on the way to the target, keyed by source names.
 *
 * @param databases source database → target database
 * @param tables    source {@code db.table} → target table name (or {@code db.table} to move it too)
 * @param columns   source {@code db.table} → (source column → target column)
 */
public record Routes(Map<String, String> databases, Map<String, String> tables, Map<String, Map<String, String>> columns) {
    public static final Routes NONE = new Routes(Map.of(), Map.of(), Map.of());

    public Routes {
        databases = Map.copyOf(databases);
        tables = Map.copyOf(tables);
        columns = Map.copyOf(columns);
    }

    public boolean isEmpty() {
        return databases.isEmpty() && tables.isEmpty() && columns.isEmpty();
    }
}
