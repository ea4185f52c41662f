package io.aqueduct.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.aqueduct.testkit.DatabaseServer;
import io.aqueduct.testkit.MariaDbServer;
import io.aqueduct.testkit.PostgresServer;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * mode: full+incremental against real servers: tables that hold rows before the job starts (one of 1,000,000 rows,
 * one with a composite string key, one without a key, one empty, one with generated columns) are copied while a
 * writer keeps inserting, updating and deleting; once the writer stops and the job catches up, the target equals the
 * source and verify says so.
 */
class SnapshotIT {
    static MariaDbServer source;
    static MariaDbServer target;

    @BeforeAll
    static void servers() {
        source = MariaDbServer.shared();
        target = MariaDbServer.start(31);
    }

    @AfterAll
    static void close() {
        target.close();
    }

    static void createTables(String db, int bigRows) {
        source.execute(null, "CREATE DATABASE " + db);
        source.execute(db,
                "CREATE TABLE big (id INT PRIMARY KEY, k INT NOT NULL, pad VARCHAR(40), amount DECIMAL(12,2))",
                "INSERT INTO big SELECT seq, seq % 1000, CONCAT('row-', seq), seq / 100 FROM seq_1_to_" + bigRows,
                "CREATE TABLE composite (a VARCHAR(20) NOT NULL, b INT NOT NULL, v TEXT, PRIMARY KEY (a, b))",
                "INSERT INTO composite SELECT CONCAT('k', seq % 50), seq, REPEAT('v', seq % 30) FROM seq_1_to_5000",
                "CREATE TABLE nokey (x INT, y VARCHAR(10))",
                "INSERT INTO nokey SELECT seq % 100, CONCAT('y', seq % 7) FROM seq_1_to_3000",
                "CREATE TABLE empty (id INT PRIMARY KEY, v INT)",
                // generated columns: the target computes its own (a PostgreSQL target holds the source's values)
                "CREATE TABLE gen (id INT PRIMARY KEY, a INT, b INT, v INT AS (a + b) VIRTUAL, s BIGINT AS (a * b) PERSISTENT)",
                "INSERT INTO gen (id, a, b) SELECT seq, seq, seq % 7 FROM seq_1_to_20000");
    }

