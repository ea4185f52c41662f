package io.aqueduct.bench;

import io.aqueduct.testkit.MariaDbServer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Measures Aqueduct's MySQL capture and MySQL→MySQL apply against what the servers and the C binlog decoder do on
 * the same data, on throwaway MariaDB servers. See {@link #usage()} for the options; bench/run builds and starts it.
 *
 * <p>The workload is written on the source as multi-row INSERTs, one transaction per statement: first the narrow
 * sysbench table, then the wide table, each in its own binlog file(s), so every figure exists per table and for both.
 * Aqueduct runs in child JVMs ({@link AqueductChild}) so that their heap and RSS are its own.
 */
public final class ReplicationBench {
    private static final double C_DECODER_BEFORE = 1_400_000;
    private static final double INSERT_BEFORE = 100_000;
    private static final double GOAL = 0.5;

    private long rows = 1_000_000;
    private double narrowShare = 0.8;
    private int txRows = 1000;
    private int repeats = 3;
    private int lanes = 4;
    private int batchRows = 2000;
    private String xmx = "1g";
    /** More options for the Aqueduct JVMs; as ./aqueduct runs the jar unless --java-opts says otherwise. */
    private String javaOpts = launcherJavaOpts();
    private boolean profile;
    private Path out = Path.of("target/bench-out");

    private long narrowRows;
    private long wideRows;
    private long timeoutSeconds;
    private final PrintStream stdout = System.out;
    private final List<String> notes = new ArrayList<>();

    /** The figures in display order: key → {label, unit}. Ratios are per round (paired samples), then the median. */
    private static final Map<String, String[]> FIGURES = new LinkedHashMap<>();

    static {
        figure("capture_rows_per_s", "(a) capture → discarding sink", "rows/s");
        figure("c_decoder_rows_per_s", "(b) C decoder: mariadb-binlog -v", "rows/s");
        figure("capture_vs_c_decoder", "    capture ÷ C decoder (rows/s)", "ratio");
        figure("raw_stream_seconds", "(b) raw stream: mariadb-binlog --raw", "s");
        figure("raw_stream_mb_per_s", "    raw stream throughput", "MB/s");
        figure("capture_seconds", "    capture time", "s");
        figure("capture_time_vs_raw_stream", "    capture time ÷ raw stream time", "x");
        figure("apply_rows_per_s", "(c) end-to-end apply MySQL→MySQL", "rows/s");
        figure("insert_rows_per_s", "(d) target's own multi-row INSERT", "rows/s");
        figure("apply_vs_insert", "    apply ÷ INSERT (rows/s)", "ratio");
        figure("capture_heap_peak_mib", "(e) capture: peak heap used", "MiB");
        figure("capture_heap_after_gc_peak_mib", "    capture: peak heap after a GC", "MiB");
        figure("capture_rss_peak_mib", "    capture: peak RSS (VmHWM)", "MiB");
        figure("capture_gc_ms", "    capture: GC time", "ms");
        figure("capture_cpu_cores", "    capture: CPU used (JVM)", "cores");
        figure("apply_heap_peak_mib", "    apply: peak heap used", "MiB");
        figure("apply_heap_after_gc_peak_mib", "    apply: peak heap after a GC", "MiB");
        figure("apply_rss_peak_mib", "    apply: peak RSS (VmHWM)", "MiB");
        figure("apply_gc_ms", "    apply: GC time", "ms");
        figure("apply_cpu_cores", "    apply: CPU used (JVM)", "cores");
    }

    private static void figure(String key, String label, String unit) {
        FIGURES.put(key, new String[] {label, unit});
    }

    private static final List<String> TABLES = List.of("narrow", "wide", "total");

    /** Samples by "key/table". */
    private final Map<String, List<Double>> samples = new LinkedHashMap<>();

    private record BinlogFile(String name, long size) {}

    private record Pos(String file, long offset) {}

    public static void main(String[] args) {
        ReplicationBench b = new ReplicationBench();
        launch(args, usage(), b::parse, () -> {
            b.run();
            return null;
        });
    }

    /** A bench's entry point: --help, then its options (exit 2 with the usage when wrong), then the run (exit 1 on failure). */
    static void launch(String[] args, String usage, java.util.function.Consumer<String[]> parse,
                       java.util.concurrent.Callable<?> run) {
        if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
            System.out.println(usage);
            System.exit(0);
        }
        try {
            parse.accept(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage() + "\n\n" + usage);
            System.exit(2);
        }
        try {
            run.call();
        } catch (Exception e) {
            System.err.println("bench failed: " + e);
            e.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }

    static String usage() {
        return """
                usage: bench/run [options]
                  --rows N          rows in the workload, narrow + wide (default 1000000)
                  --narrow-share F  share of the rows in the narrow sysbench table (default 0.8; the rest go to the wide table)
                  --tx-rows N       rows per INSERT statement and transaction (default 1000)
                  --repeats N       samples per figure; the median is reported (default 3)
                  --lanes N         apply.lanes of the end-to-end job (default 4)
                  --batch-rows N    apply.batch-rows of the jobs (default 2000)
                  --xmx SIZE        -Xmx of the Aqueduct JVMs (default 1g)
                  --java-opts "..." more options for the Aqueduct JVMs (default: those ./aqueduct uses, from
                                    scripts/java-opts; "" for the JVM's own defaults)
                  --profile         record JFR in the Aqueduct JVMs and print where CPU and allocations went
                  --out DIR         logs, job files and recordings (default target/bench-out)""";
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
                    case "--repeats" -> repeats = Integer.parseInt(v);
                    case "--lanes" -> lanes = Integer.parseInt(v);
                    case "--batch-rows" -> batchRows = Integer.parseInt(v);
                    case "--xmx" -> xmx = v;
                    case "--java-opts" -> javaOpts = v;
                    case "--out" -> out = Path.of(v);
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(a + ": '" + v + "' is not a number");
            }
        }
        if (rows < 2 || narrowShare <= 0 || narrowShare >= 1 || txRows < 1 || repeats < 1 || lanes < 1 || batchRows < 1) {
            throw new IllegalArgumentException("--rows must be at least 2, --narrow-share between 0 and 1, the others at least 1");
        }
        narrowRows = Math.max(1, Math.round(rows * narrowShare));
        wideRows = rows - narrowRows;
        if (wideRows < 1) throw new IllegalArgumentException("--narrow-share leaves no wide rows");
        timeoutSeconds = 120 + rows / 5000;
    }

    private void run() throws Exception {
        long benchStart = System.nanoTime();
        deleteRecursively(out);
        Files.createDirectories(out);
        progress("starting the source and target MariaDB servers");
        // one after the other: two mariadb-install-db runs at once can collide on temp tables in the shared /tmp
        try (MariaDbServer source = MariaDbServer.start(1); MariaDbServer target = MariaDbServer.start(2)) {
            try (Connection s = source.connect(null); Connection t = target.connect(null)) {
                Workload.create(s);
                Workload.create(t); // the tables predate the start position, so the target gets them here
            }

            // ---- the workload, narrow then wide, each in its own binlog file(s) ----
            Pos start = flushLogs(source);
            progress(String.format(Locale.ROOT, "writing %,d narrow rows on the source", narrowRows));
            long genNarrow = generate(source, Workload.NARROW, narrowRows, false)[0];
            Pos mid = flushLogs(source);
            progress(String.format(Locale.ROOT, "writing %,d wide rows on the source", wideRows));
            long genWide = generate(source, Workload.WIDE, wideRows, false)[0];
            Pos end = flushLogs(source);
            List<BinlogFile> logs = binaryLogs(source);
            List<BinlogFile> narrowFiles = between(logs, start.file(), mid.file());
            List<BinlogFile> wideFiles = between(logs, mid.file(), end.file());
            List<BinlogFile> allFiles = between(logs, start.file(), end.file());
            long binlogBytes = allFiles.stream().mapToLong(BinlogFile::size).sum();
            header(source, start, narrowFiles, wideFiles, genNarrow, genWide);

            // ---- (b) and (a) back to back in each round, so that a pair sees the same load on a shared machine ----
            Map<Path, long[]> captureJfr = new LinkedHashMap<>();
            for (int i = 1; i <= repeats; i++) {
                progress("round " + i + "/" + repeats + ": C decoder (mariadb-binlog --base64-output=decode-rows -v)");
                double cn = mariadbBinlog(source, names(narrowFiles), null, "c-decoder-narrow-" + i);
                double cw = mariadbBinlog(source, names(wideFiles), null, "c-decoder-wide-" + i);
                sample("c_decoder_rows_per_s", narrowRows / cn, wideRows / cw, rows / (cn + cw));

                progress("round " + i + "/" + repeats + ": raw binlog stream (mariadb-binlog --raw)");
                Path rawDir = Files.createTempDirectory("aqueduct-bench-raw-");
                double raw;
                try {
                    raw = mariadbBinlog(source, names(allFiles), rawDir, "raw-" + i);
                    long got = sizeOf(rawDir);
                    if (got != binlogBytes) throw new IllegalStateException("raw stream wrote " + got + " bytes, expected " + binlogBytes);
                } finally {
                    deleteRecursively(rawDir);
                }
                sample("raw_stream_seconds", "total", raw);
                sample("raw_stream_mb_per_s", "total", binlogBytes / 1e6 / raw);

                progress("round " + i + "/" + repeats + ": capture into a discarding sink");
                Path job = writeJob("capture-" + i, source, target, 6100 + i, start, 1);
                Map<String, String> r = child("capture", job, "capture-" + i, captureJfr);
                double e = seconds(r.get("elapsed_ns"));
                double n = seconds(r.get("narrow_ns"));
                sample("capture_rows_per_s", narrowRows / n, wideRows / (e - n), rows / e);
                sample("capture_vs_c_decoder", cn / n, cw / (e - n), (cn + cw) / e);
                sample("capture_seconds", "total", e);
                sample("capture_time_vs_raw_stream", "total", e / raw);
                memory("capture", r);
            }

            // ---- (c) and (d) back to back in each round ----
            Map<Path, long[]> applyJfr = new LinkedHashMap<>();
            double buildShare = 0;
            for (int i = 1; i <= repeats; i++) {
                truncateTarget(target);
                progress("round " + i + "/" + repeats + ": end-to-end apply into the target (lanes " + lanes + ", batch-rows " + batchRows + ")");
                Path job = writeJob("apply-" + i, source, target, 6200 + i, start, lanes);
                Map<String, String> r = child("apply", job, "apply-" + i, applyJfr);
                double e = seconds(r.get("elapsed_ns"));
                double n = seconds(r.get("narrow_ns"));
                sample("apply_rows_per_s", narrowRows / n, wideRows / (e - n), rows / e);
                memory("apply", r);
                verifyCounts(target);
                if (i == repeats) verifyChecksums(source, target);

                truncateTarget(target);
                progress(String.format(Locale.ROOT, "round %d/%d: %,d-row multi-row INSERTs into the empty target", i, repeats, txRows));
                long[] in = generate(target, Workload.NARROW, narrowRows, true);
                long[] iw = generate(target, Workload.WIDE, wideRows, true);
                verifyCounts(target);
                double sn = in[0] / 1e9;
                double sw = iw[0] / 1e9;
                sample("insert_rows_per_s", narrowRows / sn, wideRows / sw, rows / (sn + sw));
                sample("apply_vs_insert", sn / n, sw / (e - n), (sn + sw) / e);
                buildShare = Math.max(buildShare, (double) (in[1] + iw[1]) / (in[0] + iw[0]));
            }
            notes.add(String.format(Locale.ROOT, "(d) includes building the SQL text in the bench: at most %.1f%% of its time.", 100 * buildShare));
            report();

            if (profile) {
                JfrTop.read(captureJfr).print(stdout, "Profile of capture (" + captureJfr.size() + " JFR recordings, measured interval only)", 25);
                JfrTop.read(applyJfr).print(stdout, "Profile of end-to-end apply (" + applyJfr.size() + " JFR recordings, measured interval only)", 25);
            }
        }
        stdout.printf(Locale.ROOT, "%nBench finished in %.0f s; logs, job files and recordings in %s%n",
                (System.nanoTime() - benchStart) / 1e9, out.toAbsolutePath());
    }

    /** The memory figures an Aqueduct JVM reported. */
    private void memory(String mode, Map<String, String> r) {
        sample(mode + "_heap_peak_mib", "total", Double.parseDouble(r.get("heap_peak_mib")));
        sample(mode + "_heap_after_gc_peak_mib", "total", Double.parseDouble(r.get("heap_after_gc_peak_mib")));
        sample(mode + "_rss_peak_mib", "total", Double.parseDouble(r.get("vmhwm_mib")));
        sample(mode + "_gc_ms", "total", Double.parseDouble(r.get("gc_ms")));
        sample(mode + "_cpu_cores", "total", Double.parseDouble(r.get("cpu_cores")));
    }

    // ---- workload ------------------------------------------------------------------------------------------------

    /**
     * Inserts ids 1..count in statements of {@link #txRows} rows: on the source in one transaction each, on the
     * target (figure d) with autocommit. Returns the elapsed nanoseconds and those spent building the SQL text.
     */
    private long[] generate(MariaDbServer server, String table, long count, boolean autocommit) throws SQLException {
        long build = 0;
        long t0 = System.nanoTime();
        try (Connection c = server.connect(null); Statement st = c.createStatement()) {
            c.setAutoCommit(autocommit);
            for (long id = 1; id <= count; id += txRows) {
                long b = System.nanoTime();
                String sql = Workload.insert(table, id, Math.min(id + txRows, count + 1));
                build += System.nanoTime() - b;
                st.executeUpdate(sql);
                if (!autocommit) c.commit();
            }
        }
        return new long[] {System.nanoTime() - t0, build};
    }

    private static Pos flushLogs(MariaDbServer s) throws SQLException {
        try (Connection c = s.connect(null); Statement st = c.createStatement()) {
            st.execute("FLUSH BINARY LOGS");
            try (ResultSet rs = st.executeQuery("SHOW MASTER STATUS")) {
                if (!rs.next()) throw new IllegalStateException("the source does not write a binlog");
                return new Pos(rs.getString(1), rs.getLong(2));
            }
        }
    }

    private static List<BinlogFile> binaryLogs(MariaDbServer s) throws SQLException {
        List<BinlogFile> logs = new ArrayList<>();
        try (Connection c = s.connect(null); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW BINARY LOGS")) {
            while (rs.next()) logs.add(new BinlogFile(rs.getString(1), rs.getLong(2)));
        }
        return logs;
    }

    /** The files from {@code first} (inclusive) to {@code stop} (exclusive); names sort by their sequence number. */
    private static List<BinlogFile> between(List<BinlogFile> logs, String first, String stop) {
        return logs.stream().filter(f -> f.name().compareTo(first) >= 0 && f.name().compareTo(stop) < 0).toList();
    }

    private static List<String> names(List<BinlogFile> files) {
        return files.stream().map(BinlogFile::name).toList();
    }

    private static void truncateTarget(MariaDbServer target) {
        target.execute(null, "TRUNCATE TABLE bench.sbtest1", "TRUNCATE TABLE bench.wide");
    }

    private void verifyCounts(MariaDbServer target) {
        long n = ((Number) target.query(null, "SELECT COUNT(*) FROM bench.sbtest1").get(0).get(0)).longValue();
        long w = ((Number) target.query(null, "SELECT COUNT(*) FROM bench.wide").get(0).get(0)).longValue();
        if (n != narrowRows || w != wideRows) {
            throw new IllegalStateException("the target holds " + n + " narrow and " + w + " wide rows, expected "
                    + narrowRows + " and " + wideRows);
        }
    }

    private void verifyChecksums(MariaDbServer source, MariaDbServer target) {
        for (String t : List.of("bench.sbtest1", "bench.wide")) {
            Object a = source.query(null, "CHECKSUM TABLE " + t).get(0).get(1);
            Object b = target.query(null, "CHECKSUM TABLE " + t).get(0).get(1);
            notes.add("(c) CHECKSUM TABLE " + t + ": source " + a + ", target " + b + (String.valueOf(a).equals(String.valueOf(b))
                    ? " (same)" : " — DIFFERENT: the replica's rows do not equal the source's"));
        }
    }

    // ---- external processes --------------------------------------------------------------------------------------

    /** Runs mariadb-binlog on the files, decoding rows to /dev/null or (rawDir set) copying them raw; returns seconds. */
    private double mariadbBinlog(MariaDbServer source, List<String> files, Path rawDir, String tag) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("mariadb-binlog", "--no-defaults", "--read-from-remote-server",
                "--host=127.0.0.1", "--port=" + source.port(), "--user=root"));
        if (rawDir == null) {
            cmd.addAll(List.of("--base64-output=decode-rows", "-v"));
        } else {
            cmd.addAll(List.of("--raw", "--result-file=" + rawDir + "/"));
        }
        cmd.addAll(files);
        Path log = out.resolve(tag + ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        long t0 = System.nanoTime();
        Process p = pb.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", cmd) + " did not finish in " + timeoutSeconds + " s");
        }
        double elapsed = (System.nanoTime() - t0) / 1e9;
        if (p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " exited with " + p.exitValue() + ": " + Files.readString(log));
        }
        return elapsed;
    }

    /**
     * Runs a bench child JVM ({@code cmd}), its output in {@code out/tag.out} and its log in {@code out/tag.log}, and
     * returns the {@code RESULT key=value} lines it printed; fails naming the log when it fails or reports no
     * {@code elapsed_ns}.
     */
    static Map<String, String> runChild(List<String> cmd, Path out, String tag, String mode, long timeoutSeconds) throws Exception {
        Path stdoutFile = out.resolve(tag + ".out");
        Path log = out.resolve(tag + ".log");
        Process p = new ProcessBuilder(cmd).redirectOutput(stdoutFile.toFile()).redirectError(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        if (!p.waitFor(timeoutSeconds + 60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(mode + " JVM did not finish in " + (timeoutSeconds + 60) + " s; see " + log);
        }
        Map<String, String> r = new LinkedHashMap<>();
        for (String line : Files.readAllLines(stdoutFile, StandardCharsets.UTF_8)) {
            if (!line.startsWith("RESULT ")) continue;
            int eq = line.indexOf('=');
            r.put(line.substring(7, eq), line.substring(eq + 1));
        }
        if (p.exitValue() != 0 || r.containsKey("error") || !r.containsKey("elapsed_ns")) {
            throw new IllegalStateException(mode + " JVM failed (exit " + p.exitValue() + "): " + r.getOrDefault("error", "")
                    + "\n--- " + log + " (tail) ---\n" + tail(log, 40));
        }
        return r;
    }

    /** Runs {@link AqueductChild} in a new JVM with the bench's classpath and returns its RESULT figures. */
    private Map<String, String> child(String mode, Path job, String tag, Map<Path, long[]> recordings) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> cmd = new ArrayList<>(List.of(java.toString(), "-Xmx" + xmx));
        cmd.addAll(jvmArgs(javaOpts));
        Path jfr = out.resolve(tag + ".jfr").toAbsolutePath();
        if (profile) cmd.add("-XX:StartFlightRecording=filename=" + jfr + ",settings=profile,jdk.ExecutionSample#period=2ms,dumponexit=true");
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), AqueductChild.class.getName(), mode,
                job.toString(), Long.toString(narrowRows), Long.toString(rows), Long.toString(timeoutSeconds)));
        Map<String, String> r = runChild(cmd, out, tag, mode, timeoutSeconds);
        if (profile) {
            String[] w = r.get("window_ms").split("-");
            recordings.put(jfr, new long[] {Long.parseLong(w[0]), Long.parseLong(w[1])});
        }
        return r;
    }

    private Path writeJob(String name, MariaDbServer source, MariaDbServer target, long serverId, Pos start, int jobLanes)
            throws IOException {
        String yaml = """
                name: bench-%s
                source:
                  type: mysql
                  host: 127.0.0.1
                  port: %d
                  user: root
                  password: ""
                  server-id: %d
                  start: {file: %s, position: %d}
                tables:
                  include: ['bench\\..*']
                target:
                  type: mysql
                  host: 127.0.0.1
                  port: %d
                  user: root
                  password: ""
                mode: incremental
                state: ./state-%s
                apply:
                  lanes: %d
                  batch-rows: %d
                status-interval: 2
                """.formatted(name, source.port(), serverId, start.file(), start.offset(), target.port(), name, jobLanes, batchRows);
        Path file = out.resolve(name + ".yaml");
        Files.writeString(file, yaml);
        return file.toAbsolutePath();
    }

    // ---- report --------------------------------------------------------------------------------------------------

    private void header(MariaDbServer source, Pos start, List<BinlogFile> narrowFiles, List<BinlogFile> wideFiles,
                        long genNarrow, long genWide) {
        String version = String.valueOf(source.query(null, "SELECT VERSION()").get(0).get(0));
        stdout.println("Aqueduct replication bench");
        stdout.printf(Locale.ROOT, "  workload : %,d rows = %,d narrow (bench.sbtest1, 4 columns, sysbench-like) + %,d wide "
                        + "(bench.wide, %d columns, many types)%n", rows, narrowRows, wideRows, Workload.WIDE_COLUMNS);
        stdout.printf(Locale.ROOT, "             written as %,d-row multi-row INSERTs, one transaction each; narrow first, then wide, "
                + "each in its own binlog file(s)%n", txRows);
        stdout.printf(Locale.ROOT, "  source   : narrow %s, wide %s; start position %s:%d%n", describe(narrowFiles),
                describe(wideFiles), start.file(), start.offset());
        stdout.printf(Locale.ROOT, "             written at %,.0f narrow rows/s and %,.0f wide rows/s%n",
                narrowRows / (genNarrow / 1e9), wideRows / (genWide / 1e9));
        stdout.printf(Locale.ROOT, "  machine  : %d CPUs, load %s; MariaDB %s (source and target on this machine); Java %s%n",
                Runtime.getRuntime().availableProcessors(), loadAverage(), version, System.getProperty("java.version"));
        stdout.printf(Locale.ROOT, "  Aqueduct : own JVM per sample, -Xmx%s%s; capture: 1 discarding lane; apply: lanes %d, batch-rows %d%n",
                xmx, javaOpts.isBlank() ? "" : " " + javaOpts.trim(), lanes, batchRows);
        stdout.printf(Locale.ROOT, "  samples  : %d per figure, median shown; all samples listed below%n", repeats);
        stdout.flush();
    }

    private static String describe(List<BinlogFile> files) {
        return String.join("+", names(files)) + String.format(Locale.ROOT, " (%.1f MB)",
                files.stream().mapToLong(BinlogFile::size).sum() / 1e6);
    }

    private void sample(String key, double narrow, double wide, double total) {
        sample(key, "narrow", narrow);
        sample(key, "wide", wide);
        sample(key, "total", total);
    }

    private void sample(String key, String table, double value) {
        if (!FIGURES.containsKey(key)) throw new IllegalArgumentException("no figure " + key);
        samples.computeIfAbsent(key + "/" + table, k -> new ArrayList<>()).add(value);
    }

    private List<Double> samples(String key, String table) {
        return samples.getOrDefault(key + "/" + table, List.of());
    }

    /** The median, or for memory figures the largest sample. */
    private double value(String key, String table) {
        List<Double> s = samples(key, table).stream().sorted().toList();
        if (s.isEmpty()) return Double.NaN;
        if (key.endsWith("_mib")) return s.get(s.size() - 1);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    private void report() {
        stdout.println();
        stdout.printf("%-40s %12s %12s %12s  %s%n", "figure (median of " + repeats + ")", "narrow", "wide", "total", "unit");
        stdout.println("-".repeat(40 + 3 * 13 + 8));
        for (var f : FIGURES.entrySet()) {
            String key = f.getKey();
            String unit = f.getValue()[1];
            StringBuilder line = new StringBuilder(String.format("%-40s", f.getValue()[0]));
            for (String t : TABLES) {
                line.append(String.format(" %12s", samples(key, t).isEmpty() ? "" : format(value(key, t), unit)));
            }
            line.append("  ").append(unit).append(key.endsWith("_mib") ? " (largest sample)" : "");
            stdout.println(line);
        }

        stdout.println();
        stdout.println("Goals (the bench does not fail on them; ratios are medians of per-round ratios):");
        for (String t : TABLES) goal("capture ≥ 50% of the C decoder", t, value("capture_vs_c_decoder", t));
        for (String t : TABLES) goal("end-to-end apply ≥ 50% of the target's INSERT", t, value("apply_vs_insert", t));
        stdout.printf(Locale.ROOT, "  for orientation, measured here before: C decoder ~%,.0f rows/s on the narrow table (this run %,.0f; "
                + "capture is %.0f%% of %,.0f)%n", C_DECODER_BEFORE, value("c_decoder_rows_per_s", "narrow"),
                100 * value("capture_rows_per_s", "narrow") / C_DECODER_BEFORE, C_DECODER_BEFORE);
        stdout.printf(Locale.ROOT, "                                        multi-row INSERT ~%,.0f rows/s (this run %,.0f total; "
                + "apply is %.0f%% of %,.0f)%n", INSERT_BEFORE, value("insert_rows_per_s", "total"),
                100 * value("apply_rows_per_s", "total") / INSERT_BEFORE, INSERT_BEFORE);
        for (String n : notes) stdout.println("  " + n);

        stdout.println();
        stdout.println("Samples (round 1, 2, ...):");
        for (var f : FIGURES.entrySet()) {
            for (String t : TABLES) {
                List<Double> s = samples(f.getKey(), t);
                if (s.isEmpty()) continue;
                stdout.printf("  %-32s %-6s %s%n", f.getKey(), t,
                        String.join("  ", s.stream().map(v -> format(v, f.getValue()[1])).toList()));
            }
        }

        stdout.println();
        for (var f : FIGURES.entrySet()) {
            for (String t : TABLES) {
                List<Double> s = samples(f.getKey(), t);
                if (s.isEmpty()) continue;
                stdout.printf(Locale.ROOT, "BENCH figure=%s table=%s unit=%s %s=%s samples=%s rows=%d%n", f.getKey(), t,
                        f.getValue()[1], f.getKey().endsWith("_mib") ? "max" : "median", plain(value(f.getKey(), t)),
                        String.join(",", s.stream().map(ReplicationBench::plain).toList()), rows);
            }
        }
        for (String goal : List.of("capture_vs_c_decoder", "apply_vs_insert")) {
            for (String t : TABLES) {
                double v = value(goal, t);
                stdout.printf(Locale.ROOT, "BENCH goal=%s table=%s target=%.2f value=%s result=%s%n", goal, t, GOAL, plain(v),
                        v >= GOAL ? "PASS" : "MISS");
            }
        }
        stdout.flush();
    }

    private void goal(String what, String table, double ratio) {
        stdout.printf(Locale.ROOT, "  %-4s %-48s %-6s %5.1f%%%n", ratio >= GOAL ? "PASS" : "MISS", what, table, 100 * ratio);
    }

    static String format(double v, String unit) {
        return switch (unit) {
            case "rows/s" -> String.format(Locale.ROOT, "%,.0f", v);
            case "ratio" -> String.format(Locale.ROOT, "%.1f%%", 100 * v);
            case "x" -> String.format(Locale.ROOT, "%.1fx", v);
            case "s", "cores" -> String.format(Locale.ROOT, "%.2f", v);
            default -> String.format(Locale.ROOT, "%,.1f", v);
        };
    }

    static String plain(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : String.format(Locale.ROOT, "%.4f", v);
    }

    // ---- small helpers -------------------------------------------------------------------------------------------

    private static double seconds(String nanos) {
        return Long.parseLong(nanos) / 1e9;
    }

    /** The JVM options ./aqueduct runs the jar with when AQUEDUCT_JAVA_OPTS is unset (scripts/java-opts; from bench/). */
    static String launcherJavaOpts() {
        try {
            Process p = new ProcessBuilder("../scripts/java-opts").redirectErrorStream(true).start();
            String opts = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
            if (p.waitFor() != 0) throw new IllegalStateException("../scripts/java-opts failed: " + opts);
            return opts;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot run ../scripts/java-opts (the benches run from bench/)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** JVM options given as one string (as {@code --java-opts} and scripts/java-opts give them), as arguments. */
    static List<String> jvmArgs(String opts) {
        return opts.isBlank() ? List.of() : List.of(opts.trim().split("\\s+"));
    }

    static void progress(String what) {
        System.err.println("[" + LocalTime.now().withNano(0) + "] " + what);
    }

    static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException e) {
            return "?";
        }
    }

    private static long sizeOf(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            long n = 0;
            for (Path p : files.filter(Files::isRegularFile).toList()) n += Files.size(p);
            return n;
        }
    }

    static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) return;
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(cannot read " + file + ")";
        }
    }
}
