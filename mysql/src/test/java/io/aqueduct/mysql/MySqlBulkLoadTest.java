package io.aqueduct.mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aqueduct.core.apply.JdbcSink;
import io.aqueduct.core.config.Endpoint;
import io.aqueduct.core.model.Change;
import io.aqueduct.core.model.RowChange;
import io.aqueduct.core.model.TableId;
import io.aqueduct.core.model.TableSchema;
import io.aqueduct.core.model.Transaction;
import io.aqueduct.testkit.MariaDbServer;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Large batches reach a MySQL target as one bulk REPLACE statement (MariaDB), or by LOAD DATA LOCAL where the server has
 * no bulk statements (MySQL; forced here with {@code bulkStatements} false); what either leaves must be what multi-row
 * upserts leave.
 */
class MySqlBulkLoadTest {
    private static final String DB = "bulk_load";
    private static final String COLUMNS = "id INT PRIMARY KEY, s VARCHAR(100) CHARACTER SET utf8mb4, "
            + "l1 VARCHAR(20) CHARACTER SET latin1, tx TEXT, b VARBINARY(20), bits BIT(10), bi BIGINT, "
            + "bu BIGINT UNSIGNED, d DECIMAL(30,10), f FLOAT, dbl DOUBLE, dt DATE, dtm DATETIME(6), "
            + "ts TIMESTAMP(6) NULL DEFAULT NULL, tm TIME(6), e ENUM('a','b c'), j JSON, g GEOMETRY, y YEAR";
    /** The columns as the server renders them, binary ones in hex, so equal text means equal values. */
    private static final String CANONICAL = "SELECT id, s, l1, tx, HEX(b), HEX(bits), bi, bu, d, f * 1e0, dbl, dt, dtm, ts, tm, "
            + "e, j, HEX(g), y FROM %s ORDER BY id";
    private static final String[] STRINGS = {"", "\\N", "N", "tab\there", "line\nbreak", "back\\slash\\", "nul\0byte",
        "cr\r\nlf", "😀 emoji ✓ 𝄞", "'quote\" `tick`", "trailing  ", "\\t not a tab", "NULL"};
    private static MariaDbServer server;

    @BeforeAll
    static void database() {
        server = MariaDbServer.shared();
        server.execute(null, "DROP DATABASE IF EXISTS " + DB, "CREATE DATABASE " + DB);
    }

    @ParameterizedTest(name = "bulk statements: {0}")
    @ValueSource(booleans = {true, false})
    void aLargeBatchIsWrittenInBulkAndLeavesExactlyWhatUpsertsLeave(boolean bulkStatements) throws Exception {
        String byBulk = bulkStatements ? "by_bulk_statement" : "by_load_data";
        String byUpsert = "by_upsert_" + bulkStatements;
        server.execute(DB, "CREATE TABLE " + byBulk + " (" + COLUMNS + ")", "CREATE TABLE " + byUpsert + " (" + COLUMNS + ")");
        // rows already under some of the keys, so the bulk write replaces as well as inserts
        for (String t : List.of(byBulk, byUpsert)) {
            server.execute(DB, "INSERT INTO " + t + " (id, s, b) VALUES (1, 'old', X'01'), (7, 'old', X'07'), (299, 'old', NULL)");
        }
        MySqlDialect dialect = dialect(bulkStatements);
        TableSchema bulk = schema(dialect, byBulk);
        TableSchema upsert = schema(dialect, byUpsert);
        List<Object[]> rows = new ArrayList<>();
        for (int i = 0; i < 300; i++) rows.add(row(i, bulk, point()));

        long loads = comLoad();
        long replaces = comReplace();
        apply(dialect, bulk, rows);
        assertThat(comLoad() - loads).as("LOAD DATA statements for one batch of 300 rows").isEqualTo(bulkStatements ? 0 : 1);
        // the driver starts another statement too where a value's type differs from the statement's first row's (a
        // NULL there): a few more than the size alone gives, and far fewer than one per row
        assertThat(comReplace() - replaces).as("REPLACE statements for one batch of 300 rows")
                .isBetween(bulkStatements ? bulkStatementsFor(rows) : 0, bulkStatements ? 30L : 0);
        long bulkWrites = bulkWrites();
        int below = JdbcSink.BULK_ROWS - 1;
        for (int from = 0; from < rows.size(); from += below) {
            apply(dialect, upsert, rows.subList(from, Math.min(rows.size(), from + below)));
        }
        assertThat(bulkWrites() - bulkWrites).as("batches below the bulk size go as upserts").isZero();

        List<List<String>> loaded = canonical(byBulk);
        assertThat(loaded).hasSize(300).isEqualTo(canonical(byUpsert));
        int s = 1;
        for (int i = 0; i < STRINGS.length; i++) {
            // row i holds STRINGS[i % n] in column s unless column s is that row's NULL
            if (i % 19 != s) assertThat(loaded.get(i).get(s)).isEqualTo(STRINGS[i]);
        }
        assertThat(loaded.get(14).get(1)).as("the string \\N is not NULL").isEqualTo("\\N");
        assertThat(loaded.get(12).get(1)).as("the string NULL is not NULL").isEqualTo("NULL");
        assertThat(loaded.get(20).get(1)).as("row 20 has column 1 NULL").isNull();
        assertThat(loaded.get(3).get(18)).as("the year 0 is 0000, not 2000").isEqualTo("0000");
        assertThat(Double.parseDouble(loaded.get(2).get(9))).as("FLOAT's largest value").isEqualTo((double) Float.MAX_VALUE);
        assertThat(Double.parseDouble(loaded.get(4).get(9))).isEqualTo((double) -Float.MAX_VALUE);
    }

