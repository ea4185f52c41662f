package io.aqueduct.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.aqueduct.core.model.Column;
import io.aqueduct.core.model.RowChange;
import io.aqueduct.core.model.TableId;
import io.aqueduct.core.model.TableSchema;
import io.aqueduct.core.model.Transaction;
import io.aqueduct.log.FsyncPolicy;
import io.aqueduct.log.LogWriter;
import io.aqueduct.log.LogWriterOptions;
import io.aqueduct.testkit.DatabaseServer;
import io.aqueduct.testkit.MariaDbServer;
import io.aqueduct.testkit.PostgresServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Capture once, serve many: one capture job copies a MariaDB database into a relay log and follows its binlog; three
 * downstream jobs read the log with their own table selections into a MariaDB, a PostgreSQL and a second MariaDB
 * target — the first through a mirror that copies the log from the relay server over TLS — while a writer changes
 * the source and the capture job, the relay server, the mirror and one reader are killed with SIGKILL.
 */
class RelayIT {
    static MariaDbServer source;
    static MariaDbServer mysqlA;
    static MariaDbServer mysqlB;
    static PostgresServer pg;

    @BeforeAll
    static void servers() {
        source = MariaDbServer.shared();
        mysqlA = MariaDbServer.start(51);
        mysqlB = MariaDbServer.start(52);
        pg = PostgresServer.shared();
        pg.createDatabase("app");
    }

    @AfterAll
    static void close() {
        if (mysqlA != null) mysqlA.close();
        if (mysqlB != null) mysqlB.close();
    }

    private static final String ACCOUNTS = "CREATE TABLE relay.accounts (id INT PRIMARY KEY, balance BIGINT NOT NULL, "
            + "version INT NOT NULL, note VARCHAR(64))";
    private static final String EVENTS = "CREATE TABLE relay.events (id BIGINT AUTO_INCREMENT PRIMARY KEY, account INT NOT NULL, "
            + "delta BIGINT NOT NULL)";
    private static final String PRODUCTS = "CREATE TABLE relay.products (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL, "
            + "price DECIMAL(10,2) NOT NULL)";
    private static final String NOTES = "CREATE TABLE relay.notes (id INT PRIMARY KEY, body TEXT, updated DATETIME(6))";

