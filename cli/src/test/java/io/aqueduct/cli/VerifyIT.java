package io.aqueduct.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.aqueduct.testkit.DatabaseServer;
import io.aqueduct.testkit.MariaDbServer;
import io.aqueduct.testkit.PostgresServer;
import org.awaitility.Awaitility;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code aqueduct verify}: no false difference for any type, every real one found, and {@code --repair} fixes them. */
class VerifyIT {
    static MariaDbServer source;
    static MariaDbServer mysqlTarget;
    static PostgresServer pgTarget;

    /** Per AllTypes column: an UPDATE's SET clause that changes row 1 slightly, on MySQL and on PostgreSQL. */
    static final Map<String, String[]> ALTER = new LinkedHashMap<>();

    static {
        for (String c : new String[] {"ti", "tiu", "si", "siu", "mi", "miu", "i", "iu", "bi", "biu", "d2", "y"}) {
            ALTER.put(c, new String[] {c + " = " + c + " - 1", c + " = " + c + " - 1"});
        }
        alter("d", "d = d - 0.000000000000000000000000000001");
        alter("f", "f = f / 2");
        alter("dbl", "dbl = dbl / 2");
        ALTER.put("b1", new String[] {"b1 = b'0'", "b1 = B'0'"});
        ALTER.put("b10", new String[] {"b10 = b'1000000000'", "b10 = B'1000000000'"});
        ALTER.put("b64", new String[] {"b64 = b'0111111111111111111111111111111111111111111111111111111111111111'",
                "b64 = B'0111111111111111111111111111111111111111111111111111111111111111'"});
        ALTER.put("dt", new String[] {"dt = dt - INTERVAL 1 DAY", "dt = dt - 1"});
        ALTER.put("tm", new String[] {"tm = '838:59:58.999999'", "tm = tm - interval '1 microsecond'"});
        ALTER.put("tm0", new String[] {"tm0 = '-838:59:58'", "tm0 = tm0 + interval '1 second'"});
        ALTER.put("dtm", new String[] {"dtm = dtm - INTERVAL 1 MICROSECOND", "dtm = dtm - interval '1 microsecond'"});
        ALTER.put("dtm0", new String[] {"dtm0 = dtm0 + INTERVAL 1 SECOND", "dtm0 = dtm0 + interval '1 second'"});
        ALTER.put("ts", new String[] {"ts = ts - INTERVAL 1 MICROSECOND", "ts = ts - interval '1 microsecond'"});
        for (String c : new String[] {"c", "vc", "tx", "mtx", "l1", "l1c"}) alter(c, c + " = 'abcd'");
        alter("e", "e = 'a'");
        alter("s", "s = 'x'");
        alter("j", "j = '{\"a\": [1, 2.5, \"s\"], \"b\": null, \"u\": \"e\"}'");
        ALTER.put("bn", new String[] {"bn = 0x00010204", "bn = '\\x00010204'::bytea"});
        for (String c : new String[] {"vb", "bl", "lbl", "g", "p"}) {
            ALTER.put(c, new String[] {c + " = CONCAT(" + c + ", 0x00)", c + " = " + c + " || '\\x00'::bytea"});
        }
        ALTER.put("g", new String[] {"g = ST_GeomFromText('POINT(9 9)')", "g = g || '\\x00'::bytea"});
        ALTER.put("p", new String[] {"p = POINT(1.5, -2.5)", "p = p || '\\x00'::bytea"});
    }

    private static void alter(String column, String set) {
        ALTER.put(column, new String[] {set, set});
    }

    @BeforeAll
    static void servers() {
        source = MariaDbServer.shared();
        mysqlTarget = MariaDbServer.start(21);
        pgTarget = PostgresServer.shared();
        pgTarget.createDatabase("app");
    }

    @AfterAll
    static void close() {
        mysqlTarget.close();
    }

    @Test
    void mysqlTarget(@TempDir Path dir) throws Exception {
        check("ver_m", "mysql", mysqlTarget, null, dir, 6301);
    }

    @Test
    void postgresTarget(@TempDir Path dir) throws Exception {
        check("ver_pg", "postgres", pgTarget, "app", dir, 6302);
    }

