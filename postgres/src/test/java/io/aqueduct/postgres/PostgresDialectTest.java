package io.aqueduct.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aqueduct.core.apply.JdbcSink;
import io.aqueduct.core.apply.SqlDialect;
import io.aqueduct.core.config.Endpoint;
import io.aqueduct.core.model.Change;
import io.aqueduct.core.model.Column;
import io.aqueduct.core.model.Ddl;
import io.aqueduct.core.model.RowChange;
import io.aqueduct.core.model.RowChange.Op;
import io.aqueduct.core.model.TableId;
import io.aqueduct.core.model.TableSchema;
import io.aqueduct.core.model.TableSchema.KeyKind;
import io.aqueduct.core.model.Transaction;
import io.aqueduct.testkit.PostgresServer;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Drives the dialect through {@link JdbcSink} against a real PostgreSQL. */
class PostgresDialectTest {
    static final String DB = "dialect_test";
    static PostgresServer pg;
    static PostgresDialect dialect;

    JdbcSink sink;
    long seq;

    @BeforeAll
    static void server() {
        pg = PostgresServer.shared();
        pg.createDatabase(DB);
        dialect = new PostgresDialect(new Endpoint("postgres", pg.host(), pg.port(), pg.user(), pg.password(), DB, 0, null));
    }

    @BeforeEach
    void open() throws SQLException {
        sink = new JdbcSink(dialect, 4);
        sink.open();
    }

