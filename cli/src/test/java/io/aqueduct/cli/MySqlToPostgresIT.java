package io.aqueduct.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.aqueduct.testkit.MariaDbServer;
import io.aqueduct.testkit.PostgresServer;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** MySQL → PostgreSQL through the whole job: tables created by shape, every type per the documented mapping. */
class MySqlToPostgresIT {
    static MariaDbServer source;
    static PostgresServer target;

    @BeforeAll
    static void servers() {
        source = MariaDbServer.shared();
        target = PostgresServer.shared();
        target.createDatabase("app");
    }

    /** Per column: how MariaDB and PostgreSQL render the value so that equal data gives equal text. */
    private static final Map<String, String[]> RENDER = Map.of(
            "b1", new String[] {"LPAD(BIN(b1), 1, '0')", "b1::text"},
            "b10", new String[] {"LPAD(BIN(b10), 10, '0')", "b10::text"},
            "b64", new String[] {"LPAD(BIN(b64), 64, '0')", "b64::text"},
            "tm", new String[] {"TIME_TO_SEC(tm)", "EXTRACT(EPOCH FROM tm)"},
            "tm0", new String[] {"TIME_TO_SEC(tm0)", "EXTRACT(EPOCH FROM tm0)"},
            "dtm", new String[] {"DATE_FORMAT(dtm, '%Y-%m-%d %H:%i:%s.%f')", "to_char(dtm, 'YYYY-MM-DD HH24:MI:SS.US')"},
            "dtm0", new String[] {"DATE_FORMAT(dtm0, '%Y-%m-%d %H:%i:%s')", "to_char(dtm0, 'YYYY-MM-DD HH24:MI:SS')"},
            "ts", new String[] {"UNIX_TIMESTAMP(ts)", "EXTRACT(EPOCH FROM ts)"});
    private static final List<String> BYTES = List.of("bn", "vb", "bl", "lbl", "g", "p");

    static String mysqlSelect() {
        List<String> exprs = new ArrayList<>();
        for (String c : AllTypes.COLUMNS) {
            if (RENDER.containsKey(c)) exprs.add(RENDER.get(c)[0]);
            else if (BYTES.contains(c)) exprs.add("HEX(" + c + ")");
            else exprs.add("CAST(" + c + " AS CHAR)");
        }
        return "SELECT " + String.join(", ", exprs) + " FROM types_pg.t ORDER BY id";
    }

    static String postgresSelect() {
        List<String> exprs = new ArrayList<>();
        for (String c : AllTypes.COLUMNS) {
            if (RENDER.containsKey(c)) exprs.add(RENDER.get(c)[1]);
            else if (BYTES.contains(c)) exprs.add("upper(encode(" + c + ", 'hex'))");
            else exprs.add(c + "::text");
        }
        return "SELECT " + String.join(", ", exprs) + " FROM types_pg.t ORDER BY id";
    }

