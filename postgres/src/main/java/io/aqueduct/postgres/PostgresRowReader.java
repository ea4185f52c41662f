package io.aqueduct.postgres;

import io.aqueduct.core.apply.RowReader;
import io.aqueduct.core.model.Column;
import java.math.BigInteger;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads rows of a table Aqueduct wrote to PostgreSQL back into the Java values of the SOURCE columns (see
 * docs/type-mapping.md): numeric(20,0) as BigInteger, interval as Duration, bit(n) as big-endian bytes, timestamptz
 * as Instant, timestamp as LocalDateTime, bytea as bytes, jsonb as its text.
 */
public final class PostgresRowReader implements RowReader {
    private final List<Column> columns;

    /** @param columns the source columns the target table was made from */
    public PostgresRowReader(List<Column> columns) {
        this.columns = List.copyOf(columns);
    }

    static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    @Override
    public String selectList(List<String> names) {
        List<String> out = new ArrayList<>(names.size());
        for (int i = 0; i < names.size(); i++) {
            String q = quote(names.get(i));
            out.add(switch (columns.get(i).baseType()) {
                // microseconds as a number: interval text may come in days, and the hours form is locale-free anyway
                case "time" -> "round(extract(epoch from " + q + ") * 1000000)::bigint";
                case "bit" -> q + "::text";
                default -> q;
            });
        }
        return String.join(", ", out);
    }

    @Override
    public List<Column> columns() {
        return columns;
    }

    @Override
    public Object value(ResultSet rs, int i, Column c) throws SQLException {
        if (rs.getObject(i) == null) return null;
        return switch (c.baseType()) {
            case "tinyint", "smallint", "mediumint", "int", "integer", "year" -> rs.getLong(i);
            case "bigint" -> c.unsigned() ? rs.getBigDecimal(i).toBigIntegerExact() : (Object) rs.getLong(i);
            case "decimal", "numeric" -> rs.getBigDecimal(i);
            case "float" -> rs.getFloat(i);
            case "double", "real" -> rs.getDouble(i);
            case "bit" -> bits(rs.getString(i));
            case "date" -> rs.getObject(i, LocalDate.class);
            case "datetime" -> rs.getObject(i, LocalDateTime.class);
            case "timestamp" -> rs.getObject(i, OffsetDateTime.class).toInstant();
            case "time" -> Duration.of(rs.getLong(i), ChronoUnit.MICROS);
            case "binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob", "geometry", "point", "linestring",
                    "polygon", "multipoint", "multilinestring", "multipolygon", "geometrycollection", "geomcollection" -> rs.getBytes(i);
            default -> {
                Object o = rs.getObject(i);
                yield o instanceof byte[] ? o : rs.getString(i);
            }
        };
    }

    /** bit(n) text ('0'/'1', most significant first) as ceil(n/8) big-endian bytes, as the binlog carries BIT(n). */
    static byte[] bits(String text) {
        int len = (text.length() + 7) / 8;
        byte[] raw = new BigInteger(text.isEmpty() ? "0" : text, 2).toByteArray();
        byte[] out = new byte[len];
        int n = Math.min(len, raw.length);
        System.arraycopy(raw, raw.length - n, out, len - n, n);
        return out;
    }

}