    /** Row comparisons of an integer with a string go through doubles in MariaDB, which cannot tell these keys apart. */
    @Test
    void deletesByACompositeKeyOfHugeUnsignedValuesRemoveExactlyTheirRows() throws Exception {
        server.execute(DB, "CREATE TABLE huge_keys (a INT, id BIGINT UNSIGNED, PRIMARY KEY (a, id))");
        MySqlDialect dialect = dialect(true);
        TableSchema t = schema(dialect, "huge_keys");
        BigInteger base = BigInteger.ONE.shiftLeft(53);
        List<Change> inserts = new ArrayList<>();
        List<Change> deletes = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            Object[] row = {1L, base.add(BigInteger.valueOf(i))};
            inserts.add(new RowChange(t, RowChange.Op.INSERT, null, row));
            if (i % 2 == 1) deletes.add(new RowChange(t, RowChange.Op.DELETE, row, null));
        }
        apply(dialect, inserts);
        apply(dialect, deletes); // one DELETE ... WHERE (a, id) IN (...) of 60 keys, each the neighbour of a kept row
        assertThat(server.query(DB, "SELECT id - POW(2, 53) FROM huge_keys WHERE id % 2 = 1")).isEmpty();
        assertThat(scalar(DB, "SELECT COUNT(*) FROM huge_keys")).isEqualTo(60);
    }

    /** The bulk statements that rows of all-written columns take: each ends at the row that takes it to the limit. */
    private static long bulkStatementsFor(List<Object[]> rows) {
        long statements = 0;
        long bytes = 0;
        for (Object[] row : rows) {
            for (Object v : row) bytes += MySqlBulkLoad.wireBytes(v);
            if (bytes >= MySqlBulkLoad.BULK_STATEMENT_BYTES) {
                statements++;
                bytes = 0;
            }
        }
        return statements + (bytes > 0 ? 1 : 0);
    }

    @Test
    void aBatchLargerThanOneBulkStatementGoesAsSeveral() throws Exception {
        MySqlDialect dialect = dialect(true);
        TableSchema t = keyAndString(dialect, "split", 2000);
        List<Object[]> rows = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            // rows of three sizes, so that the limit falls inside rows, not only between equal ones
            rows.add(new Object[] {(long) i, i + " " + "x".repeat(100 + i % 3 * 450)});
        }
        long statements = bulkStatementsFor(rows);
        assertThat(statements).isGreaterThan(2);
        long replaces = comReplace();
        apply(dialect, t, rows);
        assertThat(comReplace() - replaces).isEqualTo(statements);
        assertThat(scalar(DB, "SELECT COUNT(*) FROM split WHERE s = CONCAT(id, ' ', REPEAT('x', 100 + id % 3 * 450))"))
                .isEqualTo(2000);
    }

    @ParameterizedTest(name = "bulk statements: {0}")
    @ValueSource(booleans = {true, false})
    void aValueTheTargetCannotHoldFailsTheBatchAndLeavesNothing(boolean bulkStatements) throws Exception {
        MySqlDialect dialect = dialect(bulkStatements);
        String table = "narrow_" + bulkStatements;
        TableSchema t = keyAndString(dialect, table, 3);
        List<Object[]> rows = rowsWith(77, "too long");
        // MariaDB's strict mode refuses it as it refuses the upsert
        assertThatThrownBy(() -> apply(dialect, t, rows))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("Data too long for column 's' at row");
        assertThat(scalar(DB, "SELECT COUNT(*) FROM " + table)).isZero();
    }

    /** A server that reports a changed value only as a warning (MariaDB out of strict mode) fails the load all the same. */
    @Test
    void aWarningFailsTheStatementWithItsText() throws Exception {
        MySqlDialect dialect = dialect(false);
        TableSchema t = keyAndString(dialect, "warned", 3);
        List<Object[]> rows = rowsWith(5, "too long");
        MySqlBulkLoad bulk = new MySqlBulkLoad(dialect, false);
        try (Connection c = dialect.connect()) {
            dialect.prepareSession(c);
            try (Statement st = c.createStatement()) {
                bulk.prepareSession(st);
                st.execute("SET SESSION sql_mode = ''");
            }
            assertThatThrownBy(() -> bulk.replace(c, t, dialect.written(c, t), rows))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("did not take rows of bulk_load.warned as sent: Warning 1265 Data truncated "
                            + "for column 's' at row 6")
                    .hasMessageContaining("make them match the source");
            c.rollback();
        }
        assertThat(scalar(DB, "SELECT COUNT(*) FROM warned")).isZero();
    }

    @Test
    void withLocalInfileOffOnTheTargetTheRowsGoAsUpsertsUnlessItTakesBulkStatements() throws Exception {
        withLocalInfileOff(() -> {
            MySqlDialect dialect = dialect(false);
            TableSchema t = keyAndString(dialect, "no_infile", 10);
            long writes = bulkWrites();
            apply(dialect, t, rowsWith(0, "first"));
            assertThat(bulkWrites() - writes).isZero();
            assertThat(scalar(DB, "SELECT COUNT(*) FROM no_infile")).isEqualTo(150);

            MySqlDialect bulk = dialect(true);
            TableSchema b = keyAndString(bulk, "no_infile_bulk", 10);
            long replaces = comReplace();
            apply(bulk, b, rowsWith(0, "first"));
            assertThat(comReplace() - replaces).isEqualTo(1);
            assertThat(scalar(DB, "SELECT COUNT(*) FROM no_infile_bulk")).isEqualTo(150);
        });
    }

    @Test
    void aLoadRefusedAfterTheSessionAskedFallsBackToUpserts() throws Exception {
        MySqlDialect dialect = dialect(false);
        TableSchema t = keyAndString(dialect, "refused", 10);
        apply(dialect, t, rowsWith(0, "first")); // the dialect has asked the server: local_infile is on
        withLocalInfileOff(() -> {
            apply(dialect, t, rowsWith(1, "second"));
            assertThat(scalar(DB, "SELECT COUNT(*) FROM refused WHERE s = 'second'")).isEqualTo(1);
            long loads = comLoad();
            apply(dialect, t, rowsWith(2, "third"));
            assertThat(comLoad() - loads).as("no more attempts").isZero();
            assertThat(scalar(DB, "SELECT COUNT(*) FROM refused WHERE s = 'third'")).isEqualTo(1);
        });
    }

    private interface Body {
        void run() throws Exception;
    }

    private static void withLocalInfileOff(Body body) throws Exception {
        server.execute(null, "SET GLOBAL local_infile = 0");
        try {
            body.run();
        } finally {
            server.execute(null, "SET GLOBAL local_infile = 1");
        }
    }

    /** Where REPLACE would not leave what the upsert leaves, the rows go as upserts. */
    @Test
    void tablesWithTargetOnlyColumnsTriggersOrUniqueKeysGetUpserts() throws Exception {
        MySqlDialect dialect = dialect(true);
        TableSchema source = keyAndString(dialect, "shape", 10);
        server.execute(DB, "CREATE TABLE extra_column (id INT PRIMARY KEY, s VARCHAR(10), archived INT DEFAULT 7)",
                "CREATE TABLE with_trigger (id INT PRIMARY KEY, s VARCHAR(10))",
                "CREATE TABLE deleted (id INT)",
                "CREATE TRIGGER with_trigger_bd BEFORE DELETE ON with_trigger FOR EACH ROW INSERT INTO deleted VALUES (OLD.id)",
                "CREATE TABLE unique_email (id INT PRIMARY KEY, s VARCHAR(10), UNIQUE KEY s_once (s))");
        for (String table : List.of("extra_column", "with_trigger", "unique_email")) {
            server.execute(DB, "INSERT INTO " + table + " (id, s) VALUES (3, 'before')");
        }
        server.execute(DB, "UPDATE extra_column SET archived = 9");
        long writes = bulkWrites();
        for (String table : List.of("extra_column", "with_trigger")) {
            apply(dialect, source.withId(new TableId(DB, table)), rowsWith(3, "after"));
        }
        List<Object[]> distinct = new ArrayList<>();
        for (int i = 0; i < 150; i++) distinct.add(new Object[] {(long) i, "v" + i});
        apply(dialect, source.withId(new TableId(DB, "unique_email")), distinct);
        assertThat(bulkWrites() - writes).isZero();
        assertThat(scalar(DB, "SELECT archived FROM extra_column WHERE id = 3")).as("kept by the upsert").isEqualTo(9);
        assertThat(scalar(DB, "SELECT COUNT(*) FROM deleted")).as("no row deleted to be replaced").isZero();
        assertThat(scalar(DB, "SELECT COUNT(*) FROM unique_email")).isEqualTo(150);
        // a table with exactly the source's shape still loads in bulk
        apply(dialect, source, rowsWith(3, "after"));
        assertThat(bulkWrites() - writes).isEqualTo(1);
    }

    /**
     * Generated columns are the target's to compute (MariaDB refuses a value for one), so none of the ways rows are
     * written sends them one: a bulk REPLACE or LOAD DATA, multi-row upserts, and the row-by-row statements of a table
     * without a key. A column that is plain on the target still gets the source's value.
     */
    @ParameterizedTest(name = "bulk statements: {0}")
    @ValueSource(booleans = {true, false})
    void generatedColumnsOfTheTargetGetNoValueAndPlainOnesGetTheSources(boolean bulkStatements) throws Exception {
        String generated = "generated_" + bulkStatements;
        String plain = "plain_" + bulkStatements;
        // a generated column the source does not have (d) leaves REPLACE the same as the upsert: the rows still go in bulk
        server.execute(DB, "CREATE TABLE " + generated + " (id INT PRIMARY KEY, a INT, b INT, v INT AS (a + b) VIRTUAL, "
                        + "s INT AS (a * b) PERSISTENT, d INT AS (a - b) VIRTUAL)",
                "CREATE TABLE " + plain + " (id INT PRIMARY KEY, a INT, b INT, v INT, s INT)");
        MySqlDialect dialect = dialect(bulkStatements);
        TableSchema source = schema(dialect, plain); // the source's shape: v and s carry the values it computed
        List<Object[]> rows = new ArrayList<>();
        for (long i = 0; i < 300; i++) rows.add(new Object[] {i, i, 2L, i + 2, i * 2});
        for (String table : List.of(generated, plain)) {
            TableSchema t = source.withId(new TableId(DB, table));
            long writes = bulkWrites();
            apply(dialect, t, rows);
            assertThat(bulkWrites() - writes).as("one bulk write into " + table).isEqualTo(1);
            List<Change> changes = new ArrayList<>();
            changes.add(new RowChange(t, RowChange.Op.UPDATE, rows.get(1), new Object[] {1L, 10L, 3L, 13L, 30L}));
            changes.add(new RowChange(t, RowChange.Op.DELETE, rows.get(2), null));
            changes.add(new RowChange(t, RowChange.Op.INSERT, null, new Object[] {1000L, 4L, 5L, 9L, 20L}));
            apply(dialect, changes); // as a multi-row upsert and a delete by key
        }
        String q = "SELECT id, a, b, v, s FROM %s ORDER BY id";
        List<List<Object>> want = server.query(DB, q.formatted(plain));
        assertThat(want).hasSize(300).contains(List.of(1, 10, 3, 13, 30), List.of(1000, 4, 5, 9, 20));
        assertThat(server.query(DB, q.formatted(generated))).isEqualTo(want);
        assertThat(scalar(DB, "SELECT COUNT(*) FROM " + generated + " WHERE d = a - b")).isEqualTo(300);
        // LOAD DATA sends every column's value, those of generated columns into variables: MariaDB's LOAD DATA drops a
        // generated column's value by itself (so the rows above cannot tell), MySQL refuses one (error 3105)
        try (Connection c = dialect.connect()) {
            TableSchema t = source.withId(new TableId(DB, generated));
            assertThat(new MySqlBulkLoad(dialect, false).statement(t, dialect.written(c, t), new boolean[5]))
                    .contains("(`id`,`a`,`b`,@g3,@g4)");
        }

        // without a key, updates and deletes match one row on the columns the target does not compute
        String keyless = "generated_keyless_" + bulkStatements;
        server.execute(DB, "CREATE TABLE " + keyless + " (a INT, b INT, v INT AS (a + b) VIRTUAL, s INT AS (a * b) STORED)");
        TableSchema k = schema(dialect, keyless);
        Object[] one = {1L, 2L, 3L, 2L};
        Object[] five = {5L, 5L, 10L, 25L};
        apply(dialect, List.of(new RowChange(k, RowChange.Op.INSERT, null, one), new RowChange(k, RowChange.Op.INSERT, null, one),
                new RowChange(k, RowChange.Op.INSERT, null, five),
                new RowChange(k, RowChange.Op.UPDATE, one, new Object[] {1L, 7L, 8L, 7L}),
                new RowChange(k, RowChange.Op.DELETE, five, null)));
        assertThat(server.query(DB, "SELECT a, b, v, s FROM " + keyless + " ORDER BY b"))
                .containsExactly(List.of(1, 2, 3, 2), List.of(1, 7, 8, 7));
    }

    /** Every column kind in turn NULL; strings that LOAD DATA would misread unescaped; edge numbers and times. */
    private static Object[] row(int i, TableSchema t, byte[] point) {
        Object[] v = {
            (long) i,
            STRINGS[i % STRINGS.length],
            i % 2 == 0 ? "café € ÿ" : "Ñoño",
            "long text ".repeat(i % 40),
            new byte[] {0, 9, 10, 13, 92, 78, (byte) 0xFF, (byte) i},
            new byte[] {(byte) (i % 4), (byte) i},
            i % 2 == 0 ? Long.MIN_VALUE + i : Long.MAX_VALUE - i,
            new BigInteger("18446744073709551615").subtract(BigInteger.valueOf(i)),
            new BigDecimal("-12345678901234567890.1234567891").add(BigDecimal.valueOf(i, 3)),
            i == 2 ? Float.MAX_VALUE : i == 4 ? -Float.MAX_VALUE : i == 6 ? Float.MIN_VALUE
                    : i % 2 == 0 ? 3.40282e38f / (i + 1) : -1.17549e-38f * i,
            i % 2 == 0 ? 1.7976931348623157e308 / (i + 1) : -2.2250738585072014e-308 * i,
            LocalDate.of(1000 + i, 1 + i % 12, 1 + i % 28),
            LocalDateTime.of(9999, 12, 31, 23, 59, 59, 999_999_000).minusDays(i).minusNanos(i * 1000L),
            Instant.parse("1970-01-01T00:00:01Z").plusSeconds(i * 86_400L).plusNanos(i * 1000L),
            i % 2 == 0 ? Duration.ofHours(838).plusMinutes(59).plusSeconds(59).minusSeconds(i).negated()
                    : Duration.ofNanos(-1000L * i),
            i % 2 == 0 ? "a" : "b c",
            "{\"a\": [1, 2.5, \"s\\t\"], \"u\": \"é\", \"i\": " + i + "}",
            point,
            i % 3 == 0 ? 0L : 1901L + i % 255
        };
        assertThat(v).hasSameSizeAs(t.columns());
        int nullColumn = i % 19;
        if (nullColumn > 0) v[nullColumn] = null;
        return v;
    }

    /** A POINT in the server's own internal form (SRID + WKB), as the snapshot reads one. */
    private static byte[] point() throws SQLException {
        try (Connection c = server.connect(null); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT POINT(1.5, -2.25)")) {
            rs.next();
            return rs.getBytes(1);
        }
    }

    /** A table of an INT key and a VARCHAR(length). */
    private static TableSchema keyAndString(MySqlDialect dialect, String table, int length) throws SQLException {
        server.execute(DB, "CREATE TABLE " + table + " (id INT PRIMARY KEY, s VARCHAR(" + length + "))");
        return schema(dialect, table);
    }

    /** 150 rows for {@link #keyAndString}, "ok" in all but row {@code odd}. */
    private static List<Object[]> rowsWith(int odd, String oddValue) {
        List<Object[]> rows = new ArrayList<>();
        for (int i = 0; i < 150; i++) rows.add(new Object[] {(long) i, i == odd ? oddValue : "ok"});
        return rows;
    }

    private static MySqlDialect dialect(boolean bulkStatements) {
        return new MySqlDialect(new Endpoint("mysql", "127.0.0.1", server.port(), server.user(), server.password(), null, 0, null),
                bulkStatements);
    }

    private static TableSchema schema(MySqlDialect dialect, String table) throws SQLException {
        try (Connection c = dialect.connect()) {
            return new MySqlCatalog(c).table(new TableId(DB, table));
        }
    }

    /** The rows as inserts in one transaction, through the sink on one lane. */
    private static void apply(MySqlDialect dialect, TableSchema t, List<Object[]> rows) throws SQLException {
        List<Change> changes = new ArrayList<>();
        for (Object[] r : rows) changes.add(new RowChange(t, RowChange.Op.INSERT, null, r));
        apply(dialect, changes);
    }

    /** The changes in one transaction, through the sink on one lane. */
    private static void apply(MySqlDialect dialect, List<Change> changes) throws SQLException {
        JdbcSink sink = new JdbcSink(dialect, 1);
        try {
            sink.open();
            sink.apply(0, List.of(new Transaction(1, "t1", null, 0, null, changes, 0, true)));
        } finally {
            sink.close();
        }
    }

    private static long comLoad() {
        return status("COM_LOAD");
    }

    private static long comReplace() {
        return status("COM_REPLACE");
    }

    /** LOAD DATA and REPLACE statements: the rows written in bulk either way (the upserts are neither). */
    private static long bulkWrites() {
        return comLoad() + comReplace();
    }

    private static long status(String name) {
        return scalar(null, "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = '" + name + "'");
    }

    private static long scalar(String db, String sql) {
        return Long.parseLong(String.valueOf(server.query(db, sql).get(0).get(0)));
    }

    private static List<List<String>> canonical(String table) throws SQLException {
        List<List<String>> out = new ArrayList<>();
        try (Connection c = server.connect(DB); Statement st = c.createStatement()) {
            st.execute("SET time_zone = '+00:00'");
            try (ResultSet rs = st.executeQuery(CANONICAL.formatted(table))) {
                int n = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    List<String> row = new ArrayList<>();
                    for (int i = 1; i <= n; i++) row.add(rs.getString(i));
                    out.add(row);
                }
            }
        }
        return out;
    }
}
