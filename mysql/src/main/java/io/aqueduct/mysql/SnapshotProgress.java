package io.aqueduct.mysql;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aqueduct.core.model.TableId;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * How far an initial snapshot has got, stored inside the binlog position so that both are committed together: the
 * tables still to copy, in order, and for the first of them the key of the last row of the last chunk applied (null:
 * from its first row). A position without a snapshot section means no snapshot is in progress.
 */
public record SnapshotProgress(List<TableId> tables, Object[] after) {
    public SnapshotProgress {
        tables = List.copyOf(tables);
        if (tables.isEmpty()) throw new IllegalArgumentException("a snapshot in progress has tables left");
    }

    public TableId current() {
        return tables.get(0);
    }

    /** Progress once the chunk ending at {@code key} is applied; {@code key} null: the current table is done. */
    SnapshotProgress after(Object[] key) {
        if (key != null) return new SnapshotProgress(tables, key);
        return tables.size() == 1 ? null : new SnapshotProgress(tables.subList(1, tables.size()), null);
    }

    ObjectNode toJson() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode n = f.objectNode();
        ArrayNode t = n.putArray("tables");
        for (TableId id : tables) t.addArray().add(id.schema()).add(id.table());
        if (after != null) {
            ArrayNode a = n.putArray("after");
            for (Object v : after) a.add(encode(v));
        }
        return n;
    }

    static SnapshotProgress parse(JsonNode n) {
        List<TableId> tables = new ArrayList<>();
        for (JsonNode t : n.path("tables")) {
            if (t.size() != 2) throw new IllegalArgumentException("snapshot.tables entries are [schema, table]");
            tables.add(new TableId(t.get(0).asText(), t.get(1).asText()));
        }
        Object[] after = null;
        if (n.has("after")) {
            after = new Object[n.get("after").size()];
            for (int i = 0; i < after.length; i++) after[i] = decode(n.get("after").get(i).asText());
        }
        return new SnapshotProgress(tables, after);
    }

    /** A key value as tagged text that {@link #decode} turns back into the same Java value. */
    static String encode(Object v) {
        if (v instanceof Long l) return "L" + l;
        if (v instanceof String s) return "S" + s;
        if (v instanceof BigInteger b) return "I" + b;
        if (v instanceof BigDecimal d) return "N" + d.toPlainString();
        if (v instanceof byte[] b) return "B" + Base64.getEncoder().encodeToString(b);
        if (v instanceof LocalDate d) return "d" + d;
        if (v instanceof LocalDateTime t) return "t" + t;
        if (v instanceof Instant i) return "i" + i;
        if (v instanceof Duration d) return "T" + d;
        if (v instanceof Float x) return "f" + Integer.toHexString(Float.floatToRawIntBits(x));
        if (v instanceof Double x) return "g" + Long.toHexString(Double.doubleToRawLongBits(x));
        throw new IllegalArgumentException("a key value of type " + (v == null ? "null" : v.getClass().getName()));
    }

    static Object decode(String s) {
        String v = s.substring(1);
        return switch (s.charAt(0)) {
            case 'L' -> Long.parseLong(v);
            case 'S' -> v;
            case 'I' -> new BigInteger(v);
            case 'N' -> new BigDecimal(v);
            case 'B' -> Base64.getDecoder().decode(v);
            case 'd' -> LocalDate.parse(v);
            case 't' -> LocalDateTime.parse(v);
            case 'i' -> Instant.parse(v);
            case 'T' -> Duration.parse(v);
            case 'f' -> Float.intBitsToFloat(Integer.parseUnsignedInt(v, 16));
            case 'g' -> Double.longBitsToDouble(Long.parseUnsignedLong(v, 16));
            default -> throw new IllegalArgumentException("unknown key value tag in '" + s + "'");
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SnapshotProgress p && tables.equals(p.tables) && Arrays.deepEquals(after, p.after);
    }

    @Override
    public int hashCode() {
        return tables.hashCode() * 31 + Arrays.deepHashCode(after);
    }

    @Override
    public String toString() {
        return "snapshot of " + current() + (after == null ? " from the start" : " after " + Arrays.toString(after))
                + (tables.size() > 1 ? " and " + (tables.size() - 1) + " more table(s)" : "");
    }
}
