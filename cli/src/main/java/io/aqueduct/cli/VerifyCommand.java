package io.aqueduct.cli;

import io.aqueduct.core.apply.JdbcSink;
import io.aqueduct.core.apply.SqlDialect;
import io.aqueduct.core.config.ConfigException;
import io.aqueduct.core.config.JobConfig;
import io.aqueduct.core.config.JobConfigLoader;
import io.aqueduct.core.filter.Router;
import io.aqueduct.core.model.Change;
import io.aqueduct.core.model.Position;
import io.aqueduct.core.model.RowChange;
import io.aqueduct.core.model.TableId;
import io.aqueduct.core.model.TableSchema;
import io.aqueduct.core.model.Transaction;
import io.aqueduct.core.progress.Progress;
import io.aqueduct.mysql.MySqlCatalog;
import io.aqueduct.mysql.MySqlConnections;
import io.aqueduct.mysql.MySqlRowReader;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code aqueduct verify JOB}: compares every selected source table with its target table, and can repair the target. */
@Command(name = "verify", description = "Compare the source's selected tables with the target, row by row; exit 0 when "
        + "identical, 1 when they differ, 2 when they cannot be compared.")
final class VerifyCommand implements Callable<Integer> {
    @Parameters(paramLabel = "JOB", description = "The job file (YAML).")
    Path job;

    @Option(names = "--repair", description = "Rewrite differing and missing rows on the target from the source, delete "
            + "extra ones, then verify again.")
    boolean repair;

    @Option(names = "--chunk-rows", description = "Rows read per query and side (default ${DEFAULT-VALUE}).")
    int chunkRows = 1000;

    @Option(names = "--settle-seconds", description = "How long differences are re-checked before they are reported, so "
            + "that rows a running job is about to apply are not reported (default ${DEFAULT-VALUE}).")
    double settleSeconds = 10;

    /** A verify repair is not a source position: nothing stores it. */
    private static final Position NO_POSITION = () -> "{}";

    @Override
    public Integer call() throws Exception {
        if (chunkRows < 1) throw new ConfigException("--chunk-rows must be at least 1");
        JobConfig config = new JobConfigLoader().load(job);
        Router router = new Router(config.routes());
        SqlDialect dialect = Jobs.dialect(config);
        try (Connection src = MySqlConnections.open(config.source(), null, "source"); Connection tgt = dialect.connect()) {
            MySqlRowReader.prepareSession(src);
            if (config.target().type().equals("mysql")) MySqlRowReader.prepareSession(tgt);
            tgt.setAutoCommit(true);
            MySqlCatalog catalog = new MySqlCatalog(src);
            List<TableSchema> tables = new ArrayList<>();
            for (TableId id : catalog.tables(Jobs.filter(config))) {
                TableSchema t = catalog.table(id);
                if (t != null) tables.add(t);
            }
            if (tables.isEmpty()) {
                throw new ConfigException("The source has no table that tables.include/exclude select: nothing to verify.");
            }
            router.validate(tables);
            Map<TableSchema, List<Verifier.Diff>> diffs = verifyAll(config, router, dialect, src, tgt, tables);
            if (!repair || diffs.isEmpty()) return result(diffs);
            repair(config, router, dialect, diffs);
            System.out.println("Verifying the repaired tables again.");
            return result(verifyAll(config, router, dialect, src, tgt, new ArrayList<>(diffs.keySet())));
        }
    }

    private static int result(Map<TableSchema, List<Verifier.Diff>> diffs) {
        System.out.println(diffs.isEmpty() ? "Target matches source." : "Differences in " + diffs.size() + " table(s).");
        return diffs.isEmpty() ? 0 : 1;
    }

    /**
     * Compares each table, prints its differences and summary line; returns the tables that differ. Progress is drawn
     * as bars on a terminal (stdout, where nothing is parsed then), else printed as plain lines on stderr, so that
     * stdout holds only the results.
     */
    private Map<TableSchema, List<Verifier.Diff>> verifyAll(JobConfig config, Router router, SqlDialect dialect,
                                                           Connection src, Connection tgt, List<TableSchema> tables) throws SQLException {
        Map<TableSchema, List<Verifier.Diff>> out = new LinkedHashMap<>();
        boolean terminal = Progress.isTerminal();
        try (Progress progress = Progress.open("Verifying", terminal ? System.out : System.err, terminal)) {
            // every estimate first, so that the overall total is known from the start
            List<Progress.Task> tasks = new ArrayList<>();
            for (TableSchema source : tables) {
                tasks.add(progress.task(name(source, router.route(source)), estimatedRows(src, source.id())));
            }
            for (int i = 0; i < tables.size(); i++) {
                TableSchema source = tables.get(i);
                TableSchema target = router.route(source);
                Progress.Task task = tasks.get(i);
                String name = task.name();
                Verifier v = new Verifier(config, source, target, src, tgt, dialect, chunkRows);
                v.probeTarget();
                if (!source.hasKey()) progress.println(System.err, name + ": no key, compared as a multiset of whole rows");
                long started = System.nanoTime();
                task.start();
                long[] reported = {0};
                List<Verifier.Diff> diffs = v.compareAll(done -> {
                    task.add(done - reported[0]);
                    reported[0] = done;
                });
                task.done();
                long perSecond = rate(v.rowsCompared, started); // before settling, which is waiting rather than reading
                diffs = settle(v, diffs);
                for (Verifier.Diff d : diffs) progress.println(System.out, describe(name, source, d));
                long missing = diffs.stream().filter(d -> d.kind() == Verifier.Kind.MISSING).mapToLong(Verifier.Diff::count).sum();
                long extra = diffs.stream().filter(d -> d.kind() == Verifier.Kind.EXTRA).mapToLong(Verifier.Diff::count).sum();
                long different = diffs.stream().filter(d -> d.kind() == Verifier.Kind.DIFFERENT).count();
                progress.println(System.out, String.format("%s: %d rows compared, %d missing, %d extra, %d different, "
                        + "%d rows/s", name, v.rowsCompared, missing, extra, different, perSecond));
                if (!diffs.isEmpty()) out.put(source, diffs);
            }
        }
        return out;
    }