    /** Random inserts, updates and deletes on every table until told to stop. */
    static Thread writer(String db, int bigRows, AtomicBoolean writing, AtomicLong writes, AtomicReference<Throwable> failure) {
        Thread t = new Thread(() -> {
            Random random = new Random(11);
            try (Connection c = source.connect(db); Statement st = c.createStatement()) {
                int next = bigRows + 1;
                while (writing.get()) {
                    int id = 1 + random.nextInt(bigRows);
                    switch (random.nextInt(10)) {
                        case 0 -> st.executeUpdate("DELETE FROM big WHERE id = " + id);
                        case 1 -> st.executeUpdate("INSERT INTO big VALUES (" + next++ + ", 1, 'new', 1.5)");
                        case 2 -> st.executeUpdate("UPDATE composite SET v = 'changed" + id + "' WHERE a = 'k" + id % 50 + "' AND b = " + id % 5000);
                        case 3 -> st.executeUpdate("INSERT INTO composite VALUES ('n" + id + "', " + id + ", 'new') "
                                + "ON DUPLICATE KEY UPDATE v = 'again'");
                        case 4 -> st.executeUpdate("INSERT INTO nokey VALUES (" + id % 100 + ", 'w')");
                        case 5 -> st.executeUpdate("INSERT INTO empty VALUES (" + id + ", 1) ON DUPLICATE KEY UPDATE v = v + 1");
                        case 6 -> st.executeUpdate("UPDATE gen SET a = a + 1 WHERE id = " + (1 + id % 20000));
                        case 7 -> st.executeUpdate("INSERT INTO gen (id, a, b) VALUES (" + (20000 + id) + ", 1, 2) "
                                + "ON DUPLICATE KEY UPDATE b = b + 1");
                        default -> st.executeUpdate("UPDATE big SET k = k + 1, pad = 'updated' WHERE id = " + id);
                    }
                    writes.incrementAndGet();
                }
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "writer");
        t.start();
        return t;
    }

    static void awaitSameTables(DatabaseServer target, String db, JobHarness job) {
        for (String q : List.of(
                "SELECT COUNT(*), SUM(CRC32(CONCAT_WS('|', id, k, pad, amount))), SUM(id) FROM %s.big", "SELECT * FROM %s.composite ORDER BY a, b",
                "SELECT x, y, COUNT(*) FROM %s.nokey GROUP BY x, y ORDER BY x, y", "SELECT * FROM %s.empty ORDER BY id",
                "SELECT COUNT(*), SUM(CRC32(CONCAT_WS('|', id, a, b, v, s))) FROM %s.gen")) {
            try {
                JobHarness.awaitSame(source, q.formatted(db), target, q.formatted(db), job);
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                throw new AssertionError("differs: " + q.formatted(db), e);
            }
        }
    }

    @Test
    void copiesAMillionRowsWhileTheSourceTakesWritesThenFollows(@TempDir Path dir) throws Exception {
        int bigRows = 1_000_000;
        createTables("snap_m", bigRows);
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicLong writes = new AtomicLong();
        AtomicReference<Throwable> writerFailure = new AtomicReference<>();
        Thread writer = writer("snap_m", bigRows, writing, writes, writerFailure);
        try {
            copyWhileWriting(dir, writing, writes, writerFailure, writer);
        } finally {
            writing.set(false);
        }
    }

    private void copyWhileWriting(Path dir, AtomicBoolean writing, AtomicLong writes, AtomicReference<Throwable> writerFailure,
                                  Thread writer) throws Exception {
        String yaml = JobHarness.yaml("snap_m", source, 6401, "snap_m\\..*", "mysql", target,
                "mode: full+incremental\nsnapshot:\n  parallelism: 3\n  chunk-rows: 20000\n");
        try (JobHarness job = JobHarness.start(yaml, dir)) {
            // the snapshot is done when the stored position no longer carries a snapshot section
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofMinutes(5))
                    .pollInterval(java.time.Duration.ofMillis(200)).until(() -> {
                        if (job.failure.get() != null) throw new AssertionError("job failed", job.failure.get());
                        String pos = java.nio.file.Files.exists(dir.resolve("state/position.json"))
                                ? java.nio.file.Files.readString(dir.resolve("state/position.json")) : "";
                        return pos.contains("\"file\"") && !pos.contains("snapshot");
                    });
            long duringSnapshot = writes.get();
            // keep writing a little into the incremental phase
            long until = writes.get() + 200;
            org.awaitility.Awaitility.await().until(() -> writes.get() >= until || writerFailure.get() != null);
            writing.set(false);
            writer.join();
            assertThat(writerFailure.get()).isNull();
            assertThat(duringSnapshot).as("writes while the snapshot ran").isGreaterThan(100);
            awaitSameTables(target, "snap_m", job);
            CommandLineIT.Result verify = CommandLineIT.aqueduct("verify", dir.resolve("job.yaml").toString(), "--settle-seconds", "10");
            assertThat(verify.code()).as(verify.out() + verify.err()).isZero();
            assertThat(verify.out()).contains("Target matches source.");
            assertThat(job.failure.get()).isNull();
        }
    }

    /**
     * kill -9 of {@code aqueduct run} in the middle of the 1,000,000-row table: the restart continues after the last
     * chunk applied (its log counts the chunks it read); a second kill right after the snapshot completes, while the
     * binlog reader catches up (the handover); the third run ends identical to the source.
     */
    @Test
    void killNineMidSnapshotAndMidHandover(@TempDir Path dir) throws Exception {
        int bigRows = 1_000_000;
        int chunkRows = 10_000;
        createTables("snap_k", bigRows);
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicLong writes = new AtomicLong();
        AtomicReference<Throwable> writerFailure = new AtomicReference<>();
        Thread writer = writer("snap_k", bigRows, writing, writes, writerFailure);
        List<Process> launched = new java.util.ArrayList<>();
        try {
            killAndResume(dir, bigRows, chunkRows, writing, writes, writerFailure, writer, launched);
        } finally {
            writing.set(false);
            launched.forEach(Process::destroyForcibly);
        }
    }

    private void killAndResume(Path dir, int bigRows, int chunkRows, AtomicBoolean writing, AtomicLong writes,
                               AtomicReference<Throwable> writerFailure, Thread writer, List<Process> launched) throws Exception {
        Path job = dir.resolve("job.yaml");
        Files.writeString(job, JobHarness.yaml("snap_k", source, 6402, "snap_k\\..*", "mysql", target,
                "mode: full+incremental\nsnapshot:\n  parallelism: 2\n  chunk-rows: " + chunkRows + "\n"));
        Path position = dir.resolve("state/position.json");
        Path log = dir.resolve("run.log");

        Process p = CrashRecoveryIT.launch(job, dir);
        launched.add(p);
        Pattern after = Pattern.compile("\"after\"\\s*:\\s*\\[\\s*\"L(\\d+)\"");
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(20)).until(() -> {
            assertThat(p.isAlive()).as("aqueduct exited; log in %s", log).isTrue();
            Matcher m = after.matcher(Files.exists(position) ? Files.readString(position) : "");
            return m.find() && Long.parseLong(m.group(1)) >= 300_000;
        });
        p.destroyForcibly().waitFor();
        Matcher m = after.matcher(Files.readString(position));
        assertThat(m.find()).isTrue();
        long resumeAfter = Long.parseLong(m.group(1));
        assertThat(resumeAfter).isLessThan(bigRows);

        long logStart = Files.size(log);
        Process second = CrashRecoveryIT.launch(job, dir);
        launched.add(second);
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(20)).until(() -> {
            assertThat(second.isAlive()).as("aqueduct exited; log in %s", log).isTrue();
            return Files.readString(log).substring((int) logStart).contains("Snapshot complete");
        });
        second.destroyForcibly().waitFor(); // in the handover: the binlog reader is still catching up
        String secondRun = Files.readString(log).substring((int) logStart);
        assertThat(secondRun).contains("continuing after key [" + resumeAfter + "]");
        Matcher copied = Pattern.compile("Copied snap_k.big: (\\d+) rows in (\\d+) chunk").matcher(secondRun);
        assertThat(copied.find()).as(secondRun).isTrue();
        // rows up to the resume key are not read again: only the chunks after it (plus rows the writer added)
        long chunksAfterResume = (bigRows - resumeAfter + chunkRows - 1) / chunkRows;
        assertThat(Long.parseLong(copied.group(2))).isBetween(chunksAfterResume, chunksAfterResume + 2);
        assertThat(Long.parseLong(copied.group(2))).isLessThan(bigRows / chunkRows);