    @Test
    void oneCaptureJobFeedsThreeReadersThroughKillNine(@TempDir Path dir) throws Exception {
        source.execute(null, "DROP DATABASE IF EXISTS relay", "CREATE DATABASE relay", ACCOUNTS, EVENTS, PRODUCTS, NOTES);
        // rows that exist before the capture job starts reach the readers through the capture job's snapshot
        source.execute("relay",
                "INSERT INTO accounts SELECT seq, seq * 10, 1, CONCAT('pre', seq) FROM seq_1_to_500",
                "INSERT INTO events (account, delta) SELECT seq % 500 + 1, seq FROM seq_1_to_120000",
                "INSERT INTO products SELECT seq, CONCAT('product ', seq), seq + 0.25 FROM seq_1_to_200",
                "INSERT INTO notes SELECT seq, REPEAT('n', seq % 50), '2024-05-01 10:00:00.123456' FROM seq_1_to_300");
        // MySQL targets receive tables through replicated DDL only: those that exist before the capture starts are
        // created here, as a user would with the source's DDL; 'late' comes through the log's CREATE TABLE
        mysqlA.execute(null, "CREATE DATABASE relay", ACCOUNTS, EVENTS);
        mysqlB.execute(null, "CREATE DATABASE relay", EVENTS, NOTES);

        Path capture = write(dir.resolve("capture/job.yaml"), """
                name: relay-capture
                source: {type: mysql, host: 127.0.0.1, port: %d, user: root, password: "", server-id: 6501}
                tables: {include: ['relay\\..*']}
                target: {type: log, path: ../relay, codec: lz4, segment-size: 256KB, fsync: batch}
                mode: full+incremental
                snapshot: {parallelism: 2, chunk-rows: 200}
                memory: {transaction: 64KB}
                state: ./state
                status-interval: 1
                """.formatted(source.port()));
        Path log = dir.resolve("relay");
        CommandLineIT.Result precheck = CommandLineIT.aqueduct("precheck", capture.toString());
        assertThat(precheck.code()).as(precheck.out()).isZero();
        assertThat(precheck.out()).contains("OK    target log").contains(log + " is created when the job starts")
                .doesNotContain("target privileges").doesNotContain("target tables");

        // a relay server in its own process serves the log over TLS with a self-signed certificate; it may start
        // before the capture job, on the log's (empty) directory
        Path serverDir = dir.resolve("server");
        Files.createDirectories(serverDir);
        Files.createDirectories(log);
        Path cert = selfSignedCertificate(serverDir);
        int port = freePort();
        Process server = serve(log, port, serverDir);
        awaitInLog(serverDir, "listening on", 1);
        String remote = "source: {type: relay, host: 127.0.0.1, port: %d, user: relay, password: pw-relay, tls: {trust: %s}}"
                .formatted(port, cert);

        // a mirror in its own process keeps a copy of the served log, which reader relay-a reads on its machine
        Path mirrorDir = dir.resolve("mirror-job");
        Files.createDirectories(mirrorDir);
        Path copy = dir.resolve("mirror");
        Process mirror = mirror(copy, port, cert, mirrorDir);
        String a = downstream("relay-a", "relay\\.(accounts|events)", "mysql", mysqlA, "mode: incremental\n")
                .replace("source: {type: relay, path: ../relay}", "source: {type: relay, path: ../mirror}");
        String p = downstream("relay-pg", "relay\\..*", "postgres", pg, "").replace("tables: {include: ['relay\\..*']}",
                "tables: {include: ['relay\\..*'], exclude: ['relay\\.(events|late)']}")
                .replace("source: {type: relay, path: ../relay}", remote);
        Path b = write(dir.resolve("b/job.yaml"), downstream("relay-b", "relay\\.(events|notes|late)", "mysql", mysqlB, "")
                .replace("source: {type: relay, path: ../relay}", remote));
        CommandLineIT.Result remoteCheck = CommandLineIT.aqueduct("precheck", b.toString());
        assertThat(remoteCheck.out()).containsPattern("OK +relay server +127.0.0.1:" + port + " lets reader relay-b in over TLS");

        Path captureDir = capture.getParent();
        Process captureJob = CrashRecoveryIT.launch(capture, captureDir);
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(log.resolve("writer.lock")));
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicReference<Throwable> writerFailure = new AtomicReference<>();
        java.util.concurrent.atomic.AtomicLong writes = new java.util.concurrent.atomic.AtomicLong();
        Thread writer = new Thread(() -> write(writing, writes, writerFailure), "writer");
        Process readerB = CrashRecoveryIT.launch(b, b.getParent());
        try (JobHarness jobA = JobHarness.start(a, dir.resolve("a")); JobHarness jobPg = JobHarness.start(p, dir.resolve("pg"))) {
            writer.start();
            Random random = new Random(7);
            // the first kill comes while the capture job copies the events (120,000 rows and more, after the accounts)
            awaitInLog(captureDir, "Copied relay.accounts", 1);
            captureJob.destroyForcibly().waitFor();
            captureJob = CrashRecoveryIT.launch(capture, captureDir);
            int captureRuns = 2;
            int readerRuns = 1;
            int serverRuns = 1;
            // the mirror logs this at every connection, reconnects included: each new process must add one
            int mirrorConnections = 1;
            // kill -9 in turn: the reader, the capture job, the relay server, the mirror
            for (int kill = 0; kill < 8; kill++) {
                int victimKind = kill % 4;
                Process victim = switch (victimKind) {
                    case 0 -> readerB;
                    case 1 -> captureJob;
                    case 2 -> server;
                    default -> mirror;
                };
                Path victimDir = switch (victimKind) {
                    case 0 -> b.getParent();
                    case 1 -> captureDir;
                    case 2 -> serverDir;
                    default -> mirrorDir;
                };
                // killed while it works, not while its JVM starts
                if (victimKind == 2) awaitInLog(serverDir, "listening on", serverRuns);
                else if (victimKind == 3) awaitInLog(mirrorDir, "Mirroring the relay log at", mirrorConnections);
                else awaitInLog(victimDir, "Pipeline Starting from", victimKind == 0 ? readerRuns : captureRuns);
                assertThat(victim.waitFor(500 + random.nextInt(1500), TimeUnit.MILLISECONDS))
                        .as("the process exited on its own; its log is kept in target/relay-it/%s-run.log", victimDir.getFileName()).isFalse();
                victim.destroyForcibly().waitFor();
                switch (victimKind) {
                    case 0 -> {
                        readerB = CrashRecoveryIT.launch(b, b.getParent());
                        readerRuns++;
                    }
                    case 1 -> {
                        captureJob = CrashRecoveryIT.launch(capture, captureDir);
                        captureRuns++;
                    }
                    case 2 -> {
                        server = serve(log, port, serverDir);
                        serverRuns++;
                    }
                    default -> {
                        mirrorConnections = count(Files.readString(mirrorDir.resolve("run.log")), "Mirroring the relay log at") + 1;
                        mirror = mirror(copy, port, cert, mirrorDir);
                    }
                }
                assertThat(jobA.failure.get()).isNull();
                assertThat(jobPg.failure.get()).isNull();
            }
            awaitInLog(captureDir, "Pipeline Starting from", captureRuns);
            // the restarted capture job has work to do after the last kill: some more commits
            long after = writes.get() + 100;
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofMinutes(1))
                    .until(() -> writes.get() >= after || writerFailure.get() != null);
            writing.set(false);
            writer.join();
            assertThat(writerFailure.get()).isNull();
            assertThat(rows(source, null, "SELECT COUNT(*) FROM relay.late").get(0).get(0)).as("the writer created 'late'")
                    .isNotEqualTo(0L);