    @Test
    void everyTypeArrivesPerTheMapping(@TempDir Path dir) throws Exception {
        String yaml = JobHarness.yaml("m2pg", source, 6106, "types_pg\\..*", "postgres", target, "");
        try (JobHarness job = JobHarness.start(yaml, dir)) {
            source.execute(null, "CREATE DATABASE types_pg", AllTypes.CREATE.formatted("types_pg.t"));
            for (String insert : AllTypes.INSERTS) source.execute(null, insert.formatted("types_pg.t"));
            source.execute(null, "SET time_zone = '+05:30'; INSERT INTO types_pg.t (id, ts, dtm) VALUES (6, '2024-01-01 05:30:00.25', '2024-01-01 05:30:00.25')");
            source.execute(null, AllTypes.UPDATE.formatted("types_pg.t"));
            source.execute(null, "DELETE FROM types_pg.t WHERE id = 5");
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
                if (job.failure.get() != null) throw new AssertionError("job failed", job.failure.get());
                List<List<Object>> pg = JobHarness.rows(target, "app", "SELECT id FROM types_pg.t");
                return pg != null && pg.size() == 5;
            });
            List<List<Object>> expected = source.query(null, mysqlSelect());
            List<List<Object>> actual = target.query("app", postgresSelect());
            assertThat(actual).hasSameSizeAs(expected);
            ObjectMapper json = new ObjectMapper();
            for (int r = 0; r < expected.size(); r++) {
                for (int c = 0; c < AllTypes.COLUMNS.size(); c++) {
                    String col = AllTypes.COLUMNS.get(c);
                    Object e = expected.get(r).get(c);
                    Object a = actual.get(r).get(c);
                    String where = "row " + expected.get(r).get(0) + " column " + col;
                    if (e == null || a == null) {
                        assertThat(a).as(where).isEqualTo(e);
                    } else if (col.equals("j")) {
                        assertThat(json.readTree(a.toString())).as(where).isEqualTo(json.readTree(e.toString()));
                    } else if (col.equals("f")) {
                        assertThat(Float.parseFloat(a.toString())).as(where).isEqualTo(Float.parseFloat(e.toString()));
                    } else if (col.equals("dbl")) {
                        assertThat(Double.parseDouble(a.toString())).as(where).isEqualTo(Double.parseDouble(e.toString()));
                    } else if (isNumber(e.toString()) && isNumber(a.toString())) {
                        assertThat(new BigDecimal(a.toString())).as(where).isEqualByComparingTo(new BigDecimal(e.toString()));
                    } else {
                        assertThat(a.toString()).as(where).isEqualTo(e.toString());
                    }
                }
            }
            assertThat(target.query("app", "SELECT data_type FROM information_schema.columns WHERE table_schema = 'types_pg' "
                    + "AND table_name = 't' AND column_name = 'biu'").get(0).get(0)).isEqualTo("numeric");
        }
    }

    @Test
    void followsAddDropColumnRenameTruncateAndDrop(@TempDir Path dir) throws Exception {
        String yaml = JobHarness.yaml("m2pgddl", source, 6107, "ddl_pg\\..*", "postgres", target, "");
        try (JobHarness job = JobHarness.start(yaml, dir)) {
            source.execute(null, "CREATE DATABASE ddl_pg", "CREATE TABLE ddl_pg.a (id INT PRIMARY KEY, v VARCHAR(10))",
                    "CREATE TABLE ddl_pg.gone (id INT PRIMARY KEY)", "CREATE TABLE ddl_pg.emptied (id INT PRIMARY KEY)");
            source.execute("ddl_pg", "INSERT INTO a VALUES (1, 'one')", "INSERT INTO gone VALUES (1)", "INSERT INTO emptied VALUES (1)",
                    "ALTER TABLE a ADD COLUMN extra BIGINT, MODIFY v VARCHAR(50)",
                    "INSERT INTO a VALUES (2, 'a longer value than ten', 42)",
                    "ALTER TABLE a DROP COLUMN extra", "INSERT INTO a VALUES (3, 'three')",
                    "RENAME TABLE a TO b", "INSERT INTO b VALUES (4, 'four')",
                    "DROP TABLE gone", "TRUNCATE TABLE emptied");
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
                if (job.failure.get() != null) throw new AssertionError("job failed", job.failure.get());
                List<List<Object>> rows = JobHarness.rows(target, "app", "SELECT id, v FROM ddl_pg.b ORDER BY id");
                List<List<Object>> emptied = JobHarness.rows(target, "app", "SELECT count(*) FROM ddl_pg.emptied");
                return rows != null && rows.size() == 4 && emptied != null && emptied.get(0).get(0).equals(0L);
            });
            assertThat(target.query("app", "SELECT id, v FROM ddl_pg.b ORDER BY id")).containsExactly(
                    List.of(1, "one"), List.of(2, "a longer value than ten"), List.of(3, "three"), List.of(4, "four"));
            assertThat(target.query("app", "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'ddl_pg' "
                    + "AND table_name IN ('a', 'gone')").get(0).get(0)).isEqualTo(0L);
            assertThat(target.query("app", "SELECT column_name FROM information_schema.columns WHERE table_schema = 'ddl_pg' "
                    + "AND table_name = 'b' ORDER BY ordinal_position")).containsExactly(List.of("id"), List.of("v"));
        }
    }

    private static boolean isNumber(String s) {
        return s.matches("-?[0-9]+(\\.[0-9]+)?");
    }
}
