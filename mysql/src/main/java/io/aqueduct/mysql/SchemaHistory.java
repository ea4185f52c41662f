package io.aqueduct.mysql;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.aqueduct.core.config.ConfigException;
import io.aqueduct.core.model.TableId;
import io.aqueduct.core.model.TableSchema;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Table definitions keyed by binlog position, for sources whose table-map events carry no column names
 * ({@code binlog_row_metadata} other than FULL). A table's definition is recorded when the table is first seen and
 * after each DDL on it, appended to {@code STATE/schema-history.jsonl}; a row event is read with the newest definition
 * recorded at or before its position. So rows replayed after a restart are read with the shape they were written with,
 * not the table's current one.
 */
final class SchemaHistory {
    record Entry(String file, long offset, TableSchema schema) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path file;
    private final Map<TableId, List<Entry>> byTable = new HashMap<>();

    SchemaHistory(Path file) {
        this.file = file;
        if (file == null || !Files.exists(file)) return;
        int line = 0;
        try {
            for (String s : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                line++;
                if (s.isBlank()) continue;
                Entry e = JSON.readValue(s, Entry.class);
                byTable.computeIfAbsent(e.schema().id(), k -> new ArrayList<>()).add(e);
            }
        } catch (IOException e) {
            throw new ConfigException("The schema history " + file + " is damaged at line " + line + " (" + e.getMessage()
                    + "). Restore it from a backup; deleting it makes Aqueduct read old rows with current table definitions.", e);
        }
    }

    /** The definition in force at the position, or null when none was recorded at or before it. */
    TableSchema at(TableId table, String binlogFile, long offset) {
        List<Entry> entries = byTable.get(table);
        if (entries == null) return null;
        Entry found = null;
        for (Entry e : entries) {
            if (compare(e, binlogFile, offset) <= 0 && (found == null || compare(found, e.file(), e.offset()) < 0)) found = e;
        }
        return found == null ? null : found.schema();
    }

    /** Binlog files are ordered by their number (which grows past its zero padding after 999999), then offset. */
    private static int compare(Entry e, String binlogFile, long offset) {
        int c = Long.compare(fileNumber(e.file()), fileNumber(binlogFile));
        if (c == 0) c = e.file().compareTo(binlogFile);
        return c != 0 ? c : Long.compare(e.offset(), offset);
    }

    boolean knows(TableId table) {
        return byTable.containsKey(table);
    }

    void record(String binlogFile, long offset, TableSchema schema) {
        Entry e = new Entry(binlogFile, offset, schema);
        List<Entry> entries = byTable.computeIfAbsent(schema.id(), k -> new ArrayList<>());
        if (!entries.isEmpty() && entries.get(entries.size() - 1).schema().equals(schema)) return;
        entries.add(e);
        if (file == null) return;
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, JSON.writeValueAsString(e) + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND, StandardOpenOption.SYNC);
        } catch (IOException ex) {
            throw new UncheckedIOException("Cannot append to the schema history " + file, ex);
        }
    }

    private static long fileNumber(String file) {
        try {
            return Long.parseLong(file.substring(file.lastIndexOf('.') + 1));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