            List<Process> children = List.of(captureJob, readerB, server, mirror);
            awaitSame(mysqlA, null, List.of("accounts", "events"), jobA, children);
            awaitSame(pg, "app", List.of("accounts", "products", "notes"), jobPg, children);
            awaitSame(mysqlB, null, List.of("events", "notes", "late"), null, children);

            // nothing doubled: same row count as the source, and the keys are unique (primary keys on both sides)
            for (String t : List.of("accounts", "events")) assertSameCount(mysqlA, null, t);
            for (String t : List.of("accounts", "products", "notes")) assertSameCount(pg, "app", t);
            for (String t : List.of("events", "notes", "late")) assertSameCount(mysqlB, null, t);
            // the copy holds the served log record by record, though both were killed while copying
            await().atMost(Duration.ofSeconds(60)).until(() -> Arrays.equals(records(copy), records(log)));
            // tables a reader does not select never reach its target
            assertThat(mysqlA.query(null, "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'relay' ORDER BY 1"))
                    .containsExactly(List.of("accounts"), List.of("events"));
            assertThat(mysqlB.query(null, "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'relay' ORDER BY 1"))
                    .containsExactly(List.of("events"), List.of("late"), List.of("notes"));
            assertThat(pg.query("app", "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'relay' ORDER BY 1"))
                    .containsExactly(List.of("accounts"), List.of("notes"), List.of("products"));

