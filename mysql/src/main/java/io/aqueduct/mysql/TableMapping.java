package io.aqueduct.mysql;

import com.github.shyiko.mysql.binlog.event.TableMapEventData;
import com.github.shyiko.mysql.binlog.event.TableMapEventMetadata;
import io.aqueduct.core.model.Column;
import io.aqueduct.core.model.TableId;
import io.aqueduct.core.model.TableSchema;
import java.nio.charset.Charset;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A table as one table-map event describes it, ready to decode rows. With {@code binlog_row_metadata=FULL} the event
 * carries names, signedness, charsets, ENUM/SET members and the primary key, so rows are read with the schema in force
 * at that point of the log. Without it, the current catalog fills in, and a column-count mismatch stops the job.
 */
final class TableMapping {
    /**
     * MariaDB's hidden column behind a UNIQUE key on a BLOB or TEXT column (10.4 on): in the table map and the row
     * images, never in information_schema or a SELECT.
     */
    private static final Pattern LONG_UNIQUE_HASH = Pattern.compile("DB_ROW_HASH_\\d+");

    final TableId id;
    final BinlogColumn[] columns;
    /**
     * Where each of {@link #columns} goes in a row of {@link #schema}: -1 for a hidden column, whose values are read
     * past and dropped; null when every column is the table's own (positions equal).
     */
    final int[] into;
    final TableSchema schema;
    final boolean selected;
    private final byte[] types;
    private final int[] metas;
    private final List<String> names;

    private TableMapping(TableId id, BinlogColumn[] columns, int[] into, TableSchema schema, boolean selected, byte[] types,
                         int[] metas, List<String> names) {
        this.id = id;
        this.columns = columns;
        this.into = into;
        this.schema = schema;
        this.selected = selected;
        this.types = types;
        this.metas = metas;
        this.names = names;
    }

    static TableMapping unselected(TableMapEventData e) {
        return new TableMapping(new TableId(e.getDatabase(), e.getTable()), null, null, null, false, e.getColumnTypes(),
                e.getColumnMetadata(), names(e));
    }

    /** Whether another table-map event describes the same table the same way (so the schema object can be reused). */
    boolean sameAs(TableMapEventData e) {
        return id.schema().equals(e.getDatabase()) && id.table().equals(e.getTable())
                && Arrays.equals(types, e.getColumnTypes()) && Arrays.equals(metas, e.getColumnMetadata())
                && names.equals(names(e));
    }

    private static List<String> names(TableMapEventData e) {
        TableMapEventMetadata m = e.getEventMetadata();
        return m == null || m.getColumnNames() == null ? List.of() : m.getColumnNames();
    }

