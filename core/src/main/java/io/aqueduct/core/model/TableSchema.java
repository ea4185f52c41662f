package io.aqueduct.core.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A table's shape at one position in the log. Row values are positional and follow {@link #columns()}.
 *
 * @param keyColumns the columns that identify a row: the primary key, else a unique key whose columns
 *                   are all NOT NULL; empty when the table has neither (rows are then matched on all columns)
 * @param keyKind    where {@code keyColumns} came from
 */
public record TableSchema(TableId id, List<Column> columns, List<String> keyColumns, KeyKind keyKind) {

    public enum KeyKind { PRIMARY, UNIQUE, NONE }

    public TableSchema {
        columns = List.copyOf(columns);
        keyColumns = List.copyOf(keyColumns);
        if (keyColumns.isEmpty()) keyKind = KeyKind.NONE;
        for (String k : keyColumns) {
            if (columns.stream().noneMatch(c -> c.name().equals(k))) {
                throw new IllegalArgumentException("key column " + k + " is not a column of " + id);
            }
        }
    }

    public int indexOf(String column) {
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).name().equals(column)) return i;
        }
        return -1;
    }

    public Column column(String name) {
        int i = indexOf(name);
        return i < 0 ? null : columns.get(i);
    }

    /** Positions of the key columns in a row, in key order; empty when the table has no key. */
    public int[] keyIndexes() {
        int[] idx = new int[keyColumns.size()];
        for (int i = 0; i < idx.length; i++) idx[i] = indexOf(keyColumns.get(i));
        return idx;
    }

    public boolean hasKey() {
        return !keyColumns.isEmpty();
    }

    public TableSchema withId(TableId newId) {
        return new TableSchema(newId, columns, keyColumns, keyKind);
    }

    /** Renames columns; names missing from the map stay. */
    public TableSchema renameColumns(Map<String, String> renames) {
        if (renames.isEmpty()) return this;
        List<Column> cols = new ArrayList<>(columns.size());
        for (Column c : columns) cols.add(c.withName(renames.getOrDefault(c.name(), c.name())));
        List<String> keys = new ArrayList<>(keyColumns.size());
        for (String k : keyColumns) keys.add(renames.getOrDefault(k, k));
        return new TableSchema(id, cols, keys, keyKind);
    }
}
