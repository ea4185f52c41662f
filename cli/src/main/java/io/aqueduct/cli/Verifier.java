package io.aqueduct.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aqueduct.core.apply.RowReader;
import io.aqueduct.core.apply.SqlDialect;
import io.aqueduct.core.config.ConfigException;
import io.aqueduct.core.config.JobConfig;
import io.aqueduct.core.model.Column;
import io.aqueduct.core.model.RowKey;
import io.aqueduct.core.model.TableSchema;
import io.aqueduct.core.model.Values;
import io.aqueduct.mysql.MySqlDialect;
import io.aqueduct.mysql.MySqlRowReader;
import io.aqueduct.postgres.PostgresRowReader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compares one source table with its target table. Tables with a key are read on both sides in key order, chunk by
 * chunk (keyset pagination), and each chunk's rows are hashed first and compared row by row only when the hashes
 * differ. Keyless tables are compared as multisets of whole rows, held in memory.
 *
 * <p>Values are read into the model's Java types of the SOURCE column on both sides, then normalised for comparing
 * what the target can hold: JSON as a parsed tree, DECIMAL by value, a MySQL zero date as NULL on a PostgreSQL target
 * (the sink writes NULL there), FLOAT as a float.
 */
final class Verifier {
    private static final Logger LOG = LoggerFactory.getLogger(Verifier.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Most rows of a keyless table held in memory for its multiset comparison. */
    static final int KEYLESS_MAX_ROWS = 1_000_000;

    enum Kind { MISSING, EXTRA, DIFFERENT }

    /** One difference; {@code source}/{@code target} are the rows as read (null when absent). */
    record Diff(Kind kind, Object[] source, Object[] target, List<String> columns, int count) {}

    private final TableSchema source;
    private final TableSchema target;
    private final Connection src;
    private final Connection tgt;
    private final SqlDialect srcDialect;
    private final SqlDialect tgtDialect;
    private final RowReader srcReader;
    private final RowReader tgtReader;
    private final boolean pgTarget;
    private final int chunkRows;
    private final int[] keyIdx;
    long rowsCompared;

    Verifier(JobConfig job, TableSchema source, TableSchema target, Connection src, Connection tgt, SqlDialect tgtDialect, int chunkRows) {
        this.source = source;
        this.target = target;
        this.src = src;
        this.tgt = tgt;
        this.srcDialect = new MySqlDialect(job.source());
        this.tgtDialect = tgtDialect;
        this.pgTarget = job.target().type().equals("postgres");
        this.srcReader = new MySqlRowReader(source.columns());
        this.tgtReader = pgTarget ? new PostgresRowReader(source.columns()) : new MySqlRowReader(source.columns());
        this.chunkRows = chunkRows;
        this.keyIdx = source.keyIndexes();
    }

    /** Fails with a ConfigException when the target table or one of its columns is missing. */
    void probeTarget() {
        try (PreparedStatement ps = tgt.prepareStatement(select(target, tgtReader, tgtDialect) + " WHERE 1 = 0");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
        } catch (SQLException e) {
            throw new ConfigException("Cannot read the target table " + target.id() + " for source table " + source.id()
                    + " (" + e.getMessage() + "). Create it (aqueduct schema JOB) or fix the routes.", e);
        }
    }

    /** Every difference in the table, before any settling. */
    List<Diff> compareAll(Progress progress) throws SQLException {
        rowsCompared = 0;
        return source.hasKey() ? compareKeyed(progress) : compareKeyless(progress);
    }

    // ---- keyed tables -------------------------------------------------------------------------------------------

    private List<Diff> compareKeyed(Progress progress) throws SQLException {
        List<Diff> out = new ArrayList<>();
        // missing and extra rows wait here until the table ends: under different collations (MySQL vs PostgreSQL
        // text keys) one row may fall into different chunks on the two sides, and then pairs up here
        Map<RowKey, Object[]> missing = new LinkedHashMap<>();
        Map<RowKey, Object[]> extra = new LinkedHashMap<>();
        // the source's next chunk is read and hashed on a thread of its own while this one reads and compares the
        // target's: the two sides' reading (mostly decoding values in this JVM) runs on two cores
        ExecutorService ahead = Executors.newSingleThreadExecutor(r -> {
            Thread th = new Thread(r, "verify-source-" + source.id());
            th.setDaemon(true);
            return th;
        });
        try {
            Future<SourceChunk> next = ahead.submit(() -> sourceChunk(null));
            Object[] last = null;
            while (true) {
                SourceChunk chunk = await(next);
                List<Object[]> s = chunk.rows();
                Object[] upTo = s.isEmpty() ? null : s.get(s.size() - 1);
                boolean more = s.size() >= chunkRows;
                if (more) next = ahead.submit(() -> sourceChunk(upTo));
                List<Object[]> t = s.isEmpty() ? readTail(last) : read(tgt, tgtDialect, target, tgtReader, last, upTo, false);
                rowsCompared += s.size();
                if (!Arrays.equals(chunk.digest(), digest(t))) compareRows(s, t, missing, extra, out);
                progress.rows(rowsCompared);
                if (!more) {
                    if (!s.isEmpty()) compareRows(List.of(), readTail(upTo), missing, extra, out);
                    break;
                }
                last = upTo;
            }
        } finally {
            ahead.shutdownNow();
        }
        for (Iterator<Map.Entry<RowKey, Object[]>> it = missing.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            Object[] t = extra.remove(e.getKey());
            if (t != null) {
                List<String> cols = differing(e.getValue(), t);
                if (!cols.isEmpty()) out.add(new Diff(Kind.DIFFERENT, e.getValue(), t, cols, 1));
                it.remove();
            }
        }
        for (Object[] r : missing.values()) out.add(new Diff(Kind.MISSING, r, null, List.of(), 1));
        for (Object[] r : extra.values()) out.add(new Diff(Kind.EXTRA, null, r, List.of(), 1));
        return out;
    }

    /** A chunk of source rows and its {@link #digest}. */
    private record SourceChunk(List<Object[]> rows, byte[] digest) {}

    /** The source's next chunk after {@code after} (from the start when null), hashed. */
    private SourceChunk sourceChunk(Object[] after) throws SQLException {
        List<Object[]> rows = read(src, srcDialect, source, srcReader, after, null, true);
        return new SourceChunk(rows, digest(rows));
    }

    /** The chunk the source thread read, or its failure as this thread's. */
    private static SourceChunk await(Future<SourceChunk> chunk) throws SQLException {
        try {
            return chunk.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the source", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SQLException x) throw x;
            if (e.getCause() instanceof RuntimeException x) throw x;
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Target rows after {@code after} (all of them when null), in chunks. */
    private List<Object[]> readTail(Object[] after) throws SQLException {
        List<Object[]> all = new ArrayList<>();
        Object[] from = after;
        while (true) {
            List<Object[]> t = read(tgt, tgtDialect, target, tgtReader, from, null, true);
            all.addAll(t);
            if (t.size() < chunkRows) return all;
            from = t.get(t.size() - 1);
        }
    }

    private void compareRows(List<Object[]> s, List<Object[]> t, Map<RowKey, Object[]> missing, Map<RowKey, Object[]> extra,
                             List<Diff> out) {
        Map<RowKey, Object[]> targetRows = new LinkedHashMap<>();
        for (Object[] r : t) targetRows.put(key(r), r);
        for (Object[] r : s) {
            Object[] other = targetRows.remove(key(r));
            if (other == null) {
                missing.put(key(r), r);
                continue;
            }
            List<String> cols = differing(r, other);
            if (!cols.isEmpty()) out.add(new Diff(Kind.DIFFERENT, r, other, cols, 1));
        }
        for (var e : targetRows.entrySet()) extra.put(e.getKey(), e.getValue());
    }

    /**
     * One chunk in key order: rows with a key after {@code after} (if given) and up to {@code upTo} inclusive (if
     * given), at most chunkRows when {@code limit}.
     */
    private List<Object[]> read(Connection c, SqlDialect d, TableSchema t, RowReader reader, Object[] after, Object[] upTo,
                                boolean limit) throws SQLException {
        List<String> keys = t.keyColumns();
        List<String> where = new ArrayList<>();
        List<Param> params = new ArrayList<>();
        // expanded rather than (k1, k2) > (?, ?): MariaDB uses an index range only for the expanded form
        if (after != null) where.add(keyCompare(d, keys, ">", after, params));
        if (upTo != null) where.add(keyCompare(d, keys, "<=", upTo, params));
        StringBuilder sql = new StringBuilder(select(t, reader, d));
        if (!where.isEmpty()) sql.append(" WHERE ").append(String.join(" AND ", where));
        sql.append(" ORDER BY ").append(String.join(", ", keys.stream().map(d::quote).toList()));
        if (limit) sql.append(" LIMIT ").append(chunkRows);
        return query(c, d, sql.toString(), params);
    }

    private String keyCompare(SqlDialect d, List<String> keys, String op, Object[] row, List<Param> params) {
        String strict = op.substring(0, 1);
        List<String> ors = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            List<String> ands = new ArrayList<>();
            for (int j = 0; j < i; j++) {
                ands.add(d.quote(keys.get(j)) + " = ?");
                params.add(param(row, j));
            }
            ands.add(d.quote(keys.get(i)) + " " + (i == keys.size() - 1 ? op : strict) + " ?");
            params.add(param(row, i));
            ors.add("(" + String.join(" AND ", ands) + ")");
        }
        return "(" + String.join(" OR ", ors) + ")";
    }

    private List<Object[]> query(Connection c, SqlDialect d, String sql, List<Param> params) throws SQLException {
        List<Object[]> rows = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.size(); i++) d.bind(ps, i + 1, params.get(i).column(), params.get(i).value());
            RowReader reader = c == src ? srcReader : tgtReader;
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) rows.add(reader.read(rs));
            }
        }
        return rows;
    }

    /** A bind parameter: a key value and the source column that types it. */
    private record Param(Column column, Object value) {}

    private Param param(Object[] row, int keyPosition) {
        return new Param(source.columns().get(keyIdx[keyPosition]), row[keyIdx[keyPosition]]);
    }

    private static String select(TableSchema t, RowReader reader, SqlDialect d) {
        return "SELECT " + reader.selectList(t.columns().stream().map(Column::name).toList()) + " FROM " + d.table(t.id());
    }

    // ---- re-reading keys ----------------------------------------------------------------------------------------

    /** Compares just these rows again, reading them anew on both sides (keyless tables: the whole table again). */
    List<Diff> recheck(List<Diff> diffs) throws SQLException {
        if (!source.hasKey()) return compareKeyless(Progress.NONE);
        List<Diff> out = new ArrayList<>();
        for (int from = 0; from < diffs.size(); from += 500) {
            List<Object[]> keys = new ArrayList<>();
            for (Diff d : diffs.subList(from, Math.min(diffs.size(), from + 500))) keys.add(d.source() != null ? d.source() : d.target());
            Map<RowKey, Object[]> missing = new LinkedHashMap<>();
            Map<RowKey, Object[]> extra = new LinkedHashMap<>();
            compareRows(byKeys(src, srcDialect, source, srcReader, keys), byKeys(tgt, tgtDialect, target, tgtReader, keys),
                    missing, extra, out);
            for (Object[] r : missing.values()) out.add(new Diff(Kind.MISSING, r, null, List.of(), 1));
            for (Object[] r : extra.values()) out.add(new Diff(Kind.EXTRA, null, r, List.of(), 1));
        }
        return out;
    }

    private List<Object[]> byKeys(Connection c, SqlDialect d, TableSchema t, RowReader reader, List<Object[]> rows) throws SQLException {
        List<String> ors = new ArrayList<>();
        List<Param> params = new ArrayList<>();
        for (Object[] r : rows) {
            List<String> ands = new ArrayList<>();
            for (int i = 0; i < keyIdx.length; i++) {
                ands.add(d.quote(t.keyColumns().get(i)) + " = ?");
                params.add(param(r, i));
            }
            ors.add("(" + String.join(" AND ", ands) + ")");
        }
        return query(c, d, select(t, reader, d) + " WHERE " + String.join(" OR ", ors), params);
    }

    // ---- keyless tables -----------------------------------------------------------------------------------------

    private List<Diff> compareKeyless(Progress progress) throws SQLException {
        Map<RowKey, Object[]> sample = new LinkedHashMap<>();
        Map<RowKey, Integer> count = new LinkedHashMap<>();
        rowsCompared = 0;
        for (int side = 0; side < 2; side++) {
            Connection c = side == 0 ? src : tgt;
            SqlDialect d = side == 0 ? srcDialect : tgtDialect;
            RowReader reader = side == 0 ? srcReader : tgtReader;
            int n = 0;
            try (PreparedStatement ps = c.prepareStatement(select(side == 0 ? source : target, reader, d));
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (++n > KEYLESS_MAX_ROWS) {
                        throw new ConfigException("Table " + source.id() + " has no key and more than " + KEYLESS_MAX_ROWS
                                + " rows, too many to compare as a whole in memory: not compared. Add a primary key.");
                    }
                    Object[] row = reader.read(rs);
                    RowKey k = new RowKey(normalize(row), allIndexes());
                    sample.putIfAbsent(k, row);
                    count.merge(k, side == 0 ? 1 : -1, Integer::sum);
                }
            }
            if (side == 0) rowsCompared = n;
            progress.rows(rowsCompared);
        }
        List<Diff> out = new ArrayList<>();
        for (var e : count.entrySet()) {
            int n = e.getValue();
            if (n > 0) out.add(new Diff(Kind.MISSING, sample.get(e.getKey()), null, List.of(), n));
            if (n < 0) out.add(new Diff(Kind.EXTRA, null, sample.get(e.getKey()), List.of(), -n));
        }
        return out;
    }

    private int[] allIndexes() {
        int[] idx = new int[source.columns().size()];
        for (int i = 0; i < idx.length; i++) idx[i] = i;
        return idx;
    }

    // ---- normalising --------------------------------------------------------------------------------------------

    private RowKey key(Object[] row) {
        Object[] k = new Object[keyIdx.length];
        for (int i = 0; i < k.length; i++) k[i] = normalize(source.columns().get(keyIdx[i]), row[keyIdx[i]]);
        int[] all = new int[k.length];
        for (int i = 0; i < all.length; i++) all[i] = i;
        return new RowKey(k, all);
    }

    private Object[] normalize(Object[] row) {
        Object[] out = new Object[row.length];
        for (int i = 0; i < row.length; i++) out[i] = normalize(source.columns().get(i), row[i]);
        return out;
    }

    /** The form two equal values share: see the class comment. */
    Object normalize(Column c, Object v) {
        if (v == null) return null;
        String base = c.baseType();
        if (pgTarget && v instanceof String && (base.equals("date") || base.equals("datetime") || base.equals("timestamp"))) {
            return null; // a zero date, which the PostgreSQL sink writes as NULL
        }
        if (base.equals("json") && v instanceof String s) return canonicalJson(s);
        if (v instanceof BigDecimal d) return d.signum() == 0 ? BigDecimal.ZERO : d.stripTrailingZeros();
        return v;
    }

    /** JSON text with object keys sorted and insignificant whitespace gone; unparsable text stays as it is. */
    static String canonicalJson(String s) {
        try {
            return JSON.writeValueAsString(sorted(JSON.readTree(s)));
        } catch (Exception e) {
            return s;
        }
    }

    private static Object sorted(JsonNode n) {
        if (n.isObject()) {
            Map<String, Object> m = new TreeMap<>();
            n.fields().forEachRemaining(e -> m.put(e.getKey(), sorted(e.getValue())));
            return m;
        }
        if (n.isArray()) {
            List<Object> l = new ArrayList<>();
            n.forEach(x -> l.add(sorted(x)));
            return l;
        }
        return n;
    }

    List<String> differing(Object[] s, Object[] t) {
        List<String> cols = new ArrayList<>();
        for (int i = 0; i < s.length; i++) {
            Column c = source.columns().get(i);
            if (!Values.same(normalize(c, s[i]), normalize(c, t[i]))) cols.add(c.name());
        }
        return cols;
    }

    /** A hash of the chunk's normalised rows in order; equal chunks hash alike. */
    private byte[] digest(List<Object[]> rows) {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        for (Object[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                Object v = normalize(source.columns().get(i), row[i]);
                byte[] b;
                if (v == null) b = null;
                else if (v instanceof byte[] x) b = x;
                else if (v instanceof Float f) b = Integer.toString(Float.floatToIntBits(f)).getBytes(StandardCharsets.UTF_8);
                else if (v instanceof Double f) b = Long.toString(Double.doubleToLongBits(f)).getBytes(StandardCharsets.UTF_8);
                else b = (v.getClass().getSimpleName() + ":" + v).getBytes(StandardCharsets.UTF_8);
                int len = b == null ? -1 : b.length;
                md.update(new byte[] {(byte) (len >>> 24), (byte) (len >>> 16), (byte) (len >>> 8), (byte) len});
                if (b != null) md.update(b);
            }
        }
        return md.digest();
    }

    /** Reports progress of a large table. */
    interface Progress {
        Progress NONE = rows -> { };

        void rows(long done);
    }

}