            // verify reads the source database, which a relay job does not name: check the PostgreSQL target with an
            // equivalent job file that reads the source directly
            Path check = write(dir.resolve("verify-pg.yaml"), JobHarness.yaml("relay-pg-verify", source, 6502, "relay\\..*",
                    "postgres", pg, "").replace("tables:\n  include: ['relay\\..*']",
                    "tables:\n  include: ['relay\\..*']\n  exclude: ['relay\\.(events|late)']"));
            CommandLineIT.Result verify = CommandLineIT.aqueduct("verify", check.toString(), "--settle-seconds", "1");
            assertThat(verify.code()).as(verify.out() + verify.err()).isZero();
            assertThat(verify.out()).contains("relay.accounts: ").contains("relay.products").contains("relay.notes");
        } finally {
            writing.set(false);
            writer.join();
            captureJob.destroy(); // SIGTERM: drain, sync, save, exit 0
            readerB.destroy();
            mirror.destroy();
            boolean captureEnded = captureJob.waitFor(60, TimeUnit.SECONDS);
            boolean readerEnded = readerB.waitFor(60, TimeUnit.SECONDS);
            boolean mirrorEnded = mirror.waitFor(60, TimeUnit.SECONDS);
            server.destroy();
            boolean serverEnded = server.waitFor(60, TimeUnit.SECONDS);
            keepLogs(captureDir, b.getParent(), serverDir, mirrorDir);
            assertThat(captureEnded).as("capture job ended after SIGTERM").isTrue();
            assertThat(readerEnded).as("reader ended after SIGTERM").isTrue();
            assertThat(mirrorEnded).as("mirror ended after SIGTERM").isTrue();
            assertThat(serverEnded).as("relay server ended after SIGTERM").isTrue();
        }
        assertThat(mirror.exitValue()).as("mirror's exit code after SIGTERM; log in target/relay-it/mirror-job-run.log").isZero();
        assertThat(server.exitValue()).as("relay server's exit code after SIGTERM; log in target/relay-it/server-run.log").isZero();
        String serverLog = Files.readString(serverDir.resolve("run.log"));
        assertThat(serverLog).contains("relay reader relay-b from 127.0.0.1:").contains("relay reader relay-pg from 127.0.0.1:");
        // the readers' acknowledged seqnos are registered with the log, the local reader's too
        assertThat(io.aqueduct.log.LogReaders.list(log)).extracting(io.aqueduct.log.LogReaders.Reader::name)
                .containsExactly("mirror", "relay-b", "relay-pg");
        assertThat(io.aqueduct.log.LogReaders.list(copy)).extracting(io.aqueduct.log.LogReaders.Reader::name)
                .containsExactly("relay-a");
        assertThat(captureJob.exitValue()).as("capture job's exit code after SIGTERM; log in target/relay-it/capture-run.log").isZero();
        assertThat(readerB.exitValue()).as("reader's exit code after SIGTERM; log in target/relay-it/b-run.log").isZero();
        String captureLog = Files.readString(captureDir.resolve("run.log"));
        assertThat(captureLog).contains("Stopped cleanly").contains("Relay log " + log);
        // the log's own files (readers, selection history) are not taken for strangers in its directory
        CommandLineIT.Result again = CommandLineIT.aqueduct("precheck", capture.toString());
        assertThat(again.out()).contains("holds a relay log of").doesNotContain("not part of a relay log");
        assertThat(count(captureLog, "MySqlSnapshot Snapshot of")).as("the snapshot resumed after the first kill").isGreaterThanOrEqualTo(2);
        assertThat(count(Files.readString(b.getParent().resolve("run.log")), "Pipeline Starting from")).isGreaterThanOrEqualTo(3);
        try (Stream<Path> segments = Files.list(log)) {
            assertThat(segments.filter(f -> f.toString().endsWith(".seg")).count()).as("segments of 256KB").isGreaterThan(1);
        }
    }

    @Test
    void aRelaySourceWithoutALogIsRefusedBeforeStarting(@TempDir Path dir) throws Exception {
        Path job = write(dir.resolve("job.yaml"), downstream("relay-missing", "relay\\..*", "mysql", mysqlA, "")
                .replace("path: ../relay", "path: ./no-such-log"));
        CommandLineIT.Result run = CommandLineIT.aqueduct("run", job.toString());
        assertThat(run.code()).as(run.err()).isEqualTo(2);
        assertThat(run.err()).contains("The job cannot start").contains("relay log: there is no directory " + dir.resolve("no-such-log"))
                .contains("check source.path").contains("target type log").doesNotContain("\tat ");
        CommandLineIT.Result precheck = CommandLineIT.aqueduct("precheck", job.toString());
        assertThat(precheck.code()).isEqualTo(1);
        assertThat(precheck.out()).contains("FAIL  relay log").contains("OK    target login").doesNotContain("source login");

        // verify reads the source database, which a relay job does not name
        CommandLineIT.Result verify = CommandLineIT.aqueduct("verify", job.toString());
        assertThat(verify.code()).isEqualTo(2);
        assertThat(verify.err()).contains("its source is the relay log in " + dir.resolve("no-such-log"))
                .contains("capture job's database").doesNotContain("\tat ");
        CommandLineIT.Result schema = CommandLineIT.aqueduct("schema", job.toString(), "--dry-run");
        assertThat(schema.code()).isEqualTo(2);
        assertThat(schema.err()).contains("its source is the relay log in ").doesNotContain("\tat ");

        // a directory that exists but holds no log
        Files.createDirectories(dir.resolve("no-such-log"));
        Files.writeString(dir.resolve("no-such-log/notes.txt"), "not a log");
        run = CommandLineIT.aqueduct("run", job.toString());
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("holds no relay log (no segment files)");
        assertThat(Files.exists(dir.resolve("state/position.json"))).isFalse();
    }

    @Test
    void routesOfARelayJobAreCheckedAgainstTheTablesInTheLog(@TempDir Path dir) throws Exception {
        TableSchema t = new TableSchema(new TableId("relay_r", "t"), List.of(
                new Column("id", Types.BIGINT, "bigint", false, false, 0, 0, null, null),
                new Column("v", Types.VARCHAR, "varchar(10)", true, false, 10, 0, "utf8mb4", null)), List.of("id"),
                TableSchema.KeyKind.PRIMARY);
        try (LogWriter w = LogWriter.open(dir.resolve("log"), LogWriterOptions.defaults().withFsync(FsyncPolicy.none()))) {
            w.append(1, new Transaction(0, "0-1-1", "1", System.currentTimeMillis(), () -> "{}",
                    List.of(new RowChange(t, RowChange.Op.INSERT, null, new Object[] {1L, "one"})), 0, true));
        }
        String job = downstream("relay-routes", "relay_r\\..*", "mysql", mysqlA, "").replace("../relay", "./log");
        Path bad = write(dir.resolve("bad.yaml"), job + "routes:\n  tables: {relay_r.t: t2}\n  columns: {relay_r.t: {v: value, nope: x}}\n");
        CommandLineIT.Result r = CommandLineIT.aqueduct("precheck", bad.toString());
        assertThat(r.code()).as(r.out()).isEqualTo(1);
        assertThat(r.out()).contains("OK    relay log").contains("FAIL  routes").contains("has no column 'nope'");

        Path good = write(dir.resolve("good.yaml"), job + "routes:\n  tables: {relay_r.t: t2, relay_r.later: l2}\n"
                + "  columns: {relay_r.t: {v: value}}\n");
        r = CommandLineIT.aqueduct("precheck", good.toString());
        assertThat(r.code()).as(r.out()).isZero();
        assertThat(r.out()).contains("WARN  routes").contains("holds no rows of relay_r.later yet")
                .contains("OK    routes                   the routed tables the relay log holds have the routed columns");
    }

    /** A downstream job file reading ../relay (next to its own folder) into a database. */
    private static String downstream(String name, String include, String targetType, DatabaseServer target, String extra) {
        return """
                name: %s
                source: {type: relay, path: ../relay}
                tables: {include: ['%s']}
                target: {type: %s, host: 127.0.0.1, port: %d, user: %s, password: ""%s}
                state: ./state
                status-interval: 1
                apply: {lanes: 4, batch-rows: 300}
                """.formatted(name, include, targetType, target.port(), target.user(),
                targetType.equals("postgres") ? ", database: app" : "") + extra;
    }

    /** {@code aqueduct log serve} in its own JVM, logging into {@code dir/run.log}. */
    private static Process serve(Path log, int port, Path dir) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx128m", "-cp", System.getProperty("java.class.path"), "io.aqueduct.cli.Main",
                "log", "serve", log.toString(), "--host", "127.0.0.1", "--port", String.valueOf(port), "--user", "relay",
                "--password-env", "RELAY_PW", "--tls-cert", dir.resolve("cert.pem").toString(), "--tls-key",
                dir.resolve("key.pem").toString());
        pb.environment().put("RELAY_PW", "pw-relay");
        return pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("run.log").toFile())).start();
    }

    /** {@code aqueduct log mirror} of the TLS server on {@code port} into {@code copy}, logging into {@code dir/run.log}. */
    private static Process mirror(Path copy, int port, Path cert, Path dir) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx128m", "-cp", System.getProperty("java.class.path"), "io.aqueduct.cli.Main",
                "log", "mirror", copy.toString(), "--host", "127.0.0.1", "--port", String.valueOf(port), "--user", "relay",
                "--password-env", "RELAY_PW", "--tls-trust", cert.toString());
        pb.environment().put("RELAY_PW", "pw-relay");
        return pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("run.log").toFile())).start();
    }

    /** Every record of a relay log as stored, one after the other (segment headers, which name their files, left out). */
    private static byte[] records(Path log) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.util.Map<Path, byte[]> files = new java.util.HashMap<>();
        try (io.aqueduct.log.LogInspector in = io.aqueduct.log.LogInspector.open(log)) {
            in.walk(0, false, (r, t) -> {
                byte[] file = files.computeIfAbsent(r.file(), f -> {
                    try {
                        return Files.readAllBytes(f);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                out.write(file, (int) r.offset(), r.size());
                return true;
            });
        }
        return out.toByteArray();
    }

    /** cert.pem and key.pem in {@code dir}, for 127.0.0.1; returns the certificate. */
    static Path selfSignedCertificate(Path dir) throws Exception {
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                dir.resolve("key.pem").toString(), "-out", dir.resolve("cert.pem").toString(), "-days", "2", "-subj", "/CN=relay",
                "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
        return dir.resolve("cert.pem");
    }

    private static int freePort() throws Exception {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Waits until the job's run.log holds {@code text} at least {@code times} times. */
    private static void awaitInLog(Path jobDir, String text, int times) {
        Path log = jobDir.resolve("run.log");
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                .until(() -> Files.exists(log) && count(Files.readString(log), text) >= times);
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + part.length())) n++;
        return n;
    }

    /** Copies the child jobs' logs out of the temporary directory, which JUnit deletes, to target/relay-it. */
    private static void keepLogs(Path... jobDirs) throws Exception {
        Path keep = Path.of("target", "relay-it");
        Files.createDirectories(keep);
        for (Path d : jobDirs) {
            Path log = d.resolve("run.log");
            if (Files.exists(log)) Files.copy(log, keep.resolve(d.getFileName() + "-run.log"), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static Path write(Path file, String text) throws Exception {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        return file;
    }

    /** Inserts, updates and deletes on every table, one transaction at a time, with now and then a big one. */
    private static void write(AtomicBoolean writing, java.util.concurrent.atomic.AtomicLong writes,
                              AtomicReference<Throwable> failure) {
        Random random = new Random(11);
        try (Connection c = source.connect("relay"); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            int n = 0;
            boolean late = false;
            while (writing.get()) {
                int id = 1 + random.nextInt(600);
                long delta = random.nextInt(1000) - 500;
                if (n == 400) {
                    st.execute("CREATE TABLE late (id INT PRIMARY KEY, v BIGINT NOT NULL, tag VARCHAR(20))");
                    late = true;
                }
                switch (random.nextInt(12)) {
                    case 0 -> st.executeUpdate("DELETE FROM accounts WHERE id = " + id);
                    case 1 -> {
                        if (random.nextInt(4) > 0) continue;
                        // bigger than the capture job's memory.transaction: logged in fragments
                        StringBuilder sb = new StringBuilder("INSERT INTO events (account, delta) VALUES ");
                        for (int i = 0; i < 800; i++) sb.append(i == 0 ? "" : ",").append("(").append(id).append(",").append(i).append(")");
                        st.executeUpdate(sb.toString());
                    }
                    case 2 -> st.executeUpdate("UPDATE products SET price = price + 1.5, name = CONCAT('renamed ', " + n
                            + ") WHERE id = " + (id % 250 + 1));
                    case 3 -> st.executeUpdate("DELETE FROM products WHERE id = " + (id % 250 + 1));
                    case 4 -> st.executeUpdate("INSERT INTO products VALUES (" + (id % 250 + 1) + ", 'new " + n + "', " + delta
                            + ".75) ON DUPLICATE KEY UPDATE price = VALUES(price)");
                    case 5 -> st.executeUpdate("INSERT INTO notes VALUES (" + id + ", REPEAT('x', " + (n % 300) + "), NOW(6)) "
                            + "ON DUPLICATE KEY UPDATE body = CONCAT(IFNULL(body, ''), 'y'), updated = NOW(6)");
                    case 6 -> st.executeUpdate("DELETE FROM notes WHERE id = " + id);
                    case 7 -> st.executeUpdate("DELETE FROM events WHERE account = " + (id % 500 + 1) + " ORDER BY id LIMIT 3");
                    default -> {
                        st.executeUpdate("INSERT INTO accounts VALUES (" + id + ", " + delta + ", 1, 'n" + n + "') "
                                + "ON DUPLICATE KEY UPDATE balance = balance + " + delta + ", version = version + 1");
                        st.executeUpdate("INSERT INTO events (account, delta) VALUES (" + id + ", " + delta + ")");
                        if (late) {
                            st.executeUpdate("INSERT INTO late VALUES (" + id + ", " + delta + ", 't" + n + "') "
                                    + "ON DUPLICATE KEY UPDATE v = v + " + delta);
                        }
                    }
                }
                c.commit();
                n++;
                writes.incrementAndGet();
                Thread.sleep(1); // a throttle, not a wait: a steady load rather than the most the source can take
            }
        } catch (Throwable t) {
            failure.set(t);
        }
    }

    /** The table's rows as text, ordered by key, in a query either database understands. */
    private static String select(String table, boolean postgres) {
        String columns = switch (table) {
            case "accounts" -> "id, balance, version, note";
            case "events" -> "id, account, delta";
            case "products" -> postgres ? "id, name, price::text" : "id, name, CAST(price AS CHAR)";
            case "notes" -> postgres ? "id, body, to_char(updated, 'YYYY-MM-DD HH24:MI:SS.US')"
                    : "id, body, DATE_FORMAT(updated, '%Y-%m-%d %H:%i:%s.%f')";
            case "late" -> "id, v, tag";
            default -> throw new IllegalArgumentException(table);
        };
        return "SELECT " + columns + " FROM relay." + table + " ORDER BY id";
    }

    /**
     * Waits until every table reads the same on the target as on the source, failing early when a job died: the
     * in-process one, or a child process (whose log is named).
     */
    private static void awaitSame(DatabaseServer target, String database, List<String> tables, JobHarness job,
                                  List<Process> children) {
        boolean postgres = target instanceof PostgresServer;
        for (String t : tables) {
            List<List<Object>> expected = new ArrayList<>();
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).until(() -> {
                if (job != null && job.failure.get() != null) throw new AssertionError("job failed", job.failure.get());
                for (Process child : children) if (!child.isAlive()) throw new AssertionError("a child job exited: " + child.exitValue());
                List<List<Object>> x = rows(source, null, select(t, false));
                List<List<Object>> y = rows(target, database, select(t, postgres));
                expected.clear();
                if (x != null) expected.addAll(x);
                return y != null && Objects.equals(normalize(x), normalize(y));
            });
            assertThat(expected).as("relay.%s on the source", t).isNotEmpty();
        }
    }

    /** Numbers as their decimal text, so that MariaDB's and PostgreSQL's integer classes compare equal. */
    private static List<List<String>> normalize(List<List<Object>> rows) {
        if (rows == null) return null;
        return rows.stream().map(r -> r.stream().map(v -> v == null ? null : v.toString()).toList()).toList();
    }

    private static void assertSameCount(DatabaseServer target, String database, String table) {
        String q = "SELECT COUNT(*), COUNT(DISTINCT id) FROM relay." + table;
        List<Object> s = source.query(null, q).get(0);
        List<Object> t = target.query(database, q).get(0);
        assertThat(t.get(0).toString()).as("rows of relay.%s on %s", table, target).isEqualTo(s.get(0).toString());
        assertThat(t.get(1).toString()).as("distinct keys of relay.%s on %s", table, target).isEqualTo(t.get(0).toString());
    }

    private static List<List<Object>> rows(DatabaseServer s, String database, String q) {
        return JobHarness.rows(s, database, q);
    }
}
