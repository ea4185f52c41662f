package io.aqueduct.mysql;

import io.aqueduct.core.filter.TableFilter;
import io.aqueduct.core.model.Column;
import io.aqueduct.core.model.TableId;
import io.aqueduct.core.model.TableSchema;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Reads table definitions from a MySQL/MariaDB information_schema as they are now. */
public final class MySqlCatalog {
    private static final Set<String> SYSTEM = Set.of("mysql", "information_schema", "performance_schema", "sys");
    private final Connection c;

    public MySqlCatalog(Connection c) {
        this.c = c;
    }

    public List<TableId> tables(TableFilter filter) throws SQLException {
        List<TableId> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT TABLE_SCHEMA, TABLE_NAME FROM information_schema.TABLES "
                + "WHERE TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_SCHEMA, TABLE_NAME");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                TableId t = new TableId(rs.getString(1), rs.getString(2));
                if (!SYSTEM.contains(t.schema().toLowerCase(Locale.ROOT)) && filter.test(t)) out.add(t);
            }
        }
        return out;
    }

    /** The table's current definition, or null when it does not exist. */
    public TableSchema table(TableId id) throws SQLException {
        List<Column> cols = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, IS_NULLABLE, "
                + "CHARACTER_SET_NAME, CHARACTER_MAXIMUM_LENGTH, NUMERIC_PRECISION, NUMERIC_SCALE, DATETIME_PRECISION "
                + "FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION")) {
            ps.setString(1, id.schema());
            ps.setString(2, id.table());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) cols.add(column(rs));
            }
        }
        if (cols.isEmpty()) return null;
        Set<String> json = jsonColumns(id);
        if (!json.isEmpty()) {
            for (int i = 0; i < cols.size(); i++) {
                Column k = cols.get(i);
                if (json.contains(k.name())) {
                    cols.set(i, new Column(k.name(), Types.LONGVARCHAR, "json", k.nullable(), false, 0, 0, k.charset(), null));
                }
            }
        }
        Map<String, List<String>> unique = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT INDEX_NAME, COLUMN_NAME FROM information_schema.STATISTICS "
                + "WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND NON_UNIQUE = 0 ORDER BY INDEX_NAME = 'PRIMARY' DESC, "
                + "INDEX_NAME, SEQ_IN_INDEX")) {
            ps.setString(1, id.schema());
            ps.setString(2, id.table());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) unique.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(2));
            }
        }
        List<String> key = List.of();
        TableSchema.KeyKind kind = TableSchema.KeyKind.NONE;
        for (var e : unique.entrySet()) {
            boolean primary = e.getKey().equals("PRIMARY");
            boolean notNull = e.getValue().stream().allMatch(n -> cols.stream().anyMatch(k -> k.name().equals(n) && !k.nullable()));
            if (primary || notNull) {
                key = e.getValue();
                kind = primary ? TableSchema.KeyKind.PRIMARY : TableSchema.KeyKind.UNIQUE;
                break;
            }
        }
        return new TableSchema(id, cols, key, kind);
    }

    /** Secondary indexes (not the key Aqueduct uses), with their columns in index order; prefix lengths dropped. */
    public List<io.aqueduct.core.model.Index> indexes(TableSchema t) throws SQLException {
        Map<String, List<String>> cols = new LinkedHashMap<>();
        Map<String, Boolean> unique = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT INDEX_NAME, NON_UNIQUE, COLUMN_NAME FROM information_schema.STATISTICS "
                + "WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND INDEX_TYPE IN ('BTREE', 'HASH') ORDER BY INDEX_NAME, SEQ_IN_INDEX")) {
            ps.setString(1, t.id().schema());
            ps.setString(2, t.id().table());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    cols.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(3));
                    unique.put(rs.getString(1), rs.getInt(2) == 0);
                }
            }
        }
        List<io.aqueduct.core.model.Index> out = new ArrayList<>();
        for (var e : cols.entrySet()) {
            if (e.getKey().equals("PRIMARY") || e.getValue().equals(t.keyColumns())) continue;
            out.add(new io.aqueduct.core.model.Index(e.getKey(), unique.get(e.getKey()), e.getValue()));
        }
        return out;
    }

    /** The server's own CREATE TABLE statement for the table. */
    public String createStatement(TableId id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SHOW CREATE TABLE `" + id.schema().replace("`", "``") + "`.`"
                + id.table().replace("`", "``") + "`"); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getString(2);
        }
    }

    /** The database's default character set and collation, for creating it elsewhere alike. */
    public String[] databaseDefaults(String database) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME "
                + "FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?")) {
            ps.setString(1, database);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new String[] {rs.getString(1), rs.getString(2)} : null;
            }
        }
    }

    /** MariaDB's JSON is LONGTEXT with a json_valid() check named after the column. */
    private Set<String> jsonColumns(TableId id) throws SQLException {
        Set<String> out = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS "
                + "WHERE CONSTRAINT_SCHEMA = ? AND TABLE_NAME = ? AND CHECK_CLAUSE LIKE 'json_valid(%'")) {
            ps.setString(1, id.schema());
            ps.setString(2, id.table());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String clause = rs.getString(1);
                    String inner = clause.substring(clause.indexOf('(') + 1, clause.lastIndexOf(')')).trim();
                    out.add(inner.replace("`", ""));
                }
            }
        } catch (SQLException e) {
            // MySQL has a real JSON type and (before 8.0.16) no CHECK_CONSTRAINTS table
            if (e.getErrorCode() != 1109 && e.getErrorCode() != 1146) throw e;
        }
        return out;
    }

    private static Column column(ResultSet rs) throws SQLException {
        String name = rs.getString(1);
        String dataType = rs.getString(2).toLowerCase(Locale.ROOT);
        String columnType = rs.getString(3); // as declared: ENUM members keep their case
        boolean nullable = "YES".equals(rs.getString(4));
        String charset = rs.getString(5);
        long charLen = rs.getLong(6);
        int precision = rs.getInt(7);
        int scale = rs.getInt(8);
        int fsp = rs.getInt(9);
        boolean unsigned = columnType.toLowerCase(Locale.ROOT).contains("unsigned");
        List<String> elements = null;
        if (dataType.equals("enum") || dataType.equals("set")) elements = members(columnType);
        int jdbc = switch (dataType) {
            case "tinyint" -> Types.TINYINT;
            case "smallint", "year" -> Types.SMALLINT;
            case "mediumint", "int" -> Types.INTEGER;
            case "bigint" -> Types.BIGINT;
            case "decimal" -> Types.DECIMAL;
            case "float" -> Types.REAL;
            case "double" -> Types.DOUBLE;
            case "bit" -> Types.BIT;
            case "date" -> Types.DATE;
            case "time" -> Types.TIME;
            case "datetime" -> Types.TIMESTAMP;
            case "timestamp" -> Types.TIMESTAMP_WITH_TIMEZONE;
            case "char" -> Types.CHAR;
            case "varchar", "enum", "set" -> Types.VARCHAR;
            case "binary" -> Types.BINARY;
            case "varbinary" -> Types.VARBINARY;
            case "tinyblob", "blob", "mediumblob", "longblob" -> Types.LONGVARBINARY;
            default -> dataType.endsWith("text") || dataType.equals("json") ? Types.LONGVARCHAR : Types.BINARY;
        };
        int length = switch (jdbc) {
            case Types.DECIMAL -> precision;
            case Types.BIT -> precision;
            case Types.CHAR, Types.VARCHAR, Types.BINARY, Types.VARBINARY -> (int) Math.min(Integer.MAX_VALUE, charLen);
            default -> 0;
        };
        int sc = jdbc == Types.DECIMAL ? scale : (jdbc == Types.TIME || jdbc == Types.TIMESTAMP || jdbc == Types.TIMESTAMP_WITH_TIMEZONE) ? fsp : 0;
        return new Column(name, jdbc, columnType, nullable, unsigned, length, sc, charset, elements);
    }

    /** The members of an {@code enum('a','b')} or {@code set(...)} column type. */
    static List<String> members(String columnType) {
        List<String> out = new ArrayList<>();
        int i = columnType.indexOf('(') + 1;
        StringBuilder cur = null;
        while (i < columnType.length()) {
            char ch = columnType.charAt(i);
            if (cur == null) {
                if (ch == '\'') cur = new StringBuilder();
            } else if (ch == '\'') {
                if (i + 1 < columnType.length() && columnType.charAt(i + 1) == '\'') {
                    cur.append('\'');
                    i++;
                } else {
                    out.add(cur.toString());
                    cur = null;
                }
            } else {
                cur.append(ch);
            }
            i++;
        }
        return out;
    }

}