    private void check(String db, String type, DatabaseServer target, String targetDb, Path dir, int serverId) throws Exception {
        assertThat(ALTER.keySet()).containsExactlyInAnyOrderElementsOf(AllTypes.COLUMNS.subList(1, AllTypes.COLUMNS.size()));
        String table = db + ".t";
        String job = dir.resolve("job.yaml").toString();
        try (JobHarness running = JobHarness.start(JobHarness.yaml(db, source, serverId, db + "\\..*", type, target, ""), dir)) {
            source.execute(null, "CREATE DATABASE " + db, AllTypes.CREATE.formatted(table));
            for (String insert : AllTypes.INSERTS) source.execute(null, insert.formatted(table));
            source.execute(null, "SET time_zone = '+05:30'; INSERT INTO " + table
                    + " (id, ts, dtm) VALUES (6, '2024-01-01 05:30:00.25', '2024-01-01 05:30:00.25')");
            source.execute(null, AllTypes.UPDATE.formatted(table));
            // a table without a key is compared as a multiset of whole rows; generated columns are compared too (a
            // PostgreSQL target holds the source's values in plain columns) and left to a MySQL target on repair
            source.execute(db, "CREATE TABLE k (a INT, b VARCHAR(10), n INT AS (a * 10) VIRTUAL)",
                    "INSERT INTO k (a, b) VALUES (1, 'x'), (1, 'x'), (2, 'y')",
                    "CREATE TABLE g (id INT PRIMARY KEY, a INT, b INT, v INT AS (a + b) VIRTUAL, s INT AS (a * b) PERSISTENT)",
                    "INSERT INTO g (id, a, b) VALUES (1, 2, 3), (2, 4, 5)");
            // verify needs the target table to exist (else it exits 2); PostgreSQL gets it with the first row
            Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> JobHarness.rows(target, targetDb, "SELECT 1 FROM " + db + ".g") != null);

            // verify while the job replicates: differences not yet applied settle instead of being reported
            CommandLineIT.Result first = CommandLineIT.aqueduct("verify", job, "--settle-seconds", "30");
            assertThat(first.code()).as(first.out() + first.err()).isEqualTo(0);
            assertThat(first.out()).contains(table + ": 6 rows compared, 0 missing, 0 extra, 0 different").contains("Target matches source.");
            assertThat(running.failure.get()).isNull();

            // damage the target: changed values, a deleted row, extra rows
            target.execute(targetDb, "UPDATE " + table + " SET vc = 'damaged' WHERE id = 1", "DELETE FROM " + table + " WHERE id = 2",
                    "INSERT INTO " + table + " (id, vc) VALUES (99, 'extra')",
                    "INSERT INTO " + db + (type.equals("postgres") ? ".k (a, b, n) VALUES (1, 'x', 10)" : ".k (a, b) VALUES (1, 'x')"),
                    "UPDATE " + db + ".g SET a = 7 WHERE id = 2");
            CommandLineIT.Result damaged = CommandLineIT.aqueduct("verify", job, "--settle-seconds", "1");
            System.out.println(damaged.out());
            assertThat(damaged.code()).as(damaged.out() + damaged.err()).isEqualTo(1);
            assertThat(damaged.out())
                    .contains(table + ": different: id=1: vc: source '😀 emoji ✓ 𝄞★', target 'damaged'")
                    .contains(table + ": missing on target: id=2")
                    .contains(table + ": extra on target: id=99")
                    .contains(table + ": 6 rows compared, 1 missing, 1 extra, 1 different")
                    .contains(db + ".k: extra on target: row (a=1, b='x', n=10)")
                    .contains(db + ".k: 3 rows compared, 0 missing, 1 extra, 0 different")
                    .contains(db + ".g: different: id=2: a: source 4, target 7")
                    .contains(db + ".g: 2 rows compared, 0 missing, 0 extra, 1 different");
            CommandLineIT.Result repaired = CommandLineIT.aqueduct("verify", job, "--repair", "--settle-seconds", "1");
            assertThat(repaired.code()).as(repaired.out() + repaired.err()).isEqualTo(0);
            assertThat(repaired.out()).contains("Repaired: 3 row(s) written, 2 row(s) deleted").endsWith("Target matches source.\n");
            assertThat(CommandLineIT.aqueduct("verify", job, "--settle-seconds", "0").code()).isEqualTo(0);

            // a change to any one column of any type is found, with its column named, and repaired
            int side = type.equals("postgres") ? 1 : 0;
            for (var e : ALTER.entrySet()) {
                target.execute(targetDb, "UPDATE " + table + " SET " + e.getValue()[side] + " WHERE id = 1");
                CommandLineIT.Result r = CommandLineIT.aqueduct("verify", job, "--settle-seconds", "0", "--chunk-rows", "2");
                assertThat(r.code()).as(e.getKey() + ": " + r.out() + r.err()).isEqualTo(1);
                assertThat(r.out()).as(e.getKey()).contains(table + ": different: id=1: " + e.getKey() + ": source ")
                        .contains("0 missing, 0 extra, 1 different");
                CommandLineIT.Result fix = CommandLineIT.aqueduct("verify", job, "--repair", "--settle-seconds", "0");
                assertThat(fix.code()).as(e.getKey() + ": " + fix.out() + fix.err()).isEqualTo(0);
            }
            assertThat(running.failure.get()).isNull();
        }
    }

    @Test
    void missingTargetTableCannotBeCompared(@TempDir Path dir) throws Exception {
        source.execute(null, "CREATE DATABASE IF NOT EXISTS ver_none", "CREATE TABLE IF NOT EXISTS ver_none.t (id INT PRIMARY KEY)");
        java.nio.file.Files.createDirectories(dir);
        Path job = dir.resolve("job.yaml");
        java.nio.file.Files.writeString(job, JobHarness.yaml("none", source, 6303, "ver_none\\..*", "postgres", pgTarget, ""));
        CommandLineIT.Result r = CommandLineIT.aqueduct("verify", job.toString());
        assertThat(r.code()).as(r.out() + r.err()).isEqualTo(2);
        assertThat(r.err()).contains("Cannot read the target table ver_none.t");
    }

}
