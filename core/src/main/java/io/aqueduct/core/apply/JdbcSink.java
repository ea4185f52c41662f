package io.aqueduct.core.apply;

import io.aqueduct.core.model.Change;
import io.aqueduct.core.model.Ddl;
import io.aqueduct.core.model.RowChange;
import io.aqueduct.core.model.RowKey;
import io.aqueduct.core.model.TableId;
import io.aqueduct.core.model.TableSchema;
import io.aqueduct.core.model.Transaction;
import io.aqueduct.core.model.Values;
import io.aqueduct.core.pipeline.JobRunner;
import io.aqueduct.core.pipeline.Sink;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies transactions to a SQL database with idempotent, set-based statements.
 *
 * <p>For a table with a key, a batch is reduced to the final state of each key (row or absent); absent keys go out
 * as one {@code DELETE ... IN}, present rows as multi-row upserts (or, from {@link #BULK_ROWS} rows of a table on,
 * the dialect's bulk load where it has one and it leaves the same rows), deletes first. Re-applying a batch after a crash
 * therefore leaves the same rows. Should the merged form hit a constraint (a unique value moved between rows), the
 * batch is rolled back and re-applied change by change in source order. Tables without any key are applied in
 * source order, one row per statement, matching on every column written. Statements write the columns that the
 * target takes values for ({@link SqlDialect#written}).
 */
public final class JdbcSink implements Sink {
    private static final Logger LOG = LoggerFactory.getLogger(JdbcSink.class);
    private static final Object DELETED = new Object();
    private static final int DEADLOCK_ATTEMPTS = 20;
    /** Fewer upserts than this go as statements: a bulk load costs more round trips (a staging table, a stream). */
    public static final int BULK_ROWS = 100;

    private final SqlDialect dialect;
    private final int laneCount;
    private final Connection[] connections;
    /** Per lane, the shapes made ready on its connection, with the columns their statements write ({@link SqlDialect#written}). */
    private final List<Map<TableSchema, int[]>> ensured = new ArrayList<>();
    private final Set<Object> warnedKeyless = ConcurrentHashMap.newKeySet();
    private final Map<TableSchema, Map<Integer, String>> sqlCache = Collections.synchronizedMap(new IdentityHashMap<>());

    public JdbcSink(SqlDialect dialect, int lanes) {
        this.dialect = dialect;
        this.laneCount = lanes;
        this.connections = new Connection[lanes];
    }

    @Override
    public int lanes() {
        return laneCount;
    }

    @Override
    public void open() throws SQLException {
        for (int i = 0; i < laneCount; i++) {
            connections[i] = dialect.connect();
            dialect.prepareSession(connections[i]);
            ensured.add(new IdentityHashMap<>());
        }
    }

    @Override
    public void apply(int lane, List<Transaction> batch) throws SQLException {
        // a deadlock between lanes rolls back only this batch's target transaction when the batch began it: try
        // again here rather than restarting the whole job (parallel upserts of neighbouring key ranges meet often)
        boolean ownTransaction = batch.get(0).fragment() == 0;
        for (int attempt = 1; ; attempt++) {
            try {
                applyOnce(lane, batch);
                return;
            } catch (JobRunner.RetryableException e) {
                if (!ownTransaction || attempt >= DEADLOCK_ATTEMPTS || !(e.getCause() instanceof SQLException s)
                        || !dialect.isDeadlock(s)) {
                    throw e;
                }
                LOG.debug("Lane {} deadlocked ({}); applying its batch again, attempt {}", lane, s.getMessage(), attempt + 1);
            }
        }
    }

    private void applyOnce(int lane, List<Transaction> batch) throws SQLException {
        Connection c = connections[lane];
        boolean commit = batch.get(batch.size() - 1).last();
        try {
            // shapes first: a dialect may need to commit its DDL, which must not cut into the batch's own transaction
            for (Transaction tx : batch) {
                TableSchema last = null; // runs of changes of one shape are common: each is ensured once
                for (Change change : tx.changes()) {
                    if (change instanceof RowChange rc && rc.schema() != last) ensure(c, lane, last = rc.schema());
                }
            }
            if (batch.size() == 1 && batch.get(0).hasDdl()) {
                applyInOrder(c, lane, batch);
            } else {
                try {
                    applyMerged(c, lane, batch);
                } catch (SQLException e) {
                    if (!dialect.isConstraintViolation(e) || !batch.get(0).isWhole()) throw e;
                    LOG.info("Merged apply hit a constraint ({}); re-applying the batch change by change", e.getMessage());
                    c.rollback();
                    applyInOrder(c, lane, batch);
                }
            }
            if (commit) c.commit();
        } catch (SQLException | RuntimeException e) {
            try {
                c.rollback();
            } catch (SQLException ignored) {
                // the connection is likely gone; the transaction is rolled back by the server
            }
            if (e instanceof SQLException s && dialect.isTransient(s)) {
                throw new JobRunner.RetryableException(s.getMessage(), s);
            }
            throw e;
        }
    }

    /** The rows of one table shape gathered for a merged commit: the last change per key. */
    private record Pending(TableSchema schema, Map<RowKey, Object> rows) {}

    private void applyMerged(Connection c, int lane, List<Transaction> batch) throws SQLException {
        if (batch.size() == 1 && batch.get(0).keyRange()) {
            // inserts of distinct keys into one table: nothing to merge
            List<Change> changes = batch.get(0).changes();
            List<Object[]> rows = new ArrayList<>(changes.size());
            for (Change change : changes) rows.add(((RowChange) change).after());
            TableSchema s = ((RowChange) changes.get(0)).schema();
            writeRows(c, s, ensure(c, lane, s), rows, true);
            return;
        }
        // by table: a shape change inside the batch writes out what the old shape holds first, so one shape per table
        Map<TableId, Pending> keyed = new LinkedHashMap<>();
        TableSchema last = null; // runs of changes of one shape are common: their lookups are done once
        Map<RowKey, Object> rows = null;
        int[] idx = null;
        for (Transaction tx : batch) {
            for (Change change : tx.changes()) {
                RowChange rc = (RowChange) change;
                TableSchema s = rc.schema();
                if (s != last) {
                    Pending p = keyed.get(s.id());
                    if (p != null && p.schema() != s) {
                        // the table changed shape inside the batch: write out what the old shape holds first
                        flush(c, lane, keyed);
                        p = null;
                    }
                    if (!s.hasKey()) {
                        flush(c, lane, keyed);
                        applyOne(c, lane, rc);
                        last = null;
                        continue;
                    }
                    if (p == null) keyed.put(s.id(), p = new Pending(s, new LinkedHashMap<>()));
                    last = s;
                    rows = p.rows();
                    idx = s.keyIndexes();
                }
                if (rc.before() != null) {
                    RowKey before = new RowKey(rc.before(), idx);
                    if (rc.after() == null || !before.equals(new RowKey(rc.after(), idx))) rows.put(before, DELETED);
                }
                if (rc.after() != null) rows.put(new RowKey(rc.after(), idx), rc.after());
            }
        }
        flush(c, lane, keyed);
    }

    private void flush(Connection c, int lane, Map<TableId, Pending> keyed) throws SQLException {
        for (Pending p : keyed.values()) {
            TableSchema s = p.schema();
            int[] columns = ensure(c, lane, s);
            List<Object[]> deletes = new ArrayList<>();
            List<Object[]> upserts = new ArrayList<>();
            for (var row : p.rows().entrySet()) {
                if (row.getValue() == DELETED) deletes.add(row.getKey().values());
                else upserts.add((Object[]) row.getValue());
            }
            deleteByKey(c, s, deletes);
            writeRows(c, s, columns, upserts, true);
        }
        keyed.clear();
    }

    private void applyInOrder(Connection c, int lane, List<Transaction> batch) throws SQLException {
        for (Transaction tx : batch) {
            for (Change change : tx.changes()) {
                if (change instanceof Ddl ddl) {
                    dialect.applyDdl(c, ddl);
                    // the target's tables may have changed under the same shapes (a column now generated): ask again;
                    // no other lane is writing (a transaction with DDL is applied alone)
                    ensured.forEach(Map::clear);
                    sqlCache.clear();
                } else {
                    applyOne(c, lane, (RowChange) change);
                }
            }
        }
    }

    /** One change on its own, in order: by key where there is one, else matching every column written. */
    private void applyOne(Connection c, int lane, RowChange rc) throws SQLException {
        TableSchema s = rc.schema();
        int[] columns = ensure(c, lane, s);
        if (s.hasKey()) {
            int[] idx = s.keyIndexes();
            if (rc.before() != null && (rc.after() == null || !new RowKey(rc.before(), idx).equals(new RowKey(rc.after(), idx)))) {
                deleteByKey(c, s, List.<Object[]>of(new RowKey(rc.before(), idx).values()));
            }
            if (rc.after() != null) writeRows(c, s, columns, List.<Object[]>of(rc.after()), true);
            return;
        }
        if (warnedKeyless.add(s.id())) {
            LOG.warn("Table {} has no primary key and no unique key on NOT NULL columns: its updates and deletes match "
                    + "rows on every column, and a restart after a crash may insert its recent rows twice. Add a "
                    + "primary key to make it exact.", s.id());
        }
        switch (rc.op()) {
            case INSERT -> writeRows(c, s, columns, List.<Object[]>of(rc.after()), false);
            case DELETE -> {
                try (PreparedStatement ps = c.prepareStatement(dialect.deleteOneMatching(s, columns))) {
                    bind(ps, 1, s, columns, rc.before());
                    ps.executeUpdate();
                }
            }
            case UPDATE -> {
                try (PreparedStatement ps = c.prepareStatement(dialect.updateOneMatching(s, columns))) {
                    bind(ps, bind(ps, 1, s, columns, rc.after()), s, columns, rc.before());
                    ps.executeUpdate();
                }
            }
        }
    }

    /** Binds the row's values of the columns from parameter {@code p} on; returns the next parameter's index. */
    private int bind(PreparedStatement ps, int p, TableSchema s, int[] columns, Object[] row) throws SQLException {
        for (int i : columns) dialect.bind(ps, p++, s.columns().get(i), row[i]);
        return p;
    }

    /** Makes the target ready for the shape on this lane's connection, once; returns the columns statements write. */
    private int[] ensure(Connection c, int lane, TableSchema s) throws SQLException {
        int[] columns = ensured.get(lane).get(s);
        if (columns != null) return columns;
        dialect.ensureTable(c, s);
        columns = dialect.written(c, s);
        ensured.get(lane).put(s, columns);
        return columns;
    }

    private int rowsPerStatement(int paramsPerRow) {
        return Math.max(1, Math.min(1000, dialect.maxParameters() / Math.max(1, paramsPerRow)));
    }

    private void writeRows(Connection c, TableSchema s, int[] columns, List<Object[]> rows, boolean upsert) throws SQLException {
        if (upsert && rows.size() >= BULK_ROWS && dialect.upsertInBulk(c, s, columns, rows)) return;
        int per = rowsPerStatement(columns.length);
        for (int from = 0; from < rows.size(); from += per) {
            int n = Math.min(per, rows.size() - from);
            String sql = cachedSql(s, (upsert ? 1 : 2) * 10_000_000 + n,
                    () -> upsert ? dialect.upsert(s, columns, n) : dialect.insert(s, columns, n));
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                int p = 1;
                for (int r = from; r < from + n; r++) p = bind(ps, p, s, columns, rows.get(r));
                ps.executeUpdate();
            }
        }
    }

    private void deleteByKey(Connection c, TableSchema s, List<Object[]> keys) throws SQLException {
        if (keys.isEmpty()) return;
        int[] idx = s.keyIndexes();
        int per = rowsPerStatement(idx.length);
        for (int from = 0; from < keys.size(); from += per) {
            int n = Math.min(per, keys.size() - from);
            String sql = cachedSql(s, 3 * 10_000_000 + n, () -> deleteByKeySql(s, n));
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                int p = 1;
                for (int r = from; r < from + n; r++) {
                    Object[] key = keys.get(r);
                    for (int i = 0; i < idx.length; i++) dialect.bind(ps, p++, s.columns().get(idx[i]), key[i]);
                }
                ps.executeUpdate();
            }
        }
    }

    private String deleteByKeySql(TableSchema s, int rows) {
        List<String> keys = s.keyColumns();
        StringBuilder sb = new StringBuilder("DELETE FROM ").append(dialect.table(s.id())).append(" WHERE ");
        if (keys.size() == 1) {
            sb.append(dialect.quote(keys.get(0))).append(" IN (");
            for (int r = 0; r < rows; r++) sb.append(r == 0 ? "?" : ",?");
            return sb.append(')').toString();
        }
        sb.append('(');
        for (int i = 0; i < keys.size(); i++) sb.append(i == 0 ? "" : ",").append(dialect.quote(keys.get(i)));
        sb.append(") IN (");
        String tuple = "(" + "?,".repeat(keys.size() - 1) + "?)";
        for (int r = 0; r < rows; r++) sb.append(r == 0 ? "" : ",").append(tuple);
        return sb.append(')').toString();
    }

    private String cachedSql(TableSchema s, int kind, java.util.function.Supplier<String> build) {
        return sqlCache.computeIfAbsent(s, k -> new ConcurrentHashMap<>()).computeIfAbsent(kind, k -> build.get());
    }

    @Override
    public void close() {
        for (Connection c : connections) {
            if (c == null) continue;
            try {
                c.close();
            } catch (SQLException ignored) {
                // closing is best effort; uncommitted work is rolled back by the server
            }
        }
    }

}