    @AfterEach
    void close() {
        sink.close();
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    /** A column the way the MySQL source describes it, its numbers taken from the type. */
    static Column col(String name, String typeName, boolean nullable) {
        int open = typeName.indexOf('(');
        List<String> elements = new ArrayList<>();
        int length = 0;
        int scale = 0;
        if (typeName.startsWith("enum") || typeName.startsWith("set")) {
            for (String e : typeName.substring(open + 1, typeName.lastIndexOf(')')).split(",")) elements.add(e.replace("'", ""));
        } else if (open > 0) {
            String[] p = typeName.substring(open + 1, typeName.indexOf(')')).split(",");
            length = Integer.parseInt(p[0].trim());
            if (p.length > 1) scale = Integer.parseInt(p[1].trim());
            if (typeName.startsWith("datetime") || typeName.startsWith("timestamp") || typeName.startsWith("time")) {
                scale = length;
                length = 0;
            }
        }
        return new Column(name, Types.OTHER, typeName, nullable, typeName.contains("unsigned"), length, scale,
                typeName.contains("char") || typeName.contains("text") ? "utf8mb4" : null, elements);
    }

    static Column col(String name, String typeName) {
        return col(name, typeName, true);
    }

    static TableSchema table(String schema, String name, List<String> key, Column... cols) {
        return new TableSchema(new TableId(schema, name), List.of(cols), key, key.isEmpty() ? KeyKind.NONE : KeyKind.PRIMARY);
    }

    static RowChange insert(TableSchema t, Object... row) {
        return new RowChange(t, Op.INSERT, null, row);
    }

    static RowChange update(TableSchema t, Object[] before, Object[] after) {
        return new RowChange(t, Op.UPDATE, before, after);
    }

    static RowChange delete(TableSchema t, Object... row) {
        return new RowChange(t, Op.DELETE, row, null);
    }

    Transaction tx(Change... changes) {
        seq++;
        return new Transaction(seq, "tx" + seq, "source", 0, () -> "{}", List.of(changes), 0, true);
    }

    void apply(Change... changes) throws SQLException {
        sink.apply(0, List.of(tx(changes)));
    }

    static List<List<Object>> query(String sql) {
        return pg.query(DB, sql);
    }

    static void reset(String schema) {
        pg.execute(DB, "DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE");
    }

    /** Column name → format_type() of the target table. */
    static Map<String, String> targetTypes(String table) {
        Map<String, String> types = new LinkedHashMap<>();
        for (List<Object> r : query("SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = '"
                + table + "'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum")) {
            types.put((String) r.get(0), (String) r.get(1));
        }
        return types;
    }

    static byte[] bytes(int... b) {
        byte[] out = new byte[b.length];
        for (int i = 0; i < b.length; i++) out[i] = (byte) b[i];
        return out;
    }

    static Duration time(int sign, long h, long m, long s, long micros) {
        Duration d = Duration.ofHours(h).plusMinutes(m).plusSeconds(s).plusNanos(micros * 1000);
        return sign < 0 ? d.negated() : d;
    }

    // ---- every type ---------------------------------------------------------------------------------------------

    /** Source type, target type as format_type() prints it. */
    static final String[][] TYPES = {
        {"id", "bigint(20)", "bigint"},
        {"ti", "tinyint(4)", "smallint"}, {"tiu", "tinyint(3) unsigned", "smallint"},
        {"si", "smallint(6)", "smallint"}, {"siu", "smallint(5) unsigned", "integer"},
        {"mi", "mediumint(9)", "integer"}, {"miu", "mediumint(8) unsigned", "integer"},
        {"i", "int(11)", "integer"}, {"iu", "int(10) unsigned", "bigint"},
        {"bi", "bigint(20)", "bigint"}, {"biu", "bigint(20) unsigned", "numeric(20,0)"},
        {"d", "decimal(65,30)", "numeric(65,30)"}, {"d2", "decimal(10,2) unsigned", "numeric(10,2)"},
        {"f", "float", "real"}, {"db", "double", "double precision"},
        {"b1", "bit(1)", "bit(1)"}, {"b10", "bit(10)", "bit(10)"}, {"b64", "bit(64)", "bit(64)"},
        {"dt", "date", "date"}, {"dtm", "datetime(6)", "timestamp(6) without time zone"},
        {"dt0", "datetime", "timestamp(0) without time zone"}, {"ts", "timestamp(6)", "timestamp(6) with time zone"},
        {"tm", "time(6)", "interval"}, {"y", "year(4)", "smallint"},
        {"c", "char(10)", "character varying(10)"}, {"vc", "varchar(255)", "character varying(255)"},
        {"tx", "longtext", "text"}, {"bin", "binary(4)", "bytea"}, {"vb", "varbinary(300)", "bytea"},
        {"bl", "blob", "bytea"}, {"e", "enum('a','b','c')", "text"}, {"s", "set('x','y','z')", "text"},
        {"j", "json", "jsonb"}, {"g", "geometry", "bytea"}, {"zd", "date", "date"}, {"zdt", "datetime", "timestamp(0) without time zone"},
    };

    static TableSchema typesTable() {
        Column[] cols = new Column[TYPES.length];
        for (int i = 0; i < cols.length; i++) cols[i] = col(TYPES[i][0], TYPES[i][1], i == 0 || TYPES[i][0].equals("zdt") ? false : true);
        return table("types_db", "AllTypes", List.of("id"), cols);
    }

    static final byte[] ALL_BYTES = new byte[256];
    static final byte[] POINT = bytes(0xE6, 0x10, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xF0, 0x3F, 0, 0, 0, 0, 0, 0, 0, 0x40);

    static {
        for (int i = 0; i < 256; i++) ALL_BYTES[i] = (byte) i;
    }

    static final Object[] MAX = {
        1L, 127L, 255L, 32767L, 65535L, 8388607L, 16777215L, 2147483647L, 4294967295L,
        Long.MAX_VALUE, new BigInteger("18446744073709551615"),
        new BigDecimal("99999999999999999999999999999999999.999999999999999999999999999999"), new BigDecimal("99999999.99"),
        Float.MAX_VALUE, Double.MAX_VALUE, bytes(1), bytes(0x03, 0xFF), bytes(0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF),
        LocalDate.of(9999, 12, 31), LocalDateTime.of(9999, 12, 31, 23, 59, 59, 999_999_000), LocalDateTime.of(2024, 2, 29, 12, 0),
        Instant.parse("2038-01-19T03:14:07.999999Z"), time(1, 838, 59, 59, 999_999), 2155L,
        "abc", "emoji \uD83D\uDE00 and \u00FC, quote ' and \\", "x".repeat(100_000), bytes(0, 1, 0, 0xFF), ALL_BYTES, ALL_BYTES,
        "c", "x,y,z", "{\"a\": 1, \"b\": [true, null, \"x\"], \"bb\": {\"k\": 1.50}}", POINT, "0000-00-00", "0000-00-00 00:00:00",
    };

    static final Object[] MIN = {
        2L, -128L, 0L, -32768L, 0L, -8388608L, 0L, -2147483648L, 0L,
        Long.MIN_VALUE, BigInteger.ZERO,
        new BigDecimal("-99999999999999999999999999999999999.999999999999999999999999999999"), new BigDecimal("0.01"),
        Float.MIN_VALUE, Double.MIN_VALUE, bytes(0), bytes(0x02, 0x01), bytes(0x80, 0, 0, 0, 0, 0, 0, 1),
        LocalDate.of(1000, 1, 1), LocalDateTime.of(1000, 1, 1, 0, 0), LocalDateTime.of(1970, 1, 1, 0, 0),
        Instant.parse("1970-01-01T00:00:01Z"), time(-1, 838, 59, 59, 0), 1901L,
        "", "", "", bytes(0, 0, 0, 0), new byte[0], new byte[0],
        "a", "", "[]", POINT, LocalDate.of(2020, 2, 29), LocalDateTime.of(2020, 2, 29, 1, 2, 3),
    };

    static final Object[] ODD = {
        3L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L,
        0L, new BigInteger("9223372036854775808"),
        new BigDecimal("0.000000000000000000000000000001"), new BigDecimal("0.00"),
        -0.0f, 0.1 + 0.2, bytes(0), bytes(0, 0), bytes(0, 0, 0, 0, 0, 0, 0, 0),
        LocalDate.of(2024, 2, 29), LocalDateTime.of(2024, 2, 29, 0, 0, 0, 1000), LocalDateTime.of(2024, 2, 29, 0, 0),
        Instant.parse("2024-02-29T23:59:59.000001Z"), time(1, 25, 0, 0, 0), 0L,
        " trailing ", "\t\n\r", "\u00E9\u0300 \uD834\uDD1E", bytes(0), bytes(0), bytes(0),
        "b", "x", "null", new byte[0], LocalDate.of(1000, 1, 1), LocalDateTime.of(1000, 1, 1, 0, 0),
    };

    static final Object[] NULLS = new Object[TYPES.length];

    static {
        NULLS[0] = 4L;
        NULLS[TYPES.length - 1] = "0000-00-00 00:00:00"; // zdt is NOT NULL at the source
    }

    /** The select list: text casts where JDBC has no exact Java type. */
    static String selectList() {
        List<String> out = new ArrayList<>();
        for (String[] t : TYPES) {
            String q = "\"" + t[0] + "\"";
            switch (t[2]) {
                case "bit(1)", "bit(10)", "bit(64)", "interval", "jsonb", "date" -> out.add(q + "::text");
                case "timestamp(6) without time zone", "timestamp(0) without time zone" -> out.add(q + "::text");
                case "timestamp(6) with time zone" -> out.add("(" + q + " AT TIME ZONE 'UTC')::text");
                default -> out.add(q);
            }
        }
        return String.join(", ", out);
    }

    /** What the select list returns for a source value. */
    static Object expected(String targetType, Object v) {
        if (v == null) return null;
        if (v instanceof String s && (targetType.startsWith("date") || targetType.startsWith("timestamp"))) return null;
        return switch (targetType) {
            case "bit(1)" -> PostgresDialect.bits((byte[]) v, 1);
            case "bit(10)" -> PostgresDialect.bits((byte[]) v, 10);
            case "bit(64)" -> PostgresDialect.bits((byte[]) v, 64);
            case "date" -> v.toString();
            case "timestamp(6) without time zone", "timestamp(0) without time zone" -> text((LocalDateTime) v);
            case "timestamp(6) with time zone" -> text(LocalDateTime.ofInstant((Instant) v, ZoneOffset.UTC));
            default -> v;
        };
    }

    /** PostgreSQL's text form: seconds always, fraction without trailing zeros. */
    static String text(LocalDateTime t) {
        String s = t.withNano(0).format(DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss"));
        return t.getNano() == 0 ? s : s + String.format(".%06d", t.getNano() / 1000).replaceAll("0+$", "");
    }

    static void assertRow(Object[] source, List<Object> got) {
        for (int i = 0; i < TYPES.length; i++) {
            String column = TYPES[i][0];
            Object want = expected(TYPES[i][2], source[i]);
            Object have = got.get(i);
            if (want instanceof Duration || TYPES[i][2].equals("jsonb")) continue; // checked separately
            if (want instanceof Long l) assertThat(((Number) have).longValue()).as(column).isEqualTo(l);
            else if (want instanceof BigInteger b) assertThat((BigDecimal) have).as(column).isEqualTo(new BigDecimal(b));
            else if (want instanceof BigDecimal b) assertThat((BigDecimal) have).as(column).isEqualByComparingTo(b);
            else assertThat(have).as(column).isEqualTo(want);
        }
    }

    @Test
    void createsTheTableWithTheTypeMappingAndEveryValueRoundTripsExactly() throws SQLException {
        reset("types_db");
        TableSchema t = typesTable();
        apply(insert(t, MAX), insert(t, MIN), insert(t, ODD), insert(t, NULLS));

        Map<String, String> want = new LinkedHashMap<>();
        for (String[] type : TYPES) want.put(type[0], type[2]);
        assertThat(targetTypes("types_db.\"AllTypes\"")).isEqualTo(want);
        assertThat(query("SELECT conname FROM pg_constraint WHERE conrelid = 'types_db.\"AllTypes\"'::regclass AND contype = 'p'"))
                .hasSize(1);

        List<List<Object>> rows = query("SELECT " + selectList() + " FROM types_db.\"AllTypes\" ORDER BY id");
        assertThat(rows).hasSize(4);
        assertRow(MAX, rows.get(0));
        assertRow(MIN, rows.get(1));
        assertRow(ODD, rows.get(2));
        assertRow(NULLS, rows.get(3));

        // TIME: exact to the microsecond, negative and over 24 hours, as hours (never folded into days)
        assertThat(query("SELECT tm::text, extract(epoch FROM tm)::text FROM types_db.\"AllTypes\" ORDER BY id")).containsExactly(
                List.of("838:59:59.999999", "3020399.999999"), List.of("-838:59:59", "-3020399.000000"),
                List.of("25:00:00", "90000.000000"), Arrays.asList(null, null));
        // JSON: same document; jsonb prints it in MySQL's normal form (and keeps 1.50 as written)
        assertThat(query("SELECT j::text FROM types_db.\"AllTypes\" ORDER BY id")).containsExactly(
                List.of("{\"a\": 1, \"b\": [true, null, \"x\"], \"bb\": {\"k\": 1.50}}"), List.of("[]"), List.of("null"),
                Arrays.asList((Object) null));
        // -0.0 stays negative zero; NULL and the empty string stay apart
        assertThat(Float.floatToRawIntBits((Float) query("SELECT f FROM types_db.\"AllTypes\" WHERE id = 3").get(0).get(0)))
                .isEqualTo(Float.floatToRawIntBits(-0.0f));
        assertThat(query("SELECT count(*) FROM types_db.\"AllTypes\" WHERE vc = ''")).containsExactly(List.of(1L));
        assertThat(query("SELECT count(*) FROM types_db.\"AllTypes\" WHERE vc IS NULL")).containsExactly(List.of(1L));
    }

    /** From 100 rows of a table in a batch on, rows go through COPY into a staging table: the same rows result. */
    @Test
    void aLargeBatchGoesThroughCopyAndLeavesExactlyWhatUpsertsLeave() throws SQLException {
        reset("bulk_db");
        TableSchema bulk = typesTable().withId(new TableId("bulk_db", "by_bulk"));
        TableSchema upsert = typesTable().withId(new TableId("bulk_db", "by_upsert"));
        Object[] ancient = ODD.clone(); // years before 1000, which the date text pads
        ancient[column("dt")] = LocalDate.of(42, 3, 4);
        ancient[column("dtm")] = LocalDateTime.of(42, 3, 4, 5, 6, 7, 8000);
        List<Object[]> rows = new ArrayList<>();
        for (int k = 0; k < 30; k++) {
            int n = 1;
            for (Object[] row : List.of(MAX, MIN, ODD, NULLS, ancient)) {
                Object[] copy = row.clone();
                copy[0] = 10L * k + n++;
                rows.add(copy);
            }
        }
        // existing rows under some of the keys: the upsert replaces them
        apply(insert(bulk, NULLS.clone()), insert(upsert, NULLS.clone()));
        long staging = stagingTables();
        apply(rows.stream().map(r -> insert(bulk, r)).toArray(Change[]::new));
        assertThat(stagingTables()).as("a staging table for the COPY").isEqualTo(staging + 1);
        for (int from = 0; from < rows.size(); from += JdbcSink.BULK_ROWS - 1) {
            apply(rows.subList(from, Math.min(rows.size(), from + JdbcSink.BULK_ROWS - 1)).stream()
                    .map(r -> insert(upsert, r)).toArray(Change[]::new));
        }
        assertThat(stagingTables()).as("none for batches below the bulk size").isEqualTo(staging + 1);
        List<List<Object>> loaded = query("SELECT t::text FROM bulk_db.by_bulk t ORDER BY id");
        assertThat(loaded).hasSize(150).isEqualTo(query("SELECT t::text FROM bulk_db.by_upsert t ORDER BY id"));
        assertRow(rows.get(0), query("SELECT " + selectList() + " FROM bulk_db.by_bulk WHERE id = 1").get(0)); // MAX
        assertRow(rows.get(147), query("SELECT " + selectList() + " FROM bulk_db.by_bulk WHERE id = 293").get(0)); // ODD
        assertRow(rows.get(149), query("SELECT " + selectList() + " FROM bulk_db.by_bulk WHERE id = 295").get(0)); // ancient
        assertThat(Float.floatToRawIntBits((Float) query("SELECT f FROM bulk_db.by_bulk WHERE id = 3").get(0).get(0)))
                .isEqualTo(Float.floatToRawIntBits(-0.0f));
    }

    @Test
    void aNulCharacterInALargeBatchFailsNamingTheTableAndColumnAndLeavesNothing() throws SQLException {
        reset("bulk_nul");
        TableSchema t = table("bulk_nul", "t", List.of("id"), col("id", "bigint(20)", false), col("vc", "varchar(20)"));
        List<Change> rows = new ArrayList<>();
        for (long i = 0; i < 150; i++) rows.add(insert(t, i, i == 7 ? "a\0b" : "ok"));
        assertThatThrownBy(() -> apply(rows.toArray(Change[]::new)))
                .hasMessageContaining("bulk_nul.t column vc: a value contains the character U+0000");
        assertThat(query("SELECT count(*) FROM bulk_nul.t")).containsExactly(List.of(0L));
    }

    @Test
    void aUserWhoMayNotCreateTemporaryTablesGetsUpserts() throws SQLException {
        reset("bulk_notemp");
        pg.execute(DB, "DROP ROLE IF EXISTS notemp", "CREATE ROLE notemp LOGIN PASSWORD 'notemp'",
                "REVOKE TEMPORARY ON DATABASE " + DB + " FROM PUBLIC", "GRANT CREATE ON DATABASE " + DB + " TO notemp");
        try {
            PostgresDialect restricted = new PostgresDialect(new Endpoint("postgres", pg.host(), pg.port(), "notemp", "notemp", DB, 0, null));
            TableSchema t = table("bulk_notemp", "t", List.of("id"), col("id", "bigint(20)", false), col("vc", "varchar(20)"));
            List<Change> rows = new ArrayList<>();
            for (long i = 0; i < 150; i++) rows.add(insert(t, i, "v" + i));
            long staging = stagingTables();
            JdbcSink restrictedSink = new JdbcSink(restricted, 1);
            try {
                restrictedSink.open();
                restrictedSink.apply(0, List.of(tx(rows.toArray(Change[]::new))));
            } finally {
                restrictedSink.close();
            }
            assertThat(query("SELECT count(*) FROM bulk_notemp.t")).containsExactly(List.of(150L));
            assertThat(stagingTables()).isEqualTo(staging);
        } finally {
            pg.execute(DB, "GRANT TEMPORARY ON DATABASE " + DB + " TO PUBLIC", "DROP SCHEMA IF EXISTS bulk_notemp CASCADE",
                    "DROP OWNED BY notemp", "DROP ROLE notemp");
        }
    }

    static int column(String name) {
        for (int i = 0; i < TYPES.length; i++) if (TYPES[i][0].equals(name)) return i;
        throw new IllegalArgumentException(name);
    }

    /** Staging tables of the bulk load in the sessions still open. */
    static long stagingTables() {
        return (Long) query("SELECT count(*) FROM pg_class WHERE relname LIKE 'aqueduct_bulk_%' AND relpersistence = 't'").get(0).get(0);
    }

    @Test
    void negativeSubSecondTime() throws SQLException {
        reset("time_db");
        TableSchema t = table("time_db", "t", List.of("id"), col("id", "int(11)"), col("tm", "time(6)"));
        apply(insert(t, 1L, Duration.ofNanos(-500_000_000)), insert(t, 2L, time(-1, 0, 0, 1, 1)), insert(t, 3L, Duration.ZERO),
                insert(t, 4L, time(1, 48, 0, 0, 0)));
        assertThat(query("SELECT tm::text FROM time_db.t ORDER BY id")).containsExactly(
                List.of("-00:00:00.5"), List.of("-00:00:01.000001"), List.of("00:00:00"), List.of("48:00:00"));
    }

    @Test
    void reapplyingABatchLeavesIdenticalRows() throws SQLException {
        reset("types_db");
        TableSchema t = typesTable();
        Object[] changed = MAX.clone();
        changed[25] = "changed";
        List<Transaction> batch = List.of(tx(insert(t, MAX), insert(t, MIN), insert(t, ODD)),
                tx(update(t, MAX, changed), delete(t, ODD), insert(t, NULLS)));
        sink.apply(1, batch);
        String dump = "SELECT t::text FROM types_db.\"AllTypes\" t ORDER BY id";
        List<List<Object>> once = query(dump);
        sink.apply(1, batch);
        sink.apply(2, batch.subList(1, 2));
        assertThat(query(dump)).isEqualTo(once).hasSize(3);
        assertThat(query("SELECT vc FROM types_db.\"AllTypes\" WHERE id = 1")).containsExactly(List.of("changed"));
    }

    // ---- keys ---------------------------------------------------------------------------------------------------

    @Test
    void followsKeyChangesAndDeletesMergedAndInOrder() throws SQLException {
        reset("key_db");
        TableSchema t = table("key_db", "Pk", List.of("Id", "k2"), col("Id", "int(11)", false), col("k2", "varchar(10)", false),
                col("v", "varchar(10)"));
        apply(insert(t, 1L, "a", "one"), insert(t, 2L, "b", "two"), insert(t, 3L, "c", "three"));
        // merged: the key of row 1 changes, row 2 goes
        apply(update(t, new Object[] {1L, "a", "one"}, new Object[] {10L, "a", "ten"}), delete(t, 2L, "b", "two"));
        assertThat(query("SELECT \"Id\", k2, v FROM key_db.\"Pk\" ORDER BY 1")).containsExactly(
                List.of(3, "c", "three"), List.of(10, "a", "ten"));
        // in source order (a transaction with DDL): swap the keys of two rows through a third
        apply(new Ddl("key_db", "ALTER TABLE Pk ADD INDEX (v)", new TableId("key_db", "Pk"), t),
                update(t, new Object[] {3L, "c", "three"}, new Object[] {99L, "c", "three"}),
                update(t, new Object[] {10L, "a", "ten"}, new Object[] {3L, "c", "ten"}),
                update(t, new Object[] {99L, "c", "three"}, new Object[] {10L, "a", "three"}),
                delete(t, 3L, "c", "ten"));
        assertThat(query("SELECT \"Id\", k2, v FROM key_db.\"Pk\" ORDER BY 1")).containsExactly(List.of(10, "a", "three"));
    }

    @Test
    void keysOfUntypedAndTemporalColumns() throws SQLException {
        reset("keytypes_db");
        TableSchema t = table("keytypes_db", "k", List.of("b", "tm", "dt", "d", "vb"), col("b", "bit(8)", false),
                col("tm", "time(6)", false), col("dt", "datetime(6)", false), col("d", "decimal(10,2)", false),
                col("vb", "varbinary(4)", false), col("v", "int(11)"));
        Object[] one = {bytes(0x81), time(-1, 30, 0, 0, 1), LocalDateTime.of(2000, 1, 1, 0, 0, 0, 1000), new BigDecimal("1.50"), bytes(0), 1L};
        Object[] two = {bytes(0x01), time(1, 30, 0, 0, 1), LocalDateTime.of(2000, 1, 1, 0, 0), new BigDecimal("1.5"), bytes(0, 0), 2L};
        Object[] oneMoved = one.clone();
        oneMoved[1] = time(1, 1, 0, 0, 0);
        oneMoved[5] = 3L;
        apply(insert(t, one), insert(t, two));
        apply(update(t, one, oneMoved), delete(t, two));
        assertThat(query("SELECT b::text, tm::text, v FROM keytypes_db.k")).containsExactly(List.of("10000001", "01:00:00", 3));
    }

    @Test
    void uniqueKeyTableAndAllKeyColumns() throws SQLException {
        reset("uk_db");
        TableSchema u = new TableSchema(new TableId("uk_db", "u"), List.of(col("a", "int(11)", false), col("b", "varchar(5)")),
                List.of("a"), KeyKind.UNIQUE);
        TableSchema link = table("uk_db", "link", List.of("x", "y"), col("x", "int(11)", false), col("y", "int(11)", false));
        for (int i = 0; i < 2; i++) apply(insert(u, 1L, "x"), insert(u, 1L, "y"), insert(link, 1L, 2L), insert(link, 1L, 2L));
        assertThat(query("SELECT a, b FROM uk_db.u")).containsExactly(List.of(1, "y"));
        assertThat(query("SELECT x, y FROM uk_db.link")).containsExactly(List.of(1, 2));
        assertThat(query("SELECT contype::text FROM pg_constraint WHERE conrelid = 'uk_db.u'::regclass")).containsExactly(List.of("u"));
    }

    @Test
    void tableWithoutKeyDeletesAndUpdatesExactlyOneOfEqualRows() throws SQLException {
        reset("nokey_db");
        TableSchema t = table("nokey_db", "log", List.of(), col("n", "int(11)"), col("s", "varchar(10)"), col("b", "bit(3)"),
                col("tm", "time"), col("j", "json"), col("f", "float"));
        Object[] dup = {1L, "x", bytes(5), time(-1, 1, 0, 0, 0), "{\"a\": [1]}", 0.1f};
        Object[] nulls = {2L, null, null, null, null, null};
        apply(insert(t, dup), insert(t, dup), insert(t, dup), insert(t, nulls));
        apply(delete(t, dup), update(t, dup, new Object[] {5L, "y", bytes(2), time(1, 0, 0, 0, 1), "{}", 1.5f}),
                update(t, nulls, new Object[] {3L, null, null, null, null, null}));
        assertThat(query("SELECT n, s, b::text, tm::text, j::text, f FROM nokey_db.log ORDER BY n")).containsExactly(
                List.of(1, "x", "101", "-01:00:00", "{\"a\": [1]}", 0.1f),
                Arrays.asList(3, null, null, null, null, null),
                List.of(5, "y", "010", "00:00:00.000001", "{}", 1.5f));
    }

    // ---- shape changes ------------------------------------------------------------------------------------------

    @Test
    void followsAddedDroppedAndWidenedColumns() throws SQLException {
        reset("shape_db");
        TableSchema v1 = table("shape_db", "t", List.of("id"), col("id", "int(11)", false), col("a", "varchar(5)"),
                col("n", "int(11)", false));
        TableSchema v2 = table("shape_db", "t", List.of("id"), col("id", "int(11)", false), col("a", "varchar(50)"),
                col("n", "bigint(20)", true), col("New Col", "datetime(3)", false));
        TableSchema v3 = table("shape_db", "t", List.of("id"), col("id", "int(11)", false), col("n", "bigint(20)"),
                col("New Col", "datetime(3)", false));
        apply(insert(v1, 1L, "aaaaa", 1L));
        apply(insert(v2, 2L, "a longer value than five", null, LocalDateTime.of(2024, 1, 2, 3, 4, 5, 6_000_000)));
        assertThat(targetTypes("shape_db.t")).containsExactly(Map.entry("id", "integer"), Map.entry("a", "character varying(50)"),
                Map.entry("n", "bigint"), Map.entry("New Col", "timestamp(3) without time zone"));
        apply(insert(v3, 3L, 3L, LocalDateTime.of(2024, 1, 2, 3, 4, 5)));
        assertThat(targetTypes("shape_db.t")).containsOnlyKeys("id", "n", "New Col");
        assertThat(query("SELECT id, n, \"New Col\"::text FROM shape_db.t ORDER BY id")).containsExactly(
                Arrays.asList(1, 1L, null), Arrays.asList(2, null, "2024-01-02 03:04:05.006"), List.of(3, 3L, "2024-01-02 03:04:05"));
    }

    @Test
    void aKeyAddedAtTheSourceBecomesAUniqueIndex() throws SQLException {
        reset("addkey_db");
        TableSchema before = table("addkey_db", "t", List.of(), col("id", "int(11)"), col("v", "text"));
        TableSchema after = table("addkey_db", "t", List.of("id"), col("id", "int(11)", false), col("v", "text"));
        apply(insert(before, 1L, "a"));
        apply(insert(after, 1L, "b"), insert(after, 2L, "c"));
        apply(update(after, new Object[] {1L, "a"}, new Object[] {1L, "d"}));
        assertThat(query("SELECT id, v FROM addkey_db.t ORDER BY id")).containsExactly(List.of(1, "d"), List.of(2, "c"));
    }

    @Test
    void lanesCreatingAndAlteringTablesAtOnceDoNotTripOverEachOther() throws Exception {
        reset("race_db");
        TableSchema a = table("race_db", "a", List.of("id"), col("id", "int(11)", false));
        TableSchema b = table("race_db", "b", List.of("id"), col("id", "int(11)", false), col("x", "int(11)"));
        TableSchema b2 = table("race_db", "b", List.of("id"), col("id", "int(11)", false), col("x", "int(11)"), col("y", "int(11)"));
        // all lanes create the schema and both tables at once, then all add a column at once (as after a source DDL)
        onAllLanesAtOnce(lane -> List.of(tx(insert(a, lane), insert(b, lane, lane))));
        onAllLanesAtOnce(lane -> List.of(tx(insert(b2, lane + 10, lane, lane))));
        assertThat(query("SELECT count(*) FROM race_db.a")).containsExactly(List.of(4L));
        assertThat(query("SELECT count(*), count(y) FROM race_db.b")).containsExactly(List.of(8L, 4L));
    }

    void onAllLanesAtOnce(java.util.function.LongFunction<List<Transaction>> batch) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int lane = 0; lane < 4; lane++) {
                int l = lane;
                List<Transaction> txs = batch.apply(lane);
                done.add(pool.submit(() -> {
                    go.await();
                    sink.apply(l, txs);
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) f.get();
        } finally {
            pool.shutdownNow();
        }
    }

    // ---- DDL ----------------------------------------------------------------------------------------------------

    @Test
    void followsTruncateDropAndRename() throws SQLException {
        reset("ddl_db");
        reset("ddl_db2");
        TableId id = new TableId("ddl_db", "t");
        TableSchema t = table("ddl_db", "t", List.of("id"), col("id", "int(11)", false));
        apply(insert(t, 1L), insert(t, 2L));
        apply(new Ddl("ddl_db", "/* x */ truncate\n`t`", id, null));
        assertThat(query("SELECT count(*) FROM ddl_db.t")).containsExactly(List.of(0L));
        apply(insert(t, 3L));
        apply(new Ddl("ddl_db", "DROP TEMPORARY TABLE IF EXISTS `t` /* generated by server */", id, null));
        apply(new Ddl("ddl_db", "CREATE TABLE t2 LIKE t", new TableId("ddl_db", "t2"), null));
        assertThat(query("SELECT id FROM ddl_db.t")).containsExactly(List.of(3));

        TableSchema moved = t.withId(new TableId("ddl_db2", "u"));
        apply(new Ddl("ddl_db", "RENAME TABLE t TO ddl_db2.u", id, moved));
        assertThat(query("SELECT id FROM ddl_db2.u")).containsExactly(List.of(3));
        assertThat(query("SELECT to_regclass('ddl_db.t') IS NULL")).containsExactly(List.of(true));

        apply(new Ddl("ddl_db2", "DROP TABLE `u` /* generated by server */", moved.id(), null));
        assertThat(query("SELECT to_regclass('ddl_db2.u') IS NULL")).containsExactly(List.of(true));
        apply(new Ddl("ddl_db2", "TRUNCATE TABLE u", moved.id(), null)); // gone already: nothing to do
        apply(insert(t, 4L)); // recreated by the next row
        assertThat(query("SELECT id FROM ddl_db.t")).containsExactly(List.of(4));
    }

    // ---- values PostgreSQL cannot take ------------------------------------------------------------------------

    @Test
    void aNulCharacterFailsNamingTheTableAndColumn() throws SQLException {
        reset("nul_db");
        TableSchema t = table("nul_db", "t", List.of("id"), col("id", "int(11)", false), col("name", "varchar(10)"));
        assertThatThrownBy(() -> apply(insert(t, 1L, "a\u0000b")))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("nul_db.t column name").hasMessageContaining("U+0000");
        assertThat(query("SELECT count(*) FROM nul_db.t")).containsExactly(List.of(0L));
    }

    // ---- session ------------------------------------------------------------------------------------------------

    @Test
    void sessionIsUtcWithoutAutocommitAndReplicaRoleWhenAllowed() throws SQLException {
        pg.execute(DB, "DROP ROLE IF EXISTS plain", "CREATE ROLE plain LOGIN");
        PostgresDialect plain = new PostgresDialect(new Endpoint("postgres", pg.host(), pg.port(), "plain", null, DB, 0, null));
        for (var d : List.of(dialect, plain)) {
            try (Connection c = d.connect(); Statement st = c.createStatement()) {
                d.prepareSession(c);
                c.rollback(); // the settings survive a rolled-back apply
                assertThat(c.getAutoCommit()).isFalse();
                try (var rs = st.executeQuery("SELECT current_setting('TimeZone'), current_setting('session_replication_role'), "
                        + "current_setting('application_name')")) {
                    rs.next();
                    assertThat(rs.getString(1)).isEqualTo("UTC");
                    assertThat(rs.getString(2)).isEqualTo(d == dialect ? "replica" : "origin");
                    assertThat(rs.getString(3)).isEqualTo("aqueduct");
                }
            }
        }
    }

    @Test
    void transientFailures() {
        for (String s : List.of("08006", "08001", "40001", "40P01", "57P01", "57P02", "57P03", "53300")) {
            assertThat(dialect.isTransient(new SQLException("x", s))).as(s).isTrue();
        }
        for (String s : List.of("23505", "42P01", "22021", "57014")) {
            assertThat(dialect.isTransient(new SQLException("x", s))).as(s).isFalse();
        }
        assertThat(dialect.isTransient(new SQLException("x"))).isFalse();
    }

    @Test
    void sqlShapes() {
        TableSchema t = table("s", "t\"q", List.of("id"), col("id", "int(11)"), col("v", "int(11)"));
        assertThat(dialect.upsert(t, SqlDialect.allColumns(t), 2)).isEqualTo(
                "INSERT INTO \"s\".\"t\"\"q\" (\"id\",\"v\") VALUES (?,?),(?,?) ON CONFLICT (\"id\") DO UPDATE SET \"v\" = EXCLUDED.\"v\"");
        TableSchema k = table("s", "k", List.of("id"), col("id", "int(11)"));
        assertThat(dialect.upsert(k, SqlDialect.allColumns(k), 1)).endsWith("ON CONFLICT (\"id\") DO NOTHING");
        assertThat(dialect.deleteOneMatching(t, SqlDialect.allColumns(t))).isEqualTo("DELETE FROM \"s\".\"t\"\"q\" WHERE ctid = (SELECT ctid FROM "
                + "\"s\".\"t\"\"q\" WHERE \"id\" IS NOT DISTINCT FROM ? AND \"v\" IS NOT DISTINCT FROM ? LIMIT 1)");
        assertThat(PostgresDialect.covers("character varying(50)", "character varying(10)")).isTrue();
        assertThat(PostgresDialect.covers("text", "character varying(10)")).isTrue();
        assertThat(PostgresDialect.covers("character varying(5)", "character varying(10)")).isFalse();
        assertThat(PostgresDialect.covers("character varying(5)", "text")).isFalse();
        assertThat(PostgresDialect.covers("integer", "bigint")).isFalse();
        assertThat(PostgresDialect.pgName("\u00E9".repeat(40))).isEqualTo("\u00E9".repeat(31));
    }
}