    /**
     * Builds the mapping. {@code catalog} is the table as information_schema shows it now (may be null); it supplies
     * unique keys and JSON markers, and everything when the log lacks column names.
     */
    static TableMapping build(TableMapEventData e, Collations collations, TableSchema catalog, String where) {
        TableId id = new TableId(e.getDatabase(), e.getTable());
        byte[] types = e.getColumnTypes();
        int[] metas = e.getColumnMetadata();
        int n = types.length;
        TableMapEventMetadata m = e.getEventMetadata();
        List<String> names = names(e);
        boolean full = names.size() == n;
        if (!full) {
            if (catalog == null || catalog.columns().size() != n) {
                throw new IllegalStateException("Cannot read rows of " + id + " at " + where + ": the binlog has no column "
                        + "names for it (binlog_row_metadata is not FULL) and the table now has "
                        + (catalog == null ? "no definition" : catalog.columns().size() + " columns instead of " + n)
                        + ". Set binlog_row_metadata=FULL on the source so each event carries its own schema, and "
                        + "restart from a position after the table's last change.");
            }
        }
        BitSet unsignedBits = m == null ? null : m.getSignedness();
        int[] charsetIds = charsetIds(types, metas, m);
        int enumIndex = 0;
        int setIndex = 0;
        int charIndex = 0;
        BinlogColumn[] cols = new BinlogColumn[n];
        for (int i = 0; i < n; i++) {
            int type = types[i] & 0xff;
            int meta = metas[i];
            Column known = catalog != null && catalog.columns().size() > i && (!full || catalog.columns().get(i).name().equals(names.get(i)))
                    ? catalog.columns().get(i) : null;
            String name = full ? names.get(i) : known.name();
            boolean unsigned = unsignedBits != null && ColumnType.isNumeric(type) ? unsignedBits.get(i)
                    : known != null && known.unsigned();
            Collations.Info cs = null;
            if (ColumnType.isCharacter(type, meta)) {
                int id2 = charsetIds != null && charIndex < charsetIds.length ? charsetIds[charIndex] : -1;
                charIndex++;
                if (id2 >= 0) cs = collations.get(id2);
                else if (known != null && known.charset() != null) cs = new Collations.Info(known.charset(), 4, Collations.javaCharset(known.charset()));
                else if (known != null) cs = new Collations.Info("binary", 1, Collations.javaCharset("binary"));
                else cs = new Collations.Info("utf8mb4", 4, Collations.javaCharset("utf8mb4"));
                if (cs.java() == null) {
                    throw new IllegalStateException("Column " + id + "." + name + " uses character set " + cs.charset()
                            + ", which Aqueduct cannot decode. Convert the column to utf8mb4 or exclude the table.");
                }
            }
            String[] elements = null;
            if (ColumnType.isEnumOrSet(type, meta)) {
                boolean isEnum = ColumnType.realType(type, meta) == ColumnType.ENUM;
                List<String[]> lists = m == null ? null : isEnum ? m.getEnumStrValues() : m.getSetStrValues();
                int k = isEnum ? enumIndex++ : setIndex++;
                if (lists != null && k < lists.size()) {
                    elements = lists.get(k);
                    if (Arrays.stream(elements).anyMatch(x -> x.indexOf('\uFFFD') >= 0)) {
                        // member names in a non-UTF-8 charset, decoded as UTF-8 by the binlog library: lossy
                        if (known == null || known.elements().size() != elements.length) {
                            throw new IllegalStateException("Cannot read the ENUM/SET members of " + id + "." + (full ? names.get(i) : "?") + " at " + where);
                        }
                        elements = known.elements().toArray(String[]::new);
                    }
                }
                else if (known != null) elements = known.elements().toArray(String[]::new);
                else throw new IllegalStateException("No ENUM/SET members for " + id + "." + name + " at " + where);
            }
            boolean nullable = e.getColumnNullability() == null || e.getColumnNullability().get(i);
            boolean json = known != null && known.baseType().equals("json");
            Column col = describe(name, type, meta, unsigned, cs, elements, nullable, json, m, i, types);
            cols[i] = new BinlogColumn(type, meta, unsigned, cs == null || cs.isBinary() ? null : cs.java(), elements, col);
        }
        List<Column> columnList = new ArrayList<>(n);
        for (BinlogColumn c : cols) columnList.add(c.column());
        List<String> key = new ArrayList<>();
        TableSchema.KeyKind kind = TableSchema.KeyKind.NONE;
        if (m != null && m.getSimplePrimaryKeys() != null && !m.getSimplePrimaryKeys().isEmpty()) {
            for (int k : m.getSimplePrimaryKeys()) key.add(columnList.get(k).name());
            kind = TableSchema.KeyKind.PRIMARY;
        } else if (m != null && m.getPrimaryKeysWithPrefix() != null && !m.getPrimaryKeysWithPrefix().isEmpty()) {
            for (int k : m.getPrimaryKeysWithPrefix().keySet()) key.add(columnList.get(k).name());
            kind = TableSchema.KeyKind.PRIMARY;
        }
        if (kind == TableSchema.KeyKind.PRIMARY && catalog != null && catalog.keyKind() == TableSchema.KeyKind.UNIQUE
                && catalog.keyColumns().equals(key)) {
            kind = TableSchema.KeyKind.UNIQUE; // MariaDB logs the first UNIQUE NOT NULL index of a table without PK as its PK
        }
        if (key.isEmpty() && catalog != null && catalog.hasKey()
                && catalog.keyColumns().stream().allMatch(k -> columnList.stream().anyMatch(c -> c.name().equals(k)))) {
            key.addAll(catalog.keyColumns());
            kind = catalog.keyKind();
        }
        int[] into = new int[n];
        List<Column> own = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String name = columnList.get(i).name();
            boolean hidden = full && LONG_UNIQUE_HASH.matcher(name).matches()
                    && (catalog == null || catalog.columns().stream().noneMatch(c -> c.name().equalsIgnoreCase(name)));
            into[i] = hidden ? -1 : own.size();
            if (!hidden) own.add(columnList.get(i));
        }
        if (own.size() == n) into = null; // the rows keep the table map's positions
        return new TableMapping(id, cols, into, new TableSchema(id, own, key, kind), true, types, metas, names);
    }

    /** The collation id of each character column, in order, from either charset encoding of the table map. */
    private static int[] charsetIds(byte[] types, int[] metas, TableMapEventMetadata m) {
        if (m == null) return null;
        int count = 0;
        for (int i = 0; i < types.length; i++) if (ColumnType.isCharacter(types[i] & 0xff, metas[i])) count++;
        if (m.getColumnCharsets() != null && !m.getColumnCharsets().isEmpty()) {
            return m.getColumnCharsets().stream().mapToInt(Integer::intValue).toArray();
        }
        TableMapEventMetadata.DefaultCharset d = m.getDefaultCharset();
        if (d == null) return null;
        int[] ids = new int[count];
        Arrays.fill(ids, d.getDefaultCharsetCollation());
        Map<Integer, Integer> overrides = d.getCharsetCollations();
        if (overrides != null) for (var o : overrides.entrySet()) if (o.getKey() < count) ids[o.getKey()] = o.getValue();
        return ids;
    }

    private static Column describe(String name, int type, int meta, boolean unsigned, Collations.Info cs, String[] elements,
                                   boolean nullable, boolean json, TableMapEventMetadata m, int index, byte[] types) {
        String u = unsigned ? " unsigned" : "";
        boolean binary = cs != null && cs.isBinary();
        String charset = cs == null || binary ? null : cs.charset();
        int maxBytes = cs == null ? 1 : Math.max(1, cs.maxBytes());
        return switch (type) {
            case ColumnType.TINY -> new Column(name, Types.TINYINT, "tinyint" + u, nullable, unsigned, 3, 0, null, null);
            case ColumnType.SHORT -> new Column(name, Types.SMALLINT, "smallint" + u, nullable, unsigned, 5, 0, null, null);
            case ColumnType.INT24 -> new Column(name, Types.INTEGER, "mediumint" + u, nullable, unsigned, 8, 0, null, null);
            case ColumnType.LONG -> new Column(name, Types.INTEGER, "int" + u, nullable, unsigned, 10, 0, null, null);
            case ColumnType.LONGLONG -> new Column(name, Types.BIGINT, "bigint" + u, nullable, unsigned, 20, 0, null, null);
            case ColumnType.NEWDECIMAL -> {
                int precision = meta & 0xff;
                int scale = meta >> 8;
                yield new Column(name, Types.DECIMAL, "decimal(" + precision + "," + scale + ")" + u, nullable, unsigned, precision, scale, null, null);
            }
            case ColumnType.FLOAT -> new Column(name, Types.REAL, "float" + u, nullable, unsigned, 12, 0, null, null);
            case ColumnType.DOUBLE -> new Column(name, Types.DOUBLE, "double" + u, nullable, unsigned, 22, 0, null, null);
            case ColumnType.BIT -> {
                int bits = (meta >> 8) * 8 + (meta & 0xff);
                yield new Column(name, Types.BIT, "bit(" + bits + ")", nullable, false, bits, 0, null, null);
            }
            case ColumnType.YEAR -> new Column(name, Types.SMALLINT, "year", nullable, false, 4, 0, null, null);
            case ColumnType.DATE, ColumnType.NEWDATE -> new Column(name, Types.DATE, "date", nullable, false, 10, 0, null, null);
            case ColumnType.TIME, ColumnType.TIME2 -> {
                int fsp = type == ColumnType.TIME2 ? meta : 0;
                yield new Column(name, Types.TIME, fsp == 0 ? "time" : "time(" + fsp + ")", nullable, false, 10, fsp, null, null);
            }
            case ColumnType.DATETIME, ColumnType.DATETIME2 -> {
                int fsp = type == ColumnType.DATETIME2 ? meta : 0;
                yield new Column(name, Types.TIMESTAMP, fsp == 0 ? "datetime" : "datetime(" + fsp + ")", nullable, false, 19, fsp, null, null);
            }
            case ColumnType.TIMESTAMP, ColumnType.TIMESTAMP2 -> {
                int fsp = type == ColumnType.TIMESTAMP2 ? meta : 0;
                yield new Column(name, Types.TIMESTAMP_WITH_TIMEZONE, fsp == 0 ? "timestamp" : "timestamp(" + fsp + ")", nullable, false, 19, fsp, null, null);
            }
            case ColumnType.VARCHAR, ColumnType.VAR_STRING -> binary
                    ? new Column(name, Types.VARBINARY, "varbinary(" + meta + ")", nullable, false, meta, 0, null, null)
                    : new Column(name, Types.VARCHAR, "varchar(" + meta / maxBytes + ")", nullable, false, meta / maxBytes, 0, charset, null);
            case ColumnType.STRING -> {
                int real = ColumnType.realType(type, meta);
                int len = ColumnType.stringMaxLength(meta);
                if (real == ColumnType.ENUM || real == ColumnType.SET) {
                    String kind = real == ColumnType.ENUM ? "enum" : "set";
                    StringBuilder sb = new StringBuilder(kind).append('(');
                    for (int k = 0; k < elements.length; k++) {
                        sb.append(k == 0 ? "'" : ",'").append(elements[k].replace("'", "''")).append('\'');
                    }
                    yield new Column(name, Types.VARCHAR, sb.append(')').toString(), nullable, false, 0, 0, null, Arrays.asList(elements));
                }
                yield binary
                        ? new Column(name, Types.BINARY, "binary(" + len + ")", nullable, false, len, 0, null, null)
                        : new Column(name, Types.CHAR, "char(" + len / maxBytes + ")", nullable, false, len / maxBytes, 0, charset, null);
            }
            case ColumnType.BLOB, ColumnType.TINY_BLOB, ColumnType.MEDIUM_BLOB, ColumnType.LONG_BLOB -> {
                String size = switch (meta) { case 1 -> "tiny"; case 3 -> "medium"; case 4 -> "long"; default -> ""; };
                if (json) yield new Column(name, Types.LONGVARCHAR, "json", nullable, false, 0, 0, charset, null);
                yield binary
                        ? new Column(name, Types.LONGVARBINARY, size + "blob", nullable, false, 0, 0, null, null)
                        : new Column(name, Types.LONGVARCHAR, size + "text", nullable, false, 0, 0, charset, null);
            }
            case ColumnType.JSON -> new Column(name, Types.LONGVARCHAR, "json", nullable, false, 0, 0, "utf8mb4", null);
            case ColumnType.GEOMETRY -> new Column(name, Types.BINARY, geometryName(m, index, types), nullable, false, 0, 0, null, null);
            default -> throw new IllegalStateException("Column " + name + " has binlog type " + type
                    + ", which Aqueduct does not decode yet. Exclude the table or report the type.");
        };
    }

    private static String geometryName(TableMapEventMetadata m, int index, byte[] types) {
        if (m == null || m.getGeometryTypes() == null) return "geometry";
        int k = 0;
        for (int i = 0; i < index; i++) if ((types[i] & 0xff) == ColumnType.GEOMETRY) k++;
        if (k >= m.getGeometryTypes().size()) return "geometry";
        return switch (m.getGeometryTypes().get(k)) {
            case 1 -> "point";
            case 2 -> "linestring";
            case 3 -> "polygon";
            case 4 -> "multipoint";
            case 5 -> "multilinestring";
            case 6 -> "multipolygon";
            case 7 -> "geometrycollection";
            default -> "geometry";
        };
    }

}