    private static String name(TableSchema source, TableSchema target) {
        return source.id().equals(target.id()) ? source.id().toString() : source.id() + " -> " + target.id();
    }

    /**
     * Re-reads the differing rows on both sides for up to --settle-seconds, so that changes a running job has read
     * from the source but not yet applied are not reported. What is still different at the end is.
     */
    private List<Verifier.Diff> settle(Verifier v, List<Verifier.Diff> diffs) throws SQLException {
        long deadline = System.nanoTime() + (long) (settleSeconds * 1e9);
        long pause = 200;
        while (!diffs.isEmpty() && System.nanoTime() < deadline) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            try {
                // a pause between re-reads: the job applies what it has read meanwhile; nothing to await but time
                Thread.sleep(Math.max(1, Math.min(pause, left)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            pause = Math.min(pause * 2, 2000);
            diffs = v.recheck(diffs);
        }
        return diffs;
    }

    private static long rate(long rows, long startedNanos) {
        double seconds = Math.max(1e-3, (System.nanoTime() - startedNanos) / 1e9);
        return Math.round(rows / seconds);
    }

    private static long estimatedRows(Connection src, TableId id) throws SQLException {
        try (PreparedStatement ps = src.prepareStatement("SELECT TABLE_ROWS FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? "
                + "AND TABLE_NAME = ?")) {
            ps.setString(1, id.schema());
            ps.setString(2, id.table());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    // ---- output ---------------------------------------------------------------------------------------------------

    static String describe(String table, TableSchema s, Verifier.Diff d) {
        Object[] row = d.source() != null ? d.source() : d.target();
        String key = s.hasKey() ? key(s, row) : "row (" + allColumns(s, row) + ")" + (d.count() > 1 ? " x" + d.count() : "");
        return switch (d.kind()) {
            case MISSING -> table + ": missing on target: " + key;
            case EXTRA -> table + ": extra on target: " + key;
            case DIFFERENT -> {
                List<String> parts = new ArrayList<>();
                for (String c : d.columns()) {
                    int i = s.indexOf(c);
                    parts.add(c + ": source " + show(d.source()[i]) + ", target " + show(d.target()[i]));
                }
                yield table + ": different: " + key + ": " + String.join("; ", parts);
            }
        };
    }

    private static String key(TableSchema s, Object[] row) {
        List<String> parts = new ArrayList<>();
        for (int i : s.keyIndexes()) parts.add(s.columns().get(i).name() + "=" + show(row[i]));
        return String.join(", ", parts);
    }

    private static String allColumns(TableSchema s, Object[] row) {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < row.length; i++) parts.add(s.columns().get(i).name() + "=" + show(row[i]));
        return String.join(", ", parts);
    }

    /** A value for a human: text quoted, bytes in hex, long values cut. */
    static String show(Object v) {
        if (v == null) return "NULL";
        if (v instanceof byte[] b) {
            String hex = HexFormat.of().formatHex(b, 0, Math.min(b.length, 32));
            return "0x" + hex + (b.length > 32 ? "... (" + b.length + " bytes)" : "");
        }
        if (v instanceof String s) {
            return "'" + (s.length() > 80 ? s.substring(0, 80) + "'... (" + s.length() + " characters)" : s + "'");
        }
        return v.toString();
    }

    // ---- repair ---------------------------------------------------------------------------------------------------

    /**
     * Writes the differences through the job's own sink path: rows missing or different on the target as upserts by
     * key (RowChange INSERT), extra rows as deletes; keyless tables insert or delete whole rows, once per copy.
     */
    private static void repair(JobConfig config, Router router, SqlDialect dialect, Map<TableSchema, List<Verifier.Diff>> diffs)
            throws Exception {
        JdbcSink sink = new JdbcSink(dialect, 1);
        long written = 0;
        long deleted = 0;
        try {
            sink.open();
            long seq = 1;
            for (var e : diffs.entrySet()) {
                TableSchema target = router.route(e.getKey());
                List<Change> changes = new ArrayList<>();
                for (Verifier.Diff d : e.getValue()) {
                    for (int i = 0; i < d.count(); i++) {
                        if (d.kind() == Verifier.Kind.EXTRA) {
                            changes.add(new RowChange(target, RowChange.Op.DELETE, d.target(), null));
                            deleted++;
                        } else {
                            changes.add(new RowChange(target, RowChange.Op.INSERT, null, d.source()));
                            written++;
                        }
                    }
                    if (changes.size() >= 1000) {
                        sink.apply(0, List.of(transaction(seq++, changes)));
                        changes.clear();
                    }
                }
                if (!changes.isEmpty()) sink.apply(0, List.of(transaction(seq++, changes)));
            }
        } finally {
            sink.close();
        }
        System.out.println("Repaired: " + written + " row(s) written, " + deleted + " row(s) deleted on the target.");
    }

    private static Transaction transaction(long seq, List<Change> changes) {
        return new Transaction(seq, "verify-repair-" + seq, "aqueduct-verify", Instant.now().toEpochMilli(), NO_POSITION,
                changes, 0, true);
    }

}
