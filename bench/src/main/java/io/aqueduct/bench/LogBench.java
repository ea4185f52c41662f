package io.aqueduct.bench;

import io.aqueduct.cli.Jobs;
import io.aqueduct.core.config.JobConfig;
import io.aqueduct.core.config.JobConfigLoader;
import io.aqueduct.core.model.Change;
import io.aqueduct.core.model.RowChange;
import io.aqueduct.core.model.Transaction;
import io.aqueduct.core.pipeline.Pipeline;
import io.aqueduct.core.pipeline.Sink;
import io.aqueduct.core.pipeline.TransactionQueue;
import io.aqueduct.log.Codec;
import io.aqueduct.log.Compressor;
import io.aqueduct.log.FsyncPolicy;
import io.aqueduct.log.LogInspector;
import io.aqueduct.log.LogReader;
import io.aqueduct.log.LogSourcePosition;
import io.aqueduct.log.LogWriter;
import io.aqueduct.log.LogWriterOptions;
import io.aqueduct.log.RelayMirror;
import io.aqueduct.log.RelayServer;
import io.aqueduct.log.RelaySource;
import io.aqueduct.log.TransactionCodec;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * Relay log bench, on rows captured from a real MariaDB binlog (the replication bench's {@link Workload} tables, written
 * as 1-, 10- and 100-row transactions). See {@link #usage()}; bench/relay builds and starts it.
 *
 * <ol>
 *   <li><b>compression</b>: the binlog is captured in this JVM and written by a {@link LogWriter} per codec (LZ4, zstd),
 *       in blocks (the default) and one transaction per record. The ratio is read from the records (raw ÷ compressed
 *       payload length), per transaction size; speeds are MB of raw payload per second, compressing and decompressing
 *       the blocks the writer made ({@link LogInspector#payload}) with the log's own compressor, and encoding and
 *       decoding each transaction alone with the {@link TransactionCodec}.</li>
 *   <li><b>capture</b>: the capture job's cost of writing the log: the same binlog captured by the MySQL source into a
 *       discarding sink and into the relay log ({@code Jobs.sink} of a {@code target: {type: log}} job: LZ4, 128 MB
 *       segments, fsync batch), each in its own JVM, back to back in every round.</li>
 * </ol>
 * Sections are independent and run in that order; see {@link #run()} for where the next one goes.
 */
public final class LogBench {
    private static final double PRODUCTION_RATIO = 2.0;
    private static final List<String> SECTIONS = List.of("compression", "capture", "transfer");
    private static final List<Codec> CODECS = List.of(Codec.LZ4, Codec.ZSTD);

    private long narrowRows = 200_000;
    private long wideRows = 50_000;
    private long ordersRows = 100_000;
    private int[] txSizes = {1, 10, 100};
    private int repeats = 3;
    private String xmx = "1g";
    /** apply.batch-rows of the capture jobs; 0 leaves the job default. */
    private int batchRows;
    /** target.block-size of the capture jobs; -1 leaves the job default. */
    private long blockBytes = -1;
    private Set<String> sections = new LinkedHashSet<>(SECTIONS);
    private Path out = Path.of("target/log-bench-out");

    private final PrintStream stdout = System.out;
    private final List<Phase> phases = new ArrayList<>();
    private long timeoutSeconds;

    /** One stretch of the binlog: {@code rows} rows of one table, written as {@code txRows}-row transactions. */
    private record Phase(String table, int txRows, long firstId, long rows) {
        long txs() {
            return rows / txRows;
        }

        String label() {
            return name() + " " + txRows + "-row";
        }

        String key() {
            return name() + "-" + txRows;
        }

        private String name() {
            return table.equals(Workload.NARROW) ? "narrow" : table;
        }
    }

    private record Pos(String file, long offset) {}

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("child")) {
            Child.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        LogBench b = new LogBench();
        ReplicationBench.launch(args, usage(), b::parse, () -> {
            b.run();
            return null;
        });
    }

    static String usage() {
        return """
                usage: bench/relay [options]
                  --narrow-rows N   rows of the narrow sysbench table (default 200000)
                  --wide-rows N     rows of the 17-column wide table (default 50000)
                  --orders-rows N   rows of the 14-column web-shop orders table (default 100000)
                  --tx-sizes LIST   rows per transaction; each table's rows are split evenly among them (default 1,10,100)
                  --repeats N       rounds; medians are reported (default 3)
                  --sections LIST   which sections to run, of compression,capture,transfer (default all; transfer
                                    serves the log the capture section wrote, so it needs capture)
                  --xmx SIZE        -Xmx of the capture JVMs (default 1g)
                  --batch-rows N    apply.batch-rows of the capture jobs: rows per LogSink batch and sync (default: the job default, 2000)
                  --block-bytes N   target.block-size of the capture jobs, 0 for a record per transaction (default: the job default, 64 KiB)
                  --out DIR         logs, job files and relay logs (default target/log-bench-out)""";
    }

    private void parse(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (i + 1 >= args.length) throw new IllegalArgumentException(a + " needs a value");
            String v = args[++i];
            try {
                switch (a) {
                    case "--narrow-rows" -> narrowRows = Long.parseLong(v.replace("_", "").replace(",", ""));
                    case "--wide-rows" -> wideRows = Long.parseLong(v.replace("_", "").replace(",", ""));
                    case "--orders-rows" -> ordersRows = Long.parseLong(v.replace("_", "").replace(",", ""));
                    case "--tx-sizes" -> txSizes = Stream.of(v.split(",")).mapToInt(s -> Integer.parseInt(s.trim())).toArray();
                    case "--repeats" -> repeats = Integer.parseInt(v);
                    case "--sections" -> {
                        sections = new LinkedHashSet<>(List.of(v.split(",")));
                        if (!SECTIONS.containsAll(sections)) throw new IllegalArgumentException("--sections: one or more of " + SECTIONS);
                        if (sections.contains("transfer") && !sections.contains("capture")) {
                            throw new IllegalArgumentException("--sections: transfer serves the log that capture writes; add capture");
                        }
                    }
                    case "--xmx" -> xmx = v;
                    case "--batch-rows" -> batchRows = Integer.parseInt(v);
                    case "--block-bytes" -> {
                        blockBytes = Long.parseLong(v);
                        if (blockBytes < 0) throw new IllegalArgumentException("--block-bytes must be 0 or more");
                    }
                    case "--out" -> out = Path.of(v);
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(a + ": '" + v + "' is not a number (list)");
            }
        }
        if (narrowRows < 0 || wideRows < 0 || ordersRows < 0 || narrowRows + wideRows + ordersRows < 1 || repeats < 1 || txSizes.length == 0
                || batchRows < 0 || Arrays.stream(txSizes).anyMatch(s -> s < 1) || Arrays.stream(txSizes).distinct().count() != txSizes.length) {
            throw new IllegalArgumentException("rows must not be negative (and not all 0), --repeats at least 1, "
                    + "--tx-sizes distinct positive numbers");
        }
        for (String table : List.of(Workload.NARROW, Workload.WIDE, Workload.ORDERS)) {
            long tableRows = table.equals(Workload.NARROW) ? narrowRows : table.equals(Workload.WIDE) ? wideRows : ordersRows;
            long id = 1;
            for (int size : txSizes) {
                long n = tableRows / txSizes.length / size * size; // whole transactions only
                if (n == 0) continue;
                phases.add(new Phase(table, size, id, n));
                id += n;
            }
        }
        if (phases.isEmpty()) throw new IllegalArgumentException("too few rows for the transaction sizes");
        timeoutSeconds = 120 + totalRows() / 2000;
    }

    private long totalRows() {
        return phases.stream().mapToLong(Phase::rows).sum();
    }

    private long totalTxs() {
        return phases.stream().mapToLong(Phase::txs).sum();
    }

    private void run() throws Exception {
        long benchStart = System.nanoTime();
        ReplicationBench.deleteRecursively(out);
        Files.createDirectories(out);
        ReplicationBench.progress("starting the source MariaDB server");
        try (MariaDbServer source = MariaDbServer.start(1)) {
            try (Connection c = source.connect(null); Statement st = c.createStatement()) {
                Workload.create(c);
                st.execute(Workload.ORDERS_DDL);
            }
            Pos start = flushLogs(source);
            long writeNanos = write(source);
            Pos end = flushLogs(source);
            long binlogBytes = binlogBytes(source, start.file(), end.file());
            header(source, start, binlogBytes, writeNanos);

            if (sections.contains("compression")) compression(source, start);
            Path keptLog = sections.contains("capture") ? captureOverhead(source, start, binlogBytes) : null;

            if (sections.contains("transfer")) transfer(keptLog);
            if (keptLog != null) ReplicationBench.progress("the last capture round's relay log is kept in " + keptLog);
        }
        stdout.printf(Locale.ROOT, "%nBench finished in %.0f s; logs and job files in %s%n",
                (System.nanoTime() - benchStart) / 1e9, out.toAbsolutePath());
    }

    // ---- workload ------------------------------------------------------------------------------------------------

    /** Writes every phase on the source, in order, one autocommit transaction per INSERT; returns the nanoseconds. */
    private long write(MariaDbServer source) throws SQLException {
        long t0 = System.nanoTime();
        try (Connection c = source.connect(null); Statement st = c.createStatement()) {
            c.setAutoCommit(true);
            for (Phase p : phases) {
                ReplicationBench.progress(String.format(Locale.ROOT, "writing %,d %s rows as %,d transactions", p.rows(),
                        p.table(), p.txs()));
                for (long id = p.firstId(); id < p.firstId() + p.rows(); id += p.txRows()) {
                    st.executeUpdate(Workload.insert(p.table(), id, id + p.txRows()));
                }
            }
        }
        return System.nanoTime() - t0;
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

    /** Bytes of the binlog files from {@code first} (inclusive) to {@code stop} (exclusive). */
    private static long binlogBytes(MariaDbServer s, String first, String stop) throws SQLException {
        long n = 0;
        try (Connection c = s.connect(null); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW BINARY LOGS")) {
            while (rs.next()) {
                String name = rs.getString(1);
                if (name.compareTo(first) >= 0 && name.compareTo(stop) < 0) n += rs.getLong(2);
            }
        }
        return n;
    }

    private Path writeJob(String name, MariaDbServer source, long serverId, Pos start, Path logDir) throws IOException {
        String yaml = """
                name: logbench-%s
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
                  type: log
                  path: %s
                mode: incremental
                state: ./state-%s
                status-interval: 5
                """.formatted(name, source.port(), serverId, start.file(), start.offset(), logDir.toAbsolutePath(), name)
                + (batchRows > 0 ? "apply:\n  batch-rows: " + batchRows + "\n" : "");
        if (blockBytes >= 0) yaml = yaml.replace("  type: log\n", "  type: log\n  block-size: " + (blockBytes == 0 ? "0" : blockBytes + "B") + "\n");
        Path file = out.resolve(name + ".yaml");
        Files.writeString(file, yaml);
        return file.toAbsolutePath();
    }

    /** Cumulative row counts at the end of each phase, in binlog order. */
    private long[] phaseEnds() {
        long[] ends = new long[phases.size()];
        long sum = 0;
        for (int i = 0; i < ends.length; i++) ends[i] = sum += phases.get(i).rows();
        return ends;
    }

    // ---- section 1: compression ----------------------------------------------------------------------------------

    private void compression(MariaDbServer source, Pos start) throws Exception {
        ReplicationBench.progress("compression: capturing the binlog in this JVM");
        Path job = writeJob("collect", source, 6300, start, out.resolve("unused-log"));
        List<Transaction> txs = captureInProcess(new JobConfigLoader().load(job));
        int[] phaseOf = classify(txs);

        // payload sizes as the writer records them, per codec, in blocks (the default) and one transaction per record
        Map<String, long[][]> recorded = new LinkedHashMap<>(); // codec/layout -> phase -> {records, raw, compressed, txs}
        Map<Codec, Long> diskBytes = new LinkedHashMap<>();
        // the decompressed payloads of the blocks the writer made, per phase: what the speeds below compress
        List<List<byte[]>> blocks = new ArrayList<>();
        for (int p = 0; p < phases.size(); p++) blocks.add(new ArrayList<>());
        for (Codec codec : CODECS) {
            for (int blockBytes : new int[] {LogWriterOptions.DEFAULT_BLOCK_BYTES, 0}) {
                ReplicationBench.progress("compression: writing the " + txs.size() + " transactions to a " + codec + " log"
                        + (blockBytes == 0 ? ", one per record" : ""));
                Path dir = out.resolve("records-" + codec.name().toLowerCase(Locale.ROOT) + "-" + blockBytes);
                LogWriterOptions options = LogWriterOptions.defaults().withCodec(codec).withFsync(FsyncPolicy.none()).withBlockBytes(blockBytes);
                try (LogWriter w = LogWriter.open(dir, options)) {
                    for (int i = 0; i < txs.size(); i++) w.append(i + 1, txs.get(i));
                }
                long[][] sums = new long[phases.size()][4];
                long[] transactions = {0};
                boolean keepPayloads = codec == CODECS.get(0) && blockBytes > 0;
                try (LogInspector log = LogInspector.open(dir)) {
                    log.walk(1, false, (r, t) -> {
                        if (keepPayloads) blocks.get(phaseOf[(int) r.seqno() - 1]).add(log.payload(r));
                        // a block that straddles two phases counts for the phase of its first transaction
                        long[] p = sums[phaseOf[(int) r.seqno() - 1]];
                        p[0]++;
                        p[1] += r.rawLength();
                        p[2] += r.compressedLength();
                        p[3] += r.count();
                        transactions[0] += r.count();
                        return true;
                    });
                }
                if (transactions[0] != txs.size()) throw new IllegalStateException(dir + " holds " + transactions[0] + " transactions, expected " + txs.size());
                recorded.put(codec + "/" + blockBytes, sums);
                if (blockBytes > 0) diskBytes.put(codec, segmentBytes(dir));
                ReplicationBench.deleteRecursively(dir);
            }
        }

        // speeds: encode and decode each transaction alone; compress and decompress the blocks the writer made, per
        // phase; round 0 warms up
        List<List<Transaction>> byPhase = new ArrayList<>();
        for (int p = 0; p < phases.size(); p++) byPhase.add(new ArrayList<>());
        for (int i = 0; i < txs.size(); i++) byPhase.get(phaseOf[i]).add(txs.get(i));
        txs = null;
        Samples s = new Samples();
        for (int round = 0; round <= repeats; round++) {
            ReplicationBench.progress("compression: " + (round == 0 ? "warm-up round" : "round " + round + "/" + repeats));
            TransactionCodec tc = new TransactionCodec();
            for (int p = 0; p < phases.size(); p++) {
                List<Transaction> list = byPhase.get(p);
                List<byte[]> enc = new ArrayList<>(list.size());
                long raw = 0;
                long t0 = System.nanoTime();
                for (Transaction t : list) {
                    byte[] b = tc.encode(t);
                    raw += b.length;
                    enc.add(b);
                }
                long encodeNanos = System.nanoTime() - t0;
                long t1 = System.nanoTime();
                for (byte[] b : enc) tc.decode(b);
                long decodeNanos = System.nanoTime() - t1;
                if (round > 0) {
                    s.add("encode/" + p, raw / 1e6 / (encodeNanos / 1e9));
                    s.add("decode/" + p, raw / 1e6 / (decodeNanos / 1e9));
                }
            }
            for (Codec codec : CODECS) {
                try (Compressor c = new Compressor(codec)) {
                    for (int p = 0; p < phases.size(); p++) {
                        List<byte[]> raws = blocks.get(p);
                        int maxRaw = raws.stream().mapToInt(b -> b.length).max().orElse(0);
                        byte[] dst = new byte[Math.max(c.maxCompressedLength(maxRaw), maxRaw)];
                        List<byte[]> comp = new ArrayList<>(raws.size());
                        long raw = 0;
                        long packed = 0;
                        long t0 = System.nanoTime();
                        for (byte[] b : raws) {
                            int n = c.compress(b, 0, b.length, dst, 0);
                            comp.add(Arrays.copyOf(dst, n)); // the writer copies into its buffer as well
                            raw += b.length;
                            packed += n;
                        }
                        long compressNanos = System.nanoTime() - t0;
                        long t1 = System.nanoTime();
                        for (int i = 0; i < raws.size(); i++) {
                            byte[] z = comp.get(i);
                            c.decompress(z, 0, z.length, dst, raws.get(i).length);
                        }
                        long decompressNanos = System.nanoTime() - t1;
                        if (round > 0) {
                            String k = codec + "/" + p;
                            s.add("compress/" + k, raw / 1e6 / (compressNanos / 1e9));
                            s.add("decompress/" + k, raw / 1e6 / (decompressNanos / 1e9));
                            s.add("ratio-codec/" + k, (double) raw / packed);
                        }
                    }
                }
            }
        }
        reportCompression(recorded, diskBytes, s);
    }

    /** Captures the whole workload with the real MySQL source and pipeline into memory. */
    private List<Transaction> captureInProcess(JobConfig job) throws Exception {
        PhaseSink sink = new PhaseSink(null, phaseEnds(), true);
        Pipeline pipeline = AqueductChild.pipeline(job, sink);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread runner = AqueductChild.start(pipeline, failure, sink::abort);
        boolean complete = sink.await(TimeUnit.SECONDS.toNanos(timeoutSeconds));
        pipeline.stop();
        runner.join(10_000);
        if (!complete) {
            throw new IllegalStateException("capture got " + sink.rows + " of " + totalRows() + " rows", failure.get());
        }
        return sink.collected;
    }

    /** The phase of each transaction, by its table and row count; fails on one that fits no phase. */
    private int[] classify(List<Transaction> txs) {
        int[] out = new int[txs.size()];
        long[] count = new long[phases.size()];
        for (int i = 0; i < txs.size(); i++) {
            Transaction t = txs.get(i);
            if (!t.isWhole() || t.changes().isEmpty() || !(t.changes().get(0) instanceof RowChange rc)) {
                throw new IllegalStateException("unexpected transaction " + t);
            }
            int phase = -1;
            for (int p = 0; p < phases.size(); p++) {
                if (phases.get(p).table().equals(rc.table().table()) && phases.get(p).txRows() == t.changes().size()) phase = p;
            }
            if (phase < 0) throw new IllegalStateException("a transaction of " + t.changes().size() + " rows of " + rc.table()
                    + " fits no phase");
            out[i] = phase;
            count[phase]++;
        }
        for (int p = 0; p < phases.size(); p++) {
            if (count[p] != phases.get(p).txs()) {
                throw new IllegalStateException(phases.get(p).label() + ": captured " + count[p] + " transactions, wrote " + phases.get(p).txs());
            }
        }
        return out;
    }

    private void reportCompression(Map<String, long[][]> recorded, Map<Codec, Long> diskBytes, Samples s) {
        String blocks = "/" + LogWriterOptions.DEFAULT_BLOCK_BYTES;
        stdout.println();
        stdout.printf("1. Compression of captured transactions (medians of %d rounds)%n", repeats);
        stdout.printf("   the log gathers consecutive transactions into records of up to %d KiB raw (blocks) and compresses%n",
                LogWriterOptions.DEFAULT_BLOCK_BYTES / 1024);
        stdout.println("   each record alone; ratio = raw ÷ compressed payload bytes, summed over the records a LogWriter wrote");
        stdout.println("   ('1 tx/rec': the same with one transaction per record, as before blocks); MB/s = MB of raw payload");
        stdout.println("   per second, compressing / decompressing the blocks the LogWriter made with the log's Compressor");
        stdout.println();
        String head = String.format("   %-16s %-5s %9s %8s %10s %10s %7s %9s %13s %15s", "transactions", "codec", "txs", "records",
                "raw B/tx", "comp B/tx", "ratio", "1 tx/rec", "compress MB/s", "decompress MB/s");
        stdout.println(head);
        stdout.println("   " + "-".repeat(head.length() - 3));
        for (int p = 0; p <= phases.size(); p++) {
            boolean all = p == phases.size();
            for (Codec codec : CODECS) {
                long[] sum = all ? total(recorded.get(codec + blocks)) : recorded.get(codec + blocks)[p];
                long[] single = all ? total(recorded.get(codec + "/0")) : recorded.get(codec + "/0")[p];
                String k = codec + "/" + p;
                stdout.printf(Locale.ROOT, "   %-16s %-5s %,9d %,8d %,10.0f %,10.0f %7.2f %9.2f %,13.0f %,15.0f%n",
                        all ? "all" : phases.get(p).label(), codec.name().toLowerCase(Locale.ROOT), sum[3], sum[0],
                        (double) sum[1] / sum[3], (double) sum[2] / sum[3], (double) sum[1] / sum[2], (double) single[1] / single[2],
                        all ? s.weighted("compress/" + codec, recorded.get(codec + blocks)) : s.median("compress/" + k),
                        all ? s.weighted("decompress/" + codec, recorded.get(codec + blocks)) : s.median("decompress/" + k));
            }
        }
        stdout.println();
        stdout.printf("   %-16s %11s %11s   (TransactionCodec, no compression; MB of payload per second)%n", "transactions",
                "encode MB/s", "decode MB/s");
        for (int p = 0; p < phases.size(); p++) {
            stdout.printf(Locale.ROOT, "   %-16s %,11.0f %,11.0f%n", phases.get(p).label(), s.median("encode/" + p), s.median("decode/" + p));
        }
        stdout.println();
        for (Codec codec : CODECS) {
            long[] sum = total(recorded.get(codec + blocks));
            stdout.printf(Locale.ROOT, "   %s log on disk: %,.1f MB for %,.1f MB of raw payload (segment and record headers included)%n",
                    codec.name().toLowerCase(Locale.ROOT), diskBytes.get(codec) / 1e6, sum[1] / 1e6);
        }
        stdout.printf(Locale.ROOT, "   for orientation: a production relay log compresses about %.1fx%n", PRODUCTION_RATIO);
        // the bench's own compressions should agree with the records' lengths (blocks straddling phases aside)
        for (Codec codec : CODECS) {
            for (int p = 0; p < phases.size(); p++) {
                long[] sum = recorded.get(codec + blocks)[p];
                double fromRecords = (double) sum[1] / sum[2];
                double fromCodec = s.median("ratio-codec/" + codec + "/" + p);
                if (Math.abs(fromCodec / fromRecords - 1) > 0.02) {
                    stdout.printf(Locale.ROOT, "   NOTE %s %s: ratio from the records %.3f, from the timed compressions %.3f%n",
                            codec, phases.get(p).label(), fromRecords, fromCodec);
                }
            }
        }
        for (int p = 0; p <= phases.size(); p++) {
            boolean all = p == phases.size();
            String phase = all ? "all" : phases.get(p).key();
            for (Codec codec : CODECS) {
                long[] sum = all ? total(recorded.get(codec + blocks)) : recorded.get(codec + blocks)[p];
                long[] single = all ? total(recorded.get(codec + "/0")) : recorded.get(codec + "/0")[p];
                String c = codec.name().toLowerCase(Locale.ROOT);
                stdout.printf(Locale.ROOT, "BENCH section=compression codec=%s phase=%s transactions=%d records=%d raw_bytes=%d "
                        + "compressed_bytes=%d ratio=%.4f ratio_one_per_record=%.4f compress_mb_per_s=%s decompress_mb_per_s=%s%n",
                        c, phase, sum[3], sum[0], sum[1], sum[2], (double) sum[1] / sum[2], (double) single[1] / single[2],
                        all ? plain(s.weighted("compress/" + codec, recorded.get(codec + blocks))) : s.list("compress/" + codec + "/" + p),
                        all ? plain(s.weighted("decompress/" + codec, recorded.get(codec + blocks))) : s.list("decompress/" + codec + "/" + p));
            }
        }
        stdout.flush();
    }

    private static long[] total(long[][] sums) {
        long[] t = new long[sums[0].length];
        for (long[] s : sums) for (int i = 0; i < t.length; i++) t[i] += s[i];
        return t;
    }

    private static long segmentBytes(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            long n = 0;
            for (Path p : files.filter(f -> f.getFileName().toString().endsWith(".seg")).toList()) n += Files.size(p);
            return n;
        }
    }

    // ---- section 3: serving the log over the network ------------------------------------------------------------

    private static final int[] READER_COUNTS = {1, 5};

    /**
     * A relay server in this JVM serves {@code log} over loopback, plain and with TLS (a self-signed certificate), to 1
     * and then 5 concurrent {@link RelaySource} readers, each reading the whole log into a queue drained by its own
     * thread: received, CRC-checked, decompressed and decoded into transactions, as a downstream job gets them; then
     * to 1 and 5 concurrent {@link RelayMirror}s, each copying the log to a directory of its own as
     * {@code aqueduct log mirror} does. MB/s counts the log's bytes on disk (compressed records) per reader.
     */
    private void transfer(Path log) throws Exception {
        long bytes = segmentBytes(log);
        long[] rawBytes = {0};
        try (LogInspector in = LogInspector.open(log)) {
            in.walk(Long.MIN_VALUE, false, (r, t) -> {
                rawBytes[0] += r.rawLength();
                return true;
            });
        }
        long first = firstSeqno(log);
        long last;
        try (LogReader r = LogReader.open(log)) {
            last = r.endSeqno() - 1;
        }
        Path tls = out.resolve("tls");
        Files.createDirectories(tls);
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                tls.resolve("key.pem").toString(), "-out", tls.resolve("cert.pem").toString(), "-days", "2", "-subj", "/CN=bench",
                "-addext", "subjectAltName=IP:127.0.0.1").redirectErrorStream(true).start();
        String openssl = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) throw new IOException("openssl could not make a certificate: " + openssl);
        Samples s = new Samples();
        for (boolean secure : new boolean[] {false, true}) {
            RelayServer.Options o = RelayServer.Options.plain("127.0.0.1", 0, "bench", "bench");
            try (RelayServer server = new RelayServer(log, secure ? o.withTls(tls.resolve("cert.pem"), tls.resolve("key.pem")) : o).start()) {
                for (int readers : READER_COUNTS) {
                    for (int round = 0; round <= repeats; round++) {
                        String what = (secure ? "TLS" : "plain") + ", " + readers + " reader(s)";
                        ReplicationBench.progress("transfer: " + what + ", " + (round == 0 ? "warm-up round" : "round " + round + "/" + repeats));
                        double[] seconds = readAll(server.port(), secure ? tls.resolve("cert.pem") : null, readers, first, last,
                                io.aqueduct.core.filter.TableFilter.all());
                        if (round == 0) continue;
                        String key = (secure ? "tls" : "plain") + "/" + readers;
                        addTransfer(s, key, seconds, bytes, last - first + 1);
                    }
                }
                for (int mirrors : READER_COUNTS) {
                    for (int round = 0; round <= repeats; round++) {
                        ReplicationBench.progress("transfer: " + (secure ? "TLS" : "plain") + ", " + mirrors + " mirror(s), "
                                + (round == 0 ? "warm-up round" : "round " + round + "/" + repeats));
                        double[] seconds = mirrorAll(server.port(), secure ? tls.resolve("cert.pem") : null, mirrors, last);
                        if (round == 0) continue;
                        String key = (secure ? "tls-mirror" : "mirror") + "/" + mirrors;
                        addTransfer(s, key, seconds, bytes, last - first + 1);
                    }
                }
                if (!secure) {
                    // readers whose tables are not in the log: every record received and checked, its rows skipped
                    io.aqueduct.core.filter.TableFilter none = new io.aqueduct.core.filter.TableFilter(List.of("none\\.selected"), List.of());
                    for (int readers : READER_COUNTS) {
                        for (int round = 0; round <= repeats; round++) {
                            ReplicationBench.progress("transfer: plain, " + readers + " reader(s) selecting no table, "
                                    + (round == 0 ? "warm-up round" : "round " + round + "/" + repeats));
                            double[] seconds = readAll(server.port(), null, readers, first, last, none);
                            if (round == 0) continue;
                            String key = "none/" + readers;
                            addTransfer(s, key, seconds, bytes, last - first + 1);
                        }
                    }
                }
            }
        }
        stdout.printf(Locale.ROOT, "%n3. Serving the relay log over loopback (%,.1f MB on disk, %,d transactions; medians of %d rounds)%n",
                bytes / 1e6, last - first + 1, repeats);
        stdout.println("   each reader receives, CRC-checks, decompresses and decodes every transaction, in this JVM with the server;");
        stdout.printf(Locale.ROOT, "   MB/s = MB of the log's files (compressed); raw MB/s = MB of decompressed payload (%.1f MB in all)%n",
                rawBytes[0] / 1e6);
        stdout.printf("   %-20s %14s %16s %16s %16s%n", "", "MB/s per reader", "MB/s all readers", "raw MB/s/reader", "tx/s all readers");
        double expansion = (double) rawBytes[0] / bytes;
        for (String mode : List.of("plain", "tls", "none", "mirror", "tls-mirror")) {
            for (int readers : READER_COUNTS) {
                String key = mode + "/" + readers;
                String label = switch (mode) {
                    case "tls" -> "TLS, " + readers + (readers == 1 ? " reader" : " readers");
                    case "none" -> "plain, " + readers + ", no table";
                    case "mirror" -> "plain, " + readers + (readers == 1 ? " mirror" : " mirrors");
                    case "tls-mirror" -> "TLS, " + readers + (readers == 1 ? " mirror" : " mirrors");
                    default -> "plain, " + readers + (readers == 1 ? " reader" : " readers");
                };
                String note = switch (mode) {
                    case "none" -> " ¹";
                    case "mirror", "tls-mirror" -> " ²";
                    default -> "";
                };
                stdout.printf(Locale.ROOT, "   %-20s %14.1f %16.1f %16.1f %,16.0f%s%n", label, s.median(key + "/avg_mb_s"),
                        s.median(key + "/total_mb_s"), s.median(key + "/avg_mb_s") * expansion, s.median(key + "/total_tx_s"), note);
            }
        }
        stdout.println("   ¹ readers selecting none of the log's tables: every record received and checked, its rows skipped unbuilt");
        stdout.println("   ² `aqueduct log mirror`: every record received, checked (length, CRC32C, seqno) and written to a copy on disk,"
                + " synced at the end; not decompressed");
        stdout.printf(Locale.ROOT, "   TLS costs %.1fx (1 reader) and %.1fx (5 readers), %.1fx (1 mirror) and %.1fx (5 mirrors); "
                        + "anchors: 268 MB/s for one reader, 113 MB/s average across five, TLS about 3x slower%n",
                s.median("plain/1/avg_mb_s") / s.median("tls/1/avg_mb_s"), s.median("plain/5/avg_mb_s") / s.median("tls/5/avg_mb_s"),
                s.median("mirror/1/avg_mb_s") / s.median("tls-mirror/1/avg_mb_s"),
                s.median("mirror/5/avg_mb_s") / s.median("tls-mirror/5/avg_mb_s"));
        for (String key : List.of("plain/1", "plain/5", "tls/1", "tls/5", "none/1", "none/5", "mirror/1", "mirror/5",
                "tls-mirror/1", "tls-mirror/5")) {
            stdout.println("   samples " + key + "/avg_mb_s: " + s.list(key + "/avg_mb_s"));
        }
    }

    /** One round of copies of a log of {@code bytes} and {@code transactions}, each one's seconds: MB/s and tx/s. */
    private static void addTransfer(Samples s, String key, double[] seconds, long bytes, long transactions) {
        double slowest = Arrays.stream(seconds).max().orElseThrow();
        s.add(key + "/avg_mb_s", Arrays.stream(seconds).map(x -> bytes / 1e6 / x).average().orElseThrow());
        s.add(key + "/total_mb_s", bytes * seconds.length / 1e6 / slowest);
        s.add(key + "/total_tx_s", transactions * seconds.length / slowest);
    }

    private static long firstSeqno(Path log) throws IOException {
        try (Stream<Path> files = Files.list(log)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".seg"))
                    .mapToLong(n -> Long.parseLong(n.substring(0, n.length() - 4))).min().orElseThrow();
        }
    }

    /** Reads the log from {@code first} to {@code last} with {@code readers} concurrent readers; each one's seconds. */
    private static double[] readAll(int port, Path trust, int readers, long first, long last,
                                    io.aqueduct.core.filter.TableFilter filter) throws Exception {
        double[] seconds = new double[readers];
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(readers);
        List<Thread> threads = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < readers; i++) {
            int n = i;
            RelaySource.Options o = RelaySource.Options.plain("127.0.0.1", port, "bench", "bench", "bench-" + i);
            RelaySource source = new RelaySource(trust == null ? o : o.withTls(trust), filter);
            TransactionQueue queue = new TransactionQueue(64L << 20);
            Thread reader = new Thread(() -> {
                try {
                    source.run(new LogSourcePosition(first - 1), queue);
                } catch (Throwable t) {
                    if (seconds[n] == 0) failure.compareAndSet(null, t); // not the drain closing the source at the end
                } finally {
                    queue.close();
                }
            }, "reader-" + i);
            Thread drain = new Thread(() -> {
                try {
                    while (true) {
                        Transaction t = queue.take(100, TimeUnit.MILLISECONDS);
                        if (t != null && t.seq() == last && t.last()) break;
                        if (t == null && (failure.get() != null || !reader.isAlive() && queue.isEmpty())) return;
                    }
                    seconds[n] = (System.nanoTime() - t0) / 1e9;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    source.close();
                    done.countDown();
                }
            }, "drain-" + i);
            threads.add(reader);
            threads.add(drain);
        }
        for (Thread t : threads) t.start();
        if (!done.await(10, TimeUnit.MINUTES)) throw new IllegalStateException("readers did not finish in 10 minutes");
        for (Thread t : threads) t.join();
        if (failure.get() != null && Arrays.stream(seconds).anyMatch(x -> x == 0)) {
            throw new IllegalStateException("a reader failed: " + failure.get(), failure.get());
        }
        return seconds;
    }

    /**
     * Copies the log up to seqno {@code last} with {@code mirrors} concurrent {@link RelayMirror}s, each into a new
     * directory (deleted after); each one's seconds until its copy holds {@code last} and is synced.
     */
    private double[] mirrorAll(int port, Path trust, int mirrors, long last) throws Exception {
        double[] seconds = new double[mirrors];
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        List<Path> copies = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < mirrors; i++) {
            int n = i;
            Path copy = out.resolve("mirror-" + i);
            ReplicationBench.deleteRecursively(copy);
            copies.add(copy);
            RelaySource.Options o = RelaySource.Options.plain("127.0.0.1", port, "bench", "bench", "bench-mirror-" + i);
            RelayMirror mirror = new RelayMirror(trust == null ? o : o.withTls(trust), copy, LogWriterOptions.defaults());
            Thread run = new Thread(() -> {
                try {
                    mirror.run();
                    seconds[n] = (System.nanoTime() - t0) / 1e9; // the copy is closed, so synced, when run returns
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                    mirror.stop(); // wakes the watch
                }
            }, "mirror-" + i);
            Thread watch = new Thread(() -> {
                try {
                    mirror.awaitCopied(last, Duration.ofMinutes(10));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                mirror.stop();
            }, "mirror-watch-" + i);
            threads.add(run);
            threads.add(watch);
        }
        for (Thread t : threads) t.start();
        for (Thread t : threads) t.join();
        for (Path c : copies) ReplicationBench.deleteRecursively(c);
        if (failure.get() != null || Arrays.stream(seconds).anyMatch(x -> x == 0)) {
            throw new IllegalStateException("a mirror failed: " + failure.get(), failure.get());
        }
        return seconds;
    }

    // ---- section 2: capture into the log vs discarding -----------------------------------------------------------

    /** Runs the capture rounds; returns the last round's log directory, which is kept. */
    private Path captureOverhead(MariaDbServer source, Pos start, long binlogBytes) throws Exception {
        Samples s = new Samples();
        Path kept = null;
        ProcessCpu server = ProcessCpu.server(source.dataDir());
        String thresholds = String.join(",", Arrays.stream(phaseEnds()).mapToObj(Long::toString).toList());
        for (int round = 1; round <= repeats; round++) {
            Map<String, Map<String, String>> results = new LinkedHashMap<>();
            Path logDir = out.resolve("capture-log-" + round);
            for (String mode : List.of("discard", "log")) {
                ReplicationBench.progress("capture round " + round + "/" + repeats + ": into " + (mode.equals("log") ? "the relay log" : "a discarding sink"));
                String name = mode + "-" + round;
                Path job = writeJob(name, source, 6400 + 2L * round + (mode.equals("log") ? 1 : 0), start, logDir);
                double cpuBefore = ProcessCpu.exitedChildrenSeconds();
                double serverBefore = server.seconds();
                double machineBefore = ProcessCpu.machineSeconds()[0];
                long wall0 = System.nanoTime();
                Map<String, String> r = child(mode, job, thresholds, name);
                double wall = (System.nanoTime() - wall0) / 1e9;
                double cpuWhole = ProcessCpu.exitedChildrenSeconds() - cpuBefore;
                double serverCpu = server.seconds() - serverBefore;
                double rest = ProcessCpu.machineSeconds()[0] - machineBefore - cpuWhole - serverCpu;
                s.add(mode + "/server_cpu_s", serverCpu);
                s.add(mode + "/rest_cores", rest / wall);
                s.add(mode + "/batches", Long.parseLong(r.get("batches")));
                s.add(mode + "/apply_s", Long.parseLong(r.get("apply_ns")) / 1e9);
                s.add(mode + "/apply_cpu_s", Long.parseLong(r.get("apply_cpu_ns")) / 1e9);
                results.put(mode, r);
                double e = Long.parseLong(r.get("elapsed_ns")) / 1e9;
                s.add(mode + "/rows_per_s", totalRows() / e);
                s.add(mode + "/tx_per_s", totalTxs() / e);
                s.add(mode + "/seconds", e);
                s.add(mode + "/cpu_window_s", Long.parseLong(r.get("cpu_ns")) / 1e9);
                s.add(mode + "/cpu_process_s", cpuWhole);
                s.add(mode + "/first_batch_s", Long.parseLong(r.get("first_batch_ns")) / 1e9);
                long[] ends = Arrays.stream(r.get("phase_ns").split(",")).mapToLong(Long::parseLong).toArray();
                for (int p = 0; p < phases.size(); p++) {
                    // phases that end in the same batch get no rate of their own
                    double secs = (ends[p] - (p == 0 ? 0 : ends[p - 1])) / 1e9;
                    s.add(mode + "/rows_per_s/" + p, secs > 0 ? phases.get(p).rows() / secs : Double.NaN);
                }
                if (mode.equals("log")) {
                    long bytes = segmentBytes(logDir);
                    s.add("log/bytes", bytes);
                    if (!r.get("last_seqno").equals(Long.toString(totalTxs()))) {
                        throw new IllegalStateException("the log ends at seqno " + r.get("last_seqno") + ", expected " + totalTxs());
                    }
                }
            }
            for (String f : List.of("rows_per_s", "tx_per_s", "seconds", "first_batch_s", "cpu_window_s", "cpu_process_s", "server_cpu_s",
                    "batches")) {
                s.add("ratio/" + f, s.last("log/" + f) / s.last("discard/" + f));
            }
            for (int p = 0; p < phases.size(); p++) s.add("ratio/rows_per_s/" + p, s.last("log/rows_per_s/" + p) / s.last("discard/rows_per_s/" + p));
            if (kept != null) ReplicationBench.deleteRecursively(kept);
            kept = logDir;
        }
        reportCapture(s, binlogBytes);
        return kept;
    }

    private void reportCapture(Samples s, long binlogBytes) {
        stdout.println();
        stdout.printf("2. Capture: MySQL source → discarding sink vs → relay log (LogSink, job defaults: lz4, 128 MB segments,%n");
        stdout.printf("   fsync batch); own JVM each (-Xmx%s), apply.batch-rows %s; back to back per round; medians of %d rounds,%n",
                xmx, batchRows > 0 ? Integer.toString(batchRows) : "default", repeats);
        stdout.println("   ratios per round");
        stdout.println();
        String head = String.format("   %-36s %12s %12s %10s", "figure", "discard", "relay log", "log÷disc.");
        stdout.println(head);
        stdout.println("   " + "-".repeat(head.length() - 3));
        row(s, "rows/s, all " + String.format(Locale.ROOT, "%,d", totalRows()) + " rows", "rows_per_s", "%,.0f");
        row(s, "transactions/s", "tx_per_s", "%,.0f");
        for (int p = 0; p < phases.size(); p++) {
            row(s, "  rows/s, " + phases.get(p).label() + " txs" + (p == 0 ? " ¹" : ""), "rows_per_s/" + p, "%,.0f");
        }
        row(s, "JVM CPU s, measured interval", "cpu_window_s", "%.2f");
        row(s, "JVM CPU s, whole process (ProcessCpu)", "cpu_process_s", "%.2f");
        row(s, "MariaDB CPU s (binlog dump)", "server_cpu_s", "%.2f");
        row(s, "other processes, cores ²", "rest_cores", "%.2f");
        row(s, "batches (LogSink: one sync each)", "batches", "%,.0f");
        stdout.printf(Locale.ROOT, "   %-36s %12s %12.2f%n", "LogSink.apply: seconds (one lane)", "", s.median("log/apply_s"));
        stdout.printf(Locale.ROOT, "   %-36s %12s %12.2f%n", "LogSink.apply: CPU s of the lane", "", s.median("log/apply_cpu_s"));
        row(s, "seconds to capture everything", "seconds", "%.2f");
        row(s, "  of which until the first batch ¹", "first_batch_s", "%.2f");
        stdout.println();
        double logBytes = s.median("log/bytes");
        stdout.printf(Locale.ROOT, "   relay log on disk: %,.1f MB (median); the binlog of the same rows: %,.1f MB (log ÷ binlog %.2f)%n",
                logBytes / 1e6, binlogBytes / 1e6, logBytes / binlogBytes);
        stdout.println("   ¹ includes starting the pipeline, connecting to the source and the JVM warming up");
        stdout.println("   ² machine CPU busy while the capture JVM ran, minus that JVM and MariaDB: other work sharing the machine");
        List<String> keys = new ArrayList<>(List.of("rows_per_s", "tx_per_s", "seconds", "first_batch_s", "cpu_window_s", "cpu_process_s",
                "server_cpu_s", "rest_cores", "batches", "apply_s", "apply_cpu_s"));
        for (int p = 0; p < phases.size(); p++) keys.add("rows_per_s/" + p);
        for (String k : keys) {
            String figure = k.startsWith("rows_per_s/") ? "rows_per_s phase=" + phases.get(Integer.parseInt(k.substring(11))).key() : k;
            stdout.printf(Locale.ROOT, "BENCH section=capture figure=%s discard=%s log=%s log_vs_discard=%s discard_samples=%s log_samples=%s%n",
                    figure, plain(s.median("discard/" + k)), plain(s.median("log/" + k)), plain(s.median("ratio/" + k)),
                    s.list("discard/" + k), s.list("log/" + k));
        }
        stdout.printf(Locale.ROOT, "BENCH section=capture figure=log_bytes median=%s samples=%s binlog_bytes=%d%n", plain(logBytes),
                s.list("log/bytes"), binlogBytes);
        stdout.flush();
    }

    private void row(Samples s, String label, String key, String fmt) {
        double ratio = s.median("ratio/" + key);
        stdout.printf(Locale.ROOT, "   %-36s %12s %12s %10s%n", label, format(fmt, s.median("discard/" + key)),
                format(fmt, s.median("log/" + key)), Double.isFinite(ratio) ? String.format(Locale.ROOT, "%.1f%%", 100 * ratio) : "-");
    }

    private static String format(String fmt, double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, fmt, v) : "-";
    }

    /** Runs {@link Child} in a new JVM and returns its RESULT figures. */
    private Map<String, String> child(String mode, Path job, String thresholds, String tag) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        // the JVM options ./aqueduct uses, as a capture job gets them
        List<String> cmd = new ArrayList<>(List.of(java.toString(), "-Xmx" + xmx));
        cmd.addAll(ReplicationBench.jvmArgs(ReplicationBench.launcherJavaOpts()));
        cmd.addAll(List.of("-Dlogback.configurationFile=bench-logback.xml", "-cp", System.getProperty("java.class.path"),
                LogBench.class.getName(), "child", mode, job.toString(), thresholds, Long.toString(timeoutSeconds)));
        return ReplicationBench.runChild(cmd, out, tag, mode, timeoutSeconds);
    }

    // ---- report helpers ------------------------------------------------------------------------------------------

    private void header(MariaDbServer source, Pos start, long binlogBytes, long writeNanos) {
        String version = String.valueOf(source.query(null, "SELECT VERSION()").get(0).get(0));
        stdout.println("Aqueduct relay log bench");
        stdout.printf(Locale.ROOT, "  workload : %,d rows in %,d transactions, written in this order, one autocommit INSERT each:%n",
                totalRows(), totalTxs());
        for (Phase p : phases) {
            stdout.printf(Locale.ROOT, "             %-16s %,9d rows in %,8d transactions (bench.%s)%n", p.label(), p.rows(), p.txs(), p.table());
        }
        stdout.printf(Locale.ROOT, "  source   : binlog from %s:%d, %.1f MB; written in %.1f s%n", start.file(), start.offset(),
                binlogBytes / 1e6, writeNanos / 1e9);
        stdout.printf(Locale.ROOT, "  machine  : %d CPUs, load %s; MariaDB %s; Java %s; out %s%n", Runtime.getRuntime().availableProcessors(),
                ReplicationBench.loadAverage(), version, System.getProperty("java.version"), out.toAbsolutePath());
        stdout.flush();
    }

    private static String plain(double v) {
        return ReplicationBench.plain(v);
    }

    /** Samples by key, in round order. */
    private static final class Samples {
        private final Map<String, List<Double>> values = new LinkedHashMap<>();

        void add(String key, double v) {
            values.computeIfAbsent(key, k -> new ArrayList<>()).add(v);
        }

        double last(String key) {
            List<Double> l = values.get(key);
            return l.get(l.size() - 1);
        }

        double median(String key) {
            List<Double> s = values.getOrDefault(key, List.of()).stream().filter(Double::isFinite).sorted().toList();
            if (s.isEmpty()) return Double.NaN;
            int n = s.size();
            return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
        }

        /** MB/s over all phases: total raw bytes ÷ the sum of the phases' median times. */
        double weighted(String prefix, long[][] sums) {
            double bytes = 0;
            double seconds = 0;
            for (int p = 0; p < sums.length; p++) {
                bytes += sums[p][1];
                seconds += sums[p][1] / 1e6 / median(prefix + "/" + p);
            }
            return bytes / 1e6 / seconds;
        }

        String list(String key) {
            return String.join(",", values.getOrDefault(key, List.of()).stream().map(ReplicationBench::plain).toList());
        }
    }

    /**
     * A sink that passes each batch on to {@code delegate} (none: discard), then counts it: whole transactions, rows,
     * and when the cumulative row count reached each phase's end. Counting after the delegate returns means a batch
     * counts once it is durable in the log. With {@code collect} it keeps every transaction.
     */
    static final class PhaseSink implements Sink {
        private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();
        private final Sink delegate;
        private final long[] ends;
        private final long[] endNanos;
        private final boolean collect;
        final List<Transaction> collected = new ArrayList<>();
        private final CountDownLatch done = new CountDownLatch(1);
        private final long start = System.nanoTime();
        volatile long rows;
        volatile long txs;
        private int next;
        private volatile boolean complete;
        private volatile long firstNanos;
        /** Calls of apply, and the wall and CPU time the lane spent in the delegate's apply (all on the one lane). */
        volatile long batches;
        volatile long applyNanos;
        volatile long applyCpuNanos;

        PhaseSink(Sink delegate, long[] ends, boolean collect) {
            this.delegate = delegate;
            this.ends = ends;
            this.endNanos = new long[ends.length];
            this.collect = collect;
        }

        @Override
        public int lanes() {
            return delegate == null ? 1 : delegate.lanes();
        }

        @Override
        public void open() throws Exception {
            if (delegate != null) delegate.open();
        }

        @Override
        public void apply(int lane, List<Transaction> batch) throws Exception {
            if (delegate != null) {
                long cpu0 = THREADS.getCurrentThreadCpuTime();
                long t0 = System.nanoTime();
                delegate.apply(lane, batch);
                applyNanos += System.nanoTime() - t0;
                applyCpuNanos += THREADS.getCurrentThreadCpuTime() - cpu0;
            }
            batches++;
            long r = rows;
            long t = txs;
            for (Transaction tx : batch) {
                if (collect) collected.add(tx);
                if (tx.last()) t++;
                for (Change c : tx.changes()) if (c instanceof RowChange) r++;
            }
            rows = r;
            txs = t;
            long now = System.nanoTime();
            if (firstNanos == 0) firstNanos = now;
            while (next < ends.length && r >= ends[next]) endNanos[next++] = now;
            if (next == ends.length && !complete) {
                complete = true;
                done.countDown();
            }
        }

        boolean await(long nanos) throws InterruptedException {
            return done.await(nanos, TimeUnit.NANOSECONDS) && complete;
        }

        void abort() {
            done.countDown();
        }

        /** When each phase's last row had arrived, in nanoseconds since this sink was made. */
        long[] phaseNanos() {
            return Arrays.stream(endNanos).map(n -> n - start).toArray();
        }

        /** When the first batch had been applied, in nanoseconds since this sink was made. */
        long firstBatchNanos() {
            return firstNanos - start;
        }

        @Override
        public void close() {
            if (delegate != null) delegate.close();
        }
    }

    /**
     * The capture side in its own JVM, like {@link AqueductChild}'s capture: the job's MySQL source → Pipeline → one
     * lane, into a discarding sink or into {@code Jobs.sink(job)} (the job's relay log). Prints {@code RESULT key=value}.
     *
     * <pre>child discard|log JOB.yaml PHASE_END_ROWS(comma-separated) TIMEOUT_S</pre>
     */
    static final class Child {
        private Child() {}

        static void main(String[] args) {
            Map<String, String> results = new LinkedHashMap<>();
            try {
                if (args.length != 4) throw new IllegalArgumentException("usage: LogBench child discard|log JOB.yaml PHASE_END_ROWS TIMEOUT_S");
                JobConfig job = new JobConfigLoader().load(Path.of(args[1]));
                long[] ends = Arrays.stream(args[2].split(",")).mapToLong(Long::parseLong).toArray();
                long timeoutNanos = TimeUnit.SECONDS.toNanos(Long.parseLong(args[3]));
                Sink target = switch (args[0]) {
                    case "discard" -> null;
                    case "log" -> Jobs.sink(job);
                    default -> throw new IllegalArgumentException("unknown mode " + args[0]);
                };
                PhaseSink sink = new PhaseSink(target, ends, false);
                Pipeline pipeline = AqueductChild.pipeline(job, sink);
                AtomicReference<Throwable> failure = new AtomicReference<>();
                var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
                long cpu = os.getProcessCpuTime();
                Thread runner = AqueductChild.start(pipeline, failure, sink::abort);
                boolean complete = sink.await(timeoutNanos);
                cpu = os.getProcessCpuTime() - cpu;
                pipeline.stop();
                runner.join(30_000);
                if (!complete) {
                    Throwable f = failure.get();
                    if (f != null) throw new IllegalStateException("the pipeline failed after " + sink.rows + " rows", f);
                    throw new IllegalStateException("only " + sink.rows + " rows arrived within the timeout");
                }
                long[] phaseNanos = sink.phaseNanos();
                results.put("elapsed_ns", Long.toString(phaseNanos[phaseNanos.length - 1]));
                results.put("phase_ns", String.join(",", Arrays.stream(phaseNanos).mapToObj(Long::toString).toList()));
                results.put("first_batch_ns", Long.toString(sink.firstBatchNanos()));
                results.put("batches", Long.toString(sink.batches));
                results.put("apply_ns", Long.toString(sink.applyNanos));
                results.put("apply_cpu_ns", Long.toString(sink.applyCpuNanos));
                results.put("rows", Long.toString(sink.rows));
                results.put("txs", Long.toString(sink.txs));
                results.put("cpu_ns", Long.toString(cpu));
                if (target instanceof io.aqueduct.log.LogSink ls) results.put("last_seqno", Long.toString(ls.lastSeqno()));
            } catch (Throwable t) {
                AqueductChild.exitFailed(t);
            }
            AqueductChild.exitWith(results);
        }
    }
}
