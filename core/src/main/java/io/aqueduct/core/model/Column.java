package io.aqueduct.core.model;

import java.util.List;

/**
 * One column as the source defines it.
 *
 * @param typeName   the source's full type, e.g. {@code bigint unsigned}, {@code decimal(65,30)}, {@code enum('a','b')}
 * @param jdbcType   a {@link java.sql.Types} constant
 * @param length     character or byte length, bit count for BIT, precision for DECIMAL, 0 when unknown
 * @param scale      DECIMAL scale or fractional-second precision of temporal types
 * @param charset    source character set name for character columns, null for others
 * @param elements   ENUM or SET members, empty for other types
 */
public record Column(
        String name,
        int jdbcType,
        String typeName,
        boolean nullable,
        boolean unsigned,
        int length,
        int scale,
        String charset,
        List<String> elements) {

    public Column {
        elements = elements == null ? List.of() : List.copyOf(elements);
    }

    public Column withName(String newName) {
        return new Column(newName, jdbcType, typeName, nullable, unsigned, length, scale, charset, elements);
    }

    /** Base types by full type: rows are read value by value, and each value's reader asks for its column's. */
    private static final java.util.concurrent.ConcurrentHashMap<String, String> BASE_TYPES = new java.util.concurrent.ConcurrentHashMap<>();

    /** The base type keyword: {@code int unsigned} → {@code int}, {@code varchar(10)} → {@code varchar}. */
    public String baseType() {
        String base = BASE_TYPES.get(typeName);
        if (base != null) return base;
        base = baseTypeOf(typeName);
        if (BASE_TYPES.size() < 10_000) BASE_TYPES.put(typeName, base); // distinct type texts: bounded in practice, anyway here
        return base;
    }

    private static String baseTypeOf(String typeName) {
        String t = typeName.toLowerCase(java.util.Locale.ROOT);
        int cut = t.length();
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (c == '(' || c == ' ') { cut = i; break; }
        }
        return t.substring(0, cut);
    }
}