        Process third = CrashRecoveryIT.launch(job, dir);
        launched.add(third);
        try {
            long until = writes.get() + 300;
            await().atMost(Duration.ofMinutes(1)).until(() -> writes.get() >= until || writerFailure.get() != null);
            writing.set(false);
            writer.join();
            assertThat(writerFailure.get()).isNull();
            awaitSameTables(target, "snap_k", null);
            CommandLineIT.Result verify = CommandLineIT.aqueduct("verify", job.toString(), "--settle-seconds", "10");
            assertThat(verify.code()).as(verify.out() + verify.err()).isZero();
        } finally {
            third.destroy();
            assertThat(third.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(third.exitValue()).as("exit code after SIGTERM; log in %s", log).isZero();
    }

    /** The same copy into PostgreSQL while the source takes writes, checked by verify once the writer stops. */
    @Test
    void copiesIntoPostgresWhileTheSourceTakesWrites(@TempDir Path dir) throws Exception {
        PostgresServer pg = PostgresServer.shared();
        pg.createDatabase("app");
        int bigRows = 100_000;
        createTables("snap_p", bigRows);
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicLong writes = new AtomicLong();
        AtomicReference<Throwable> writerFailure = new AtomicReference<>();
        Thread writer = writer("snap_p", bigRows, writing, writes, writerFailure);
        try (JobHarness job = JobHarness.start(JobHarness.yaml("snap_p", source, 6404, "snap_p\\..*", "postgres", pg,
                "mode: full+incremental\nsnapshot:\n  parallelism: 2\n  chunk-rows: 5000\n"), dir)) {
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200)).until(() -> {
                if (job.failure.get() != null) throw new AssertionError("job failed", job.failure.get());
                Path position = dir.resolve("state/position.json");
                return Files.exists(position) && !Files.readString(position).contains("snapshot");
            });
            long until = writes.get() + 200;
            await().atMost(Duration.ofMinutes(1)).until(() -> writes.get() >= until || writerFailure.get() != null);
            writing.set(false);
            writer.join();
            assertThat(writerFailure.get()).isNull();
            CommandLineIT.Result verify = CommandLineIT.aqueduct("verify", dir.resolve("job.yaml").toString(), "--settle-seconds", "30");
            assertThat(verify.code()).as(verify.out() + verify.err()).isZero();
            assertThat(verify.out()).contains("snap_p.big: ").contains("snap_p.nokey: ").contains("snap_p.gen: ")
                    .contains("Target matches source.");
            assertThat(job.failure.get()).isNull();
        } finally {
            writing.set(false);
        }
    }

    /** mode: full copies every type exactly to MySQL and to PostgreSQL, then stops by itself; a rerun has nothing to do. */
    @Test
    void fullModeCopiesEveryTypeAndStops(@TempDir Path dir) throws Exception {
        PostgresServer pg = PostgresServer.shared();
        pg.createDatabase("app");
        source.execute(null, "CREATE DATABASE snap_t", AllTypes.CREATE.formatted("snap_t.t"));
        for (String insert : AllTypes.INSERTS) source.execute(null, insert.formatted("snap_t.t"));
        source.execute(null, AllTypes.UPDATE.formatted("snap_t.t"));
        source.execute("snap_t", "CREATE TABLE k (a INT, b VARCHAR(10))", "INSERT INTO k VALUES (1, 'x'), (1, 'x'), (2, 'y')");
        int serverId = 6403;
        for (DatabaseServer to : List.<DatabaseServer>of(target, pg)) {
            String type = to == pg ? "postgres" : "mysql";
            Path jobDir = dir.resolve(type);
            Files.createDirectories(jobDir);
            Path job = jobDir.resolve("job.yaml");
            Files.writeString(job, JobHarness.yaml("snap_t_" + type, source, serverId++, "snap_t\\..*", type, to,
                    "mode: full\nsnapshot:\n  chunk-rows: 2\n"));
            CommandLineIT.Result run = CommandLineIT.aqueduct("run", job.toString());
            assertThat(run.code()).as(run.out() + run.err()).isZero();
            CommandLineIT.Result verify = CommandLineIT.aqueduct("verify", job.toString(), "--settle-seconds", "0");
            assertThat(verify.code()).as(verify.out() + verify.err()).isZero();
            assertThat(verify.out()).contains("snap_t.t: 5 rows compared, 0 missing, 0 extra, 0 different")
                    .contains("snap_t.k: 3 rows compared, 0 missing, 0 extra, 0 different");
            CommandLineIT.Result again = CommandLineIT.aqueduct("run", job.toString());
            assertThat(again.code()).as(again.out() + again.err()).isZero();
        }
    }

    /** Chunks of many rows reach MariaDB as bulk REPLACE statements and PostgreSQL by COPY: every type still arrives exactly. */
    @Test
    void largeBatchesOfEveryTypeAreLoadedInBulkExactly(@TempDir Path dir) throws Exception {
        source.execute(null, "CREATE DATABASE snap_b", AllTypes.CREATE.formatted("snap_b.t"));
        for (String insert : AllTypes.INSERTS) source.execute(null, insert.formatted("snap_b.t"));
        source.execute(null, AllTypes.UPDATE.formatted("snap_b.t"));
        String others = String.join(", ", AllTypes.COLUMNS.subList(1, AllTypes.COLUMNS.size()));
        source.execute("snap_b", "INSERT INTO t SELECT id + 10 * seq, " + others + " FROM t JOIN seq_1_to_299");
        Path job = dir.resolve("job.yaml");
        Files.writeString(job, JobHarness.yaml("snap_b", source, 6405, "snap_b\\..*", "mysql", target,
                "mode: full\nsnapshot:\n  chunk-rows: 500\n"));
        long replaces = comReplace(target);
        CommandLineIT.Result run = CommandLineIT.aqueduct("run", job.toString());
        assertThat(run.code()).as(run.out() + run.err()).isZero();
        // 1500 rows in chunks of 500, not a REPLACE per row: a statement ends at the row that takes it past 96 KiB, so
        // each of the 300 rows of over 200 KB (a 70,000-character MEDIUMTEXT, an 80 KB LONGBLOB) ends one, and the
        // other 1,200 rows go in these and a few more
        assertThat(comReplace(target) - replaces).as("REPLACE statements on the target").isBetween(300L, 400L);
        // FLOAT as a double: the server prints a FLOAT with 6 digits, which would hide a difference in its last bits
        String q = "SELECT " + String.join(", ", AllTypes.COLUMNS).replace(", f,", ", f * 1e0,") + " FROM snap_b.t ORDER BY id";
        List<List<String>> want = TypeFidelityIT.canonical(source, q);
        List<List<String>> got = TypeFidelityIT.canonical(target, q);
        assertThat(got).hasSize(1500);
        List<String> differences = new java.util.ArrayList<>();
        for (int r = 0; r < want.size(); r++) {
            for (int c = 0; c < AllTypes.COLUMNS.size(); c++) {
                if (!java.util.Objects.equals(want.get(r).get(c), got.get(r).get(c))) {
                    differences.add("id " + want.get(r).get(0) + " " + AllTypes.COLUMNS.get(c) + ": source "
                            + want.get(r).get(c) + ", target " + got.get(r).get(c));
                }
            }
        }
        assertThat(differences).isEmpty();

        // into PostgreSQL the same chunks go through COPY; verify compares every value as the sink maps it
        PostgresServer pg = PostgresServer.shared();
        pg.createDatabase("app");
        Path pgJob = Files.createDirectories(dir.resolve("pg")).resolve("job.yaml"); // a state directory of its own
        Files.writeString(pgJob, JobHarness.yaml("snap_b_pg", source, 6406, "snap_b\\..*", "postgres", pg,
                "mode: full\nsnapshot:\n  chunk-rows: 500\n"));
        CommandLineIT.Result toPg = CommandLineIT.aqueduct("run", pgJob.toString());
        assertThat(toPg.code()).as(toPg.out() + toPg.err()).isZero();
        CommandLineIT.Result verify = CommandLineIT.aqueduct("verify", pgJob.toString(), "--settle-seconds", "0");
        assertThat(verify.code()).as(verify.out() + verify.err()).isZero();
        assertThat(verify.out()).contains("snap_b.t: 1500 rows compared, 0 missing, 0 extra, 0 different");
    }

    private static long comReplace(DatabaseServer s) {
        return Long.parseLong(String.valueOf(s.query(null, "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS "
                + "WHERE VARIABLE_NAME = 'COM_REPLACE'").get(0).get(0)));
    }
}
