package io.aqueduct.bench;

import io.aqueduct.testkit.DatabaseServer;
import io.aqueduct.testkit.MariaDbServer;
import io.aqueduct.testkit.PostgresServer;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Measures Aqueduct's initial snapshot ({@code mode: full}) against dump-and-load of the same data, on throwaway
 * servers: a MariaDB source, a MariaDB target and a PostgreSQL target. See {@link #usage()}; bench/snapshot builds and
 * starts it.
 *
 * <p>Every round runs, back to back so that they see the same machine load: (a) {@code mariadb-dump
 * --single-transaction | mariadb} and (b) {@code aqueduct run} of a full-mode job into MariaDB, (a) first in odd
 * rounds and (b) first in even ones, each into an emptied target database; then (c) the same job into PostgreSQL and
 * (d) {@code aqueduct verify} of the MariaDB target. Before each, {@code sync} writes out the previous one's writes.
 * Each is a separate process tree timed from launch to exit, the way a user would see it; Aqueduct runs from the
 * shaded jar in its own JVM.
 */
public final class SnapshotBench {
    private static final double GOAL = 1.5;
    private static final String PG_DATABASE = "bench";
    private static final Pattern LOG_TIME = Pattern.compile("^(\\d\\d):(\\d\\d):(\\d\\d)\\.(\\d\\d\\d) ");
    private static final Pattern VERIFY_LINE =
            Pattern.compile("^(\\S+): (\\d+) rows compared, (\\d+) missing, (\\d+) extra, (\\d+) different, (\\d+) rows/s$");

    private long rows = 1_000_000;
    private double narrowShare = 0.8;
    private int txRows = 1000;
    private int rounds = 3;
    private int parallelism = 4;
    private int chunkRows = 10_000;
    private int lanes = 4;
    private int batchRows = 2000;
    /** memory.queue of the jobs; null leaves the job's default. */
    private String queue;
    /** As ./aqueduct runs the jar when AQUEDUCT_JAVA_OPTS is unset. */
    private String javaOpts = ReplicationBench.launcherJavaOpts();
    private boolean profile;
    private Path jar = Path.of("../cli/target/aqueduct.jar");
    private Path out = Path.of("target/snapshot-out");

    private long narrowRows;
    private long wideRows;
    private long timeoutSeconds;
    private final PrintStream stdout = System.out;

    /** The figures in display order: key → {label, unit}. Ratios are per round (paired samples), then the median. */
    private static final Map<String, String[]> FIGURES = new LinkedHashMap<>();

    static {
        figure("dump_seconds", "(a) mariadb-dump --single-transaction | mariadb", "s");
        figure("dump_rows_per_s", "    dump | load", "rows/s");
        figure("mysql_seconds", "(b) snapshot MySQL→MySQL, wall time", "s");
        figure("mysql_rows_per_s", "    snapshot MySQL→MySQL", "rows/s");
        figure("mysql_log_seconds", "    first to last line of the job's log", "s");
        figure("mysql_deadlocks", "    target: deadlocks (Innodb_deadlocks)", "count");
        figure("mysql_lock_wait_seconds", "    target: row lock wait (Innodb_row_lock_time)", "s");
        figure("dump_vs_mysql", "    dump|load time ÷ snapshot time (wall)", "x");
        figure("dump_vs_mysql_log", "    dump|load time ÷ snapshot time (log)", "x");
        figure("pg_seconds", "(c) snapshot MySQL→PostgreSQL, wall time", "s");
        figure("pg_rows_per_s", "    snapshot MySQL→PostgreSQL", "rows/s");
        figure("pg_log_seconds", "    first to last line of the job's log", "s");
        figure("verify_seconds", "(d) verify, MySQL target, wall time", "s");
        figure("verify_rows_per_s", "    verify, rows ÷ wall time", "rows/s");
        figure("verify_printed_rows_per_s", "    verify, the rows/s it prints", "rows/s");
        for (String phase : List.of("dump", "mysql", "pg", "verify")) {
            for (String who : List.of("source", "target", "client", "other", "iowait")) figure("cpu_" + phase + "_" + who, phase + " " + who, "cores");
        }
    }

    private static void figure(String key, String label, String unit) {
        FIGURES.put(key, new String[] {label, unit});
    }

    /** Samples by figure key, one per round. */
    private final Map<String, List<Double>> samples = new LinkedHashMap<>();
    private final List<String> roundLoads = new ArrayList<>();
    /** JFR recordings of the Aqueduct JVMs by phase, with --profile. */
    private final Map<String, Map<Path, long[]>> recordings = new LinkedHashMap<>();

    /** A finished child process: wall time, and the CPU seconds it and the servers used meanwhile. */
    private record Run(double seconds, Path stdout, Path log, double clientCpu, double sourceCpu, double targetCpu, double otherCpu,
                       double ioWait) {}

    public static void main(String[] args) {
        SnapshotBench b = new SnapshotBench();
        ReplicationBench.launch(args, usage(), b::parse, () -> {
            b.run();
            return null;
        });
    }

    static String usage() {
        return """
                usage: bench/snapshot [options]
                  --rows N          rows in the workload, narrow + wide (default 1000000)
                  --narrow-share F  share of the rows in the narrow sysbench table (default 0.8; the rest go to the wide table)
                  --tx-rows N       rows per INSERT statement when loading the source (default 1000)
                  --rounds N        rounds; each figure is the median over them (default 3)
                  --parallelism N   snapshot.parallelism of the jobs (default 4)
                  --chunk-rows N    snapshot.chunk-rows of the jobs (default 10000)
                  --lanes N         apply.lanes of the jobs (default 4)
                  --batch-rows N    apply.batch-rows of the jobs (default 2000)
                  --queue SIZE      memory.queue of the jobs, e.g. 32MB (default: the job's default)
                  --java-opts "..." options for the Aqueduct JVMs, e.g. "-XX:+UseG1GC -Xmx2g" (default: those
                                    ./aqueduct uses without AQUEDUCT_JAVA_OPTS, from scripts/java-opts)
                  --jar PATH        the Aqueduct jar (default ../cli/target/aqueduct.jar, from bench/)
                  --profile         record JFR in the Aqueduct JVMs and print where their CPU and allocations went
                  --out DIR         logs, job files and recordings (default target/snapshot-out)""";
    }

    private void parse(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--profile")) {
                profile = true;
                continue;
            }
            if (i + 1 >= args.length) throw new IllegalArgumentException(a + " needs a value");
            String v = args[++i];
            try {
                switch (a) {
                    case "--rows" -> rows = Long.parseLong(v.replace("_", "").replace(",", ""));
                    case "--narrow-share" -> narrowShare = Double.parseDouble(v);
                    case "--tx-rows" -> txRows = Integer.parseInt(v);
                    case "--rounds" -> rounds = Integer.parseInt(v);
                    case "--parallelism" -> parallelism = Integer.parseInt(v);
                    case "--chunk-rows" -> chunkRows = Integer.parseInt(v);
                    case "--lanes" -> lanes = Integer.parseInt(v);
                    case "--batch-rows" -> batchRows = Integer.parseInt(v);
                    case "--queue" -> queue = v;
                    case "--java-opts" -> javaOpts = v;
                    case "--jar" -> jar = Path.of(v);
                    case "--out" -> out = Path.of(v);
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(a + ": '" + v + "' is not a number");
            }
        }
        if (rows < 2 || narrowShare <= 0 || narrowShare >= 1 || txRows < 1 || rounds < 1 || parallelism < 1 || chunkRows < 1
                || lanes < 1 || batchRows < 1) {
            throw new IllegalArgumentException("--rows must be at least 2, --narrow-share between 0 and 1, the others at least 1");
        }
        narrowRows = Math.max(1, Math.round(rows * narrowShare));
        wideRows = rows - narrowRows;
        if (wideRows < 1) throw new IllegalArgumentException("--narrow-share leaves no wide rows");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalArgumentException(jar.toAbsolutePath().normalize() + " does not exist: build it with mvn install -pl cli -am");
        }
        jar = jar.toAbsolutePath().normalize();
        timeoutSeconds = 300 + rows / 1000;
    }

    private void run() throws Exception {
        long benchStart = System.nanoTime();
        String startLoad = ReplicationBench.loadAverage();
        ReplicationBench.deleteRecursively(out);
        Files.createDirectories(out);
        out = out.toAbsolutePath();
        ReplicationBench.progress("starting the source and target MariaDB servers and the PostgreSQL target");
        // one after the other: two mariadb-install-db runs at once can collide on temp tables in the shared /tmp
        try (MariaDbServer source = MariaDbServer.start(1); MariaDbServer target = MariaDbServer.start(2);
             PostgresServer pg = PostgresServer.start()) {
            ProcessCpu sourceCpu = ProcessCpu.server(source.dataDir());
            ProcessCpu targetCpu = ProcessCpu.server(target.dataDir());
            ProcessCpu pgCpu = ProcessCpu.server(pg.dataDir());

            ReplicationBench.progress(String.format(Locale.ROOT, "loading %,d narrow and %,d wide rows into the source", narrowRows, wideRows));
            long t0 = System.nanoTime();
            try (Connection c = source.connect(null)) {
                Workload.create(c);
                Workload.load(c, Workload.NARROW, narrowRows, txRows);
                Workload.load(c, Workload.WIDE, wideRows, txRows);
            }
            double loadSeconds = (System.nanoTime() - t0) / 1e9;
            checkCounts(source, null, "the source after loading");
            header(source, pg, startLoad, loadSeconds);

            for (int i = 1; i <= rounds; i++) {
                String round = "round " + i + "/" + rounds;
                roundLoads.add(ReplicationBench.loadAverage().split(" ")[0]);
                pg.execute("postgres", "DROP DATABASE IF EXISTS " + PG_DATABASE);
                pg.createDatabase(PG_DATABASE);

                // in turn first and second, so that neither always runs right after the other's hundreds of MB of writes
                Path mysqlJob = writeJob("mysql-" + i, source, 7000 + 10 * i, "type: mysql\n  host: 127.0.0.1\n  port: "
                        + target.port() + "\n  user: root\n  password: \"\"");
                Run dump = null;
                Run mysql = null;
                for (boolean dumpNow : i % 2 == 1 ? new boolean[] {true, false} : new boolean[] {false, true}) {
                    target.execute(null, "DROP DATABASE IF EXISTS " + Workload.DB);
                    if (dumpNow) dump = dumpLoad(round, i, source, target, sourceCpu, targetCpu);
                    else mysql = snapshotToMysql(round, i, mysqlJob, source, target, sourceCpu, targetCpu);
                }
                sample("dump_vs_mysql", dump.seconds() / mysql.seconds());
                double mysqlLog = logSeconds(mysql.log());
                if (!Double.isNaN(mysqlLog)) {
                    sample("mysql_log_seconds", mysqlLog);
                    sample("dump_vs_mysql_log", dump.seconds() / mysqlLog);
                }
                ReplicationBench.progress(round + ": (c) aqueduct run, mode: full, PostgreSQL target");
                Path pgJob = writeJob("pg-" + i, source, 7001 + 10 * i, "type: postgres\n  host: 127.0.0.1\n  port: "
                        + pg.port() + "\n  user: " + pg.user() + "\n  password: \"\"\n  database: " + PG_DATABASE);
                Run toPg = aqueduct("snapshot-pg-" + i, sourceCpu, pgCpu, "run", pgJob);
                checkCounts(pg, PG_DATABASE, "the PostgreSQL target, " + round);
                sample("pg_seconds", toPg.seconds());
                sample("pg_rows_per_s", rows / toPg.seconds());
                double pgLog = logSeconds(toPg.log());
                if (!Double.isNaN(pgLog)) sample("pg_log_seconds", pgLog);
                cpu("pg", toPg);

                ReplicationBench.progress(round + ": (d) aqueduct verify, MySQL target");
                Run verify = aqueduct("verify-" + i, sourceCpu, targetCpu, "verify", mysqlJob);
                sample("verify_seconds", verify.seconds());
                sample("verify_rows_per_s", rows / verify.seconds());
                sample("verify_printed_rows_per_s", verifyPrintedRate(verify.stdout()));
                cpu("verify", verify);
            }
            report(startLoad);
            for (var r : recordings.entrySet()) {
                JfrTop.read(r.getValue()).print(stdout, "Profile of the Aqueduct JVMs, " + r.getKey() + " (" + r.getValue().size()
                        + " JFR recordings, whole runs)", 25);
            }
        }
        stdout.printf(Locale.ROOT, "%nBench finished in %.0f s; logs and job files in %s%n", (System.nanoTime() - benchStart) / 1e9, out);
    }

    private Run dumpLoad(String round, int i, MariaDbServer source, MariaDbServer target, ProcessCpu sourceCpu,
                         ProcessCpu targetCpu) throws Exception {
        ReplicationBench.progress(round + ": (a) mariadb-dump --single-transaction | mariadb");
        target.createDatabase(Workload.DB);
        Run dump = run("dump-load-" + i, List.of("bash", "-c", "set -o pipefail; "
                + "mariadb-dump --no-defaults --single-transaction --host=127.0.0.1 --port=" + source.port() + " -uroot "
                + Workload.DB + " | mariadb --no-defaults --host=127.0.0.1 --port=" + target.port() + " -uroot "
                + Workload.DB), sourceCpu, targetCpu);
        checkChecksums(source, target, "dump|load, " + round);
        sample("dump_seconds", dump.seconds());
        sample("dump_rows_per_s", rows / dump.seconds());
        cpu("dump", dump);
        return dump;
    }

    private Run snapshotToMysql(String round, int i, Path mysqlJob, MariaDbServer source, MariaDbServer target,
                                ProcessCpu sourceCpu, ProcessCpu targetCpu) throws Exception {
        ReplicationBench.progress(round + ": (b) aqueduct run, mode: full, MySQL target");
        long[] locks = lockCounters(target);
        Run mysql = aqueduct("snapshot-mysql-" + i, sourceCpu, targetCpu, "run", mysqlJob);
        long[] locksAfter = lockCounters(target);
        checkChecksums(source, target, "snapshot MySQL→MySQL, " + round);
        sample("mysql_seconds", mysql.seconds());
        sample("mysql_rows_per_s", rows / mysql.seconds());
        sample("mysql_deadlocks", locksAfter[0] - locks[0]);
        sample("mysql_lock_wait_seconds", (locksAfter[1] - locks[1]) / 1000.0);
        cpu("mysql", mysql);
        return mysql;
    }

    // ---- child processes -----------------------------------------------------------------------------------------

    private Run aqueduct(String tag, ProcessCpu sourceCpu, ProcessCpu targetCpu, String command, Path job) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(ReplicationBench.jvmArgs(javaOpts));
        if (profile) {
            Path jfr = out.resolve(tag + ".jfr");
            cmd.add("-XX:StartFlightRecording=filename=" + jfr + ",settings=profile,jdk.ExecutionSample#period=2ms,dumponexit=true");
            String phase = tag.replaceAll("-\\d+$", "");
            recordings.computeIfAbsent(phase, k -> new LinkedHashMap<>()).put(jfr, null);
        }
        cmd.addAll(List.of("-jar", jar.toString(), command, job.toString()));
        return run(tag, cmd, sourceCpu, targetCpu);
    }

    /**
     * Runs a command in the output directory with stdout and stderr in files, and fails with the log's tail unless
     * it exits 0 within the timeout.
     */
    private Run run(String tag, List<String> cmd, ProcessCpu sourceCpu, ProcessCpu targetCpu) throws Exception {
        Path stdoutFile = out.resolve(tag + ".out");
        Path log = out.resolve(tag + ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(out.toFile()).redirectOutput(stdoutFile.toFile())
                .redirectError(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        // a developer's client settings (MYSQL_PWD, PGPORT, ...) must not redirect or authenticate the tools
        pb.environment().keySet().removeIf(k -> k.startsWith("PG") || k.startsWith("MYSQL"));
        // each run writes hundreds of MB: without this, the next run would pay for writing them out to disk
        if (new ProcessBuilder("sync").start().waitFor() != 0) throw new IllegalStateException("sync failed");
        double client0 = ProcessCpu.exitedChildrenSeconds();
        double source0 = sourceCpu.seconds();
        double target0 = targetCpu.seconds();
        double[] machine0 = ProcessCpu.machineSeconds();
        long t0 = System.nanoTime();
        Process p = pb.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new IllegalStateException(tag + " did not finish in " + timeoutSeconds + " s: " + String.join(" ", cmd)
                    + "\n--- " + log + " (tail) ---\n" + ReplicationBench.tail(log, 40));
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (p.exitValue() != 0) {
            throw new IllegalStateException(tag + " exited with " + p.exitValue() + ": " + String.join(" ", cmd)
                    + "\n--- " + stdoutFile + " (tail) ---\n" + ReplicationBench.tail(stdoutFile, 20)
                    + "\n--- " + log + " (tail) ---\n" + ReplicationBench.tail(log, 40));
        }
        double[] machine1 = ProcessCpu.machineSeconds();
        double machine = (machine1[0] - machine0[0]) / seconds;
        double client = (ProcessCpu.exitedChildrenSeconds() - client0) / seconds;
        double source = (sourceCpu.seconds() - source0) / seconds;
        double target = (targetCpu.seconds() - target0) / seconds;
        return new Run(seconds, stdoutFile, log, client, source, target, Math.max(0, machine - client - source - target),
                (machine1[1] - machine0[1]) / seconds);
    }

    private Path writeJob(String name, MariaDbServer source, long serverId, String target) throws IOException {
        String yaml = """
                name: snapshot-bench-%s
                source:
                  type: mysql
                  host: 127.0.0.1
                  port: %d
                  user: root
                  password: ""
                  server-id: %d
                tables:
                  include: ['%s\\..*']
                target:
                  %s
                mode: full
                snapshot:
                  parallelism: %d
                  chunk-rows: %d
                apply:
                  lanes: %d
                  batch-rows: %d
                state: ./state-%s
                status-interval: 5
                """.formatted(name, source.port(), serverId, Workload.DB, target, parallelism, chunkRows, lanes, batchRows, name)
                + (queue == null ? "" : "memory:\n  queue: " + queue + "\n");
        ReplicationBench.deleteRecursively(out.resolve("state-" + name)); // a stored position would skip the copy
        Path file = out.resolve(name + ".yaml");
        Files.writeString(file, yaml);
        return file;
    }

    /** Seconds from the first to the last timestamped line of an Aqueduct log: the job without JVM start and exit. */
    private static double logSeconds(Path log) throws IOException {
        long first = -1;
        long last = -1;
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            Matcher m = LOG_TIME.matcher(line);
            if (!m.find()) continue;
            long ms = ((Long.parseLong(m.group(1)) * 60 + Long.parseLong(m.group(2))) * 60 + Long.parseLong(m.group(3))) * 1000
                    + Long.parseLong(m.group(4));
            if (first < 0) first = ms;
            if (last >= 0 && ms < last) ms += TimeUnit.DAYS.toMillis(1); // past midnight
            last = ms;
        }
        return first < 0 || last <= first ? Double.NaN : (last - first) / 1000.0;
    }

    /** The verify rate over all tables from its per-table lines (rows over the summed per-table times). */
    private double verifyPrintedRate(Path stdoutFile) throws IOException {
        long compared = 0;
        double seconds = 0;
        for (String line : Files.readAllLines(stdoutFile, StandardCharsets.UTF_8)) {
            Matcher m = VERIFY_LINE.matcher(line.trim());
            if (!m.matches()) continue;
            long n = Long.parseLong(m.group(2));
            if (!m.group(3).equals("0") || !m.group(4).equals("0") || !m.group(5).equals("0")) {
                throw new IllegalStateException("verify found differences: " + line);
            }
            compared += n;
            seconds += n / Math.max(1.0, Double.parseDouble(m.group(6)));
        }
        if (compared != rows) {
            throw new IllegalStateException("verify compared " + compared + " rows, expected " + rows + "; see " + stdoutFile);
        }
        return compared / seconds;
    }

    // ---- correctness ---------------------------------------------------------------------------------------------

    private void checkChecksums(MariaDbServer source, MariaDbServer target, String what) {
        for (String t : List.of(Workload.NARROW, Workload.WIDE)) {
            String table = Workload.DB + "." + t;
            Object a = source.query(null, "CHECKSUM TABLE " + table).get(0).get(1);
            Object b = target.query(null, "CHECKSUM TABLE " + table).get(0).get(1);
            if (a == null || !String.valueOf(a).equals(String.valueOf(b))) {
                throw new IllegalStateException("after " + what + ": CHECKSUM TABLE " + table + " is " + b + " on the target, "
                        + a + " on the source; the copy is not equal to the source");
            }
        }
        checkCounts(target, null, "the MySQL target after " + what);
    }

    /** The target's InnoDB deadlock count and total row lock wait in ms: lanes of one table can block each other. */
    private static long[] lockCounters(MariaDbServer server) {
        long[] c = new long[2];
        for (List<Object> row : server.query(null, "SHOW GLOBAL STATUS WHERE Variable_name IN ('Innodb_deadlocks', 'Innodb_row_lock_time')")) {
            c[String.valueOf(row.get(0)).equalsIgnoreCase("Innodb_deadlocks") ? 0 : 1] = Long.parseLong(String.valueOf(row.get(1)));
        }
        return c;
    }

    private void checkCounts(DatabaseServer server, String database, String what) {
        long n = count(server, database, Workload.NARROW);
        long w = count(server, database, Workload.WIDE);
        if (n != narrowRows || w != wideRows) {
            throw new IllegalStateException(what + " holds " + n + " narrow and " + w + " wide rows, expected "
                    + narrowRows + " and " + wideRows);
        }
    }

    private static long count(DatabaseServer server, String database, String table) {
        return ((Number) server.query(database, "SELECT COUNT(*) FROM " + Workload.DB + "." + table).get(0).get(0)).longValue();
    }

    // ---- report --------------------------------------------------------------------------------------------------

    private void sample(String key, double value) {
        if (!FIGURES.containsKey(key)) throw new IllegalArgumentException("no figure " + key);
        samples.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
    }

    private void cpu(String phase, Run r) {
        sample("cpu_" + phase + "_source", r.sourceCpu());
        sample("cpu_" + phase + "_target", r.targetCpu());
        sample("cpu_" + phase + "_client", r.clientCpu());
        sample("cpu_" + phase + "_other", r.otherCpu());
        sample("cpu_" + phase + "_iowait", r.ioWait());
    }

    private double median(String key) {
        List<Double> s = samples.getOrDefault(key, List.of()).stream().sorted().toList();
        if (s.isEmpty()) return Double.NaN;
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    private static String format(double v, String unit) {
        if (Double.isNaN(v)) return "";
        return switch (unit) {
            case "x" -> String.format(Locale.ROOT, "%.2fx", v);
            case "count" -> String.format(Locale.ROOT, "%,.0f", v);
            default -> ReplicationBench.format(v, unit);
        };
    }

    private void header(MariaDbServer source, PostgresServer pg, String startLoad, double loadSeconds) {
        String version = String.valueOf(source.query(null, "SELECT VERSION()").get(0).get(0));
        String pgVersion = String.valueOf(pg.query("postgres", "SHOW server_version").get(0).get(0));
        stdout.println("Aqueduct snapshot bench");
        stdout.printf(Locale.ROOT, "  workload : %,d rows = %,d narrow (bench.sbtest1, 4 columns, sysbench-like) + %,d wide "
                + "(bench.wide, %d columns, many types)%n", rows, narrowRows, wideRows, Workload.WIDE_COLUMNS);
        stdout.printf(Locale.ROOT, "             loaded into the source as %,d-row INSERTs in %.1f s%n", txRows, loadSeconds);
        stdout.printf(Locale.ROOT, "  machine  : %d CPUs, load %s at start; MariaDB %s, PostgreSQL %s, all on this machine; Java %s%n",
                Runtime.getRuntime().availableProcessors(), startLoad, version, pgVersion, System.getProperty("java.version"));
        stdout.printf(Locale.ROOT, "  Aqueduct : %s, own JVM per run%s; snapshot.parallelism %d, snapshot.chunk-rows %d, "
                + "apply.lanes %d, apply.batch-rows %d%s%n", jar.getFileName(), javaOpts.isBlank() ? "" : " (" + javaOpts + ")",
                parallelism, chunkRows, lanes, batchRows, queue == null ? "" : ", memory.queue " + queue);
        stdout.printf(Locale.ROOT, "  rounds   : %d; each runs (a) and (b) (in turn first), (c) and (d) back to back, after a sync each; "
                + "times are wall time from launch to exit%n", rounds);
        stdout.flush();
    }

    private void report(String startLoad) {
        stdout.println();
        stdout.printf("%-50s %12s %12s %12s  %s%n", "figure (" + rounds + " rounds)", "median", "min", "max", "unit");
        stdout.println("-".repeat(50 + 3 * 13 + 8));
        for (var f : FIGURES.entrySet()) {
            if (f.getKey().startsWith("cpu_")) continue;
            List<Double> s = samples.getOrDefault(f.getKey(), List.of());
            if (s.isEmpty()) continue;
            String unit = f.getValue()[1];
            stdout.printf("%-50s %12s %12s %12s  %s%n", f.getValue()[0], format(median(f.getKey()), unit),
                    format(s.stream().mapToDouble(Double::doubleValue).min().orElseThrow(), unit),
                    format(s.stream().mapToDouble(Double::doubleValue).max().orElseThrow(), unit), unit);
        }

        stdout.println();
        stdout.printf("%-50s %12s %12s %12s %12s %12s%n", "CPU used during the run (cores, median)", "source", "target", "client",
                "rest", "I/O wait");
        stdout.println("-".repeat(50 + 5 * 13));
        Map<String, String> phases = new LinkedHashMap<>();
        phases.put("dump", "(a) dump | load (client: mariadb-dump + mariadb)");
        phases.put("mysql", "(b) snapshot → MySQL (client: Aqueduct JVM)");
        phases.put("pg", "(c) snapshot → PostgreSQL (target: all postgres)");
        phases.put("verify", "(d) verify (client: Aqueduct JVM)");
        for (var p : phases.entrySet()) {
            stdout.printf("%-50s %12s %12s %12s %12s %12s%n", p.getValue(), format(median("cpu_" + p.getKey() + "_source"), "cores"),
                    format(median("cpu_" + p.getKey() + "_target"), "cores"), format(median("cpu_" + p.getKey() + "_client"), "cores"),
                    format(median("cpu_" + p.getKey() + "_other"), "cores"), format(median("cpu_" + p.getKey() + "_iowait"), "cores"));
        }
        stdout.println("  rest: the machine's busy CPU (/proc/stat) less the three: the bench, idle servers, other users of the machine");
        stdout.println("  I/O wait: CPUs idle while a disk request was outstanding (machine-wide)");

        double ratio = median("dump_vs_mysql");
        stdout.println();
        stdout.printf(Locale.ROOT, "Target: snapshot MySQL→MySQL at least %.1fx as fast as dump|load (median of per-round dump "
                + "time ÷ snapshot wall time): %.2fx, %s%n", GOAL, ratio, ratio >= GOAL ? "met" : "NOT met");
        stdout.println("Correctness: every round, CHECKSUM TABLE of both tables equal on source and MySQL target after (a) and "
                + "after (b); row counts equal on PostgreSQL after (c); verify exited 0 with 0 missing, extra and different.");
        stdout.printf("Load average (1 min) at start %s; at each round's start %s; at the end %s%n", startLoad.split(" ")[0],
                String.join(", ", roundLoads), ReplicationBench.loadAverage().split(" ")[0]);

        stdout.println();
        stdout.println("Samples (round 1, 2, ...):");
        for (var f : FIGURES.entrySet()) {
            List<Double> s = samples.getOrDefault(f.getKey(), List.of());
            if (s.isEmpty()) continue;
            stdout.printf("  %-28s %s%n", f.getKey(), String.join("  ", s.stream().map(v -> format(v, f.getValue()[1])).toList()));
        }

        stdout.println();
        for (var f : FIGURES.entrySet()) {
            List<Double> s = samples.getOrDefault(f.getKey(), List.of());
            if (s.isEmpty()) continue;
            stdout.printf(Locale.ROOT, "BENCH figure=%s unit=%s median=%s samples=%s rows=%d%n", f.getKey(), f.getValue()[1],
                    ReplicationBench.plain(median(f.getKey())), String.join(",", s.stream().map(ReplicationBench::plain).toList()), rows);
        }
        stdout.printf(Locale.ROOT, "BENCH goal=dump_vs_mysql target=%.2f value=%s result=%s%n", GOAL, ReplicationBench.plain(ratio),
                ratio >= GOAL ? "PASS" : "MISS");
        stdout.flush();
    }
}
