package io.aqueduct.mysql;

import io.aqueduct.core.config.ConfigException;
import io.aqueduct.core.config.Endpoint;
import io.aqueduct.core.config.SnapshotSettings;
import io.aqueduct.core.filter.TableFilter;
import io.aqueduct.core.model.Change;
import io.aqueduct.core.model.Column;
import io.aqueduct.core.model.RowChange;
import io.aqueduct.core.model.TableId;
import io.aqueduct.core.model.TableSchema;
import io.aqueduct.core.model.Values;
import io.aqueduct.core.progress.Progress;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the selected tables for an initial snapshot, beside the binlog reader, and hands them to the {@link Emitter}
 * that merges them into the stream. A table with a key is split into key ranges of {@code chunk-rows} rows (keyset
 * pagination on the key's index) that {@code parallelism} connections read at once, each range in a short consistent
 * snapshot of its own: no global lock and no long transaction. A table without a key is read whole in one consistent
 * snapshot while the stream waits at its position. Progress is the key of the last range applied, kept in the
 * position, so a restart continues there.
 */
final class MySqlSnapshot implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MySqlSnapshot.class);
    private static final int ER_TABLE_DEF_CHANGED = 1412;
    private static final int ER_NO_SUCH_TABLE = 1146;
    private static final int ER_BAD_FIELD = 1054;
    private static final int MAX_ATTEMPTS = 1000;

    /** A piece of work in chunk order: a key range, a whole keyless table, or a table that is gone. */
    private record Range(long index, TableId table, TableSchema schema, Object[] lo, Object[] hi, boolean last) {
        boolean whole() {
            return schema != null && !schema.hasKey();
        }
    }

    private final Endpoint endpoint;
    private final TableFilter filter;
    private final SnapshotSettings settings;
    private final Emitter emitter;
    private final long fragmentBytes;
    private final Consumer<Exception> onFailure;
    private final List<TableId> tables;
    private final List<Thread> workers = new ArrayList<>();
    private final List<Connection> connections = new ArrayList<>();
    private volatile boolean closed;
    private Progress progress;
    private final Map<TableId, Progress.Task> tasks = new HashMap<>();
    private int tablesDone;
    // the planner's state, guarded by this
    private Connection planner;
    private int tableIndex;
    private TableSchema schema;
    private Object[] after;
    private int chunkRows;
    private long nextIndex;

    MySqlSnapshot(Endpoint endpoint, TableFilter filter, SnapshotSettings settings, SnapshotProgress from, Emitter emitter,
                  long fragmentBytes, Consumer<Exception> onFailure) {
        this.endpoint = endpoint;
        this.filter = filter;
        this.settings = settings;
        this.emitter = emitter;
        this.fragmentBytes = fragmentBytes;
        this.onFailure = onFailure;
        this.tables = from.tables();
        this.after = from.after();
        emitter.onCopied(this::copied);
    }

    void start() throws SQLException {
        planner = connect();
        LOG.info("Snapshot of {} table(s) from {}{}", tables.size(), tables.get(0),
                after == null ? "" : ", continuing after key " + java.util.Arrays.toString(after));
        boolean terminal = Progress.isTerminal();
        progress = Progress.open("Snapshot", terminal ? System.out : System.err, terminal);
        for (TableId t : tables) tasks.put(t, progress.task(t.toString(), statistics(t)[0]));
        for (int i = 0; i < settings.parallelism(); i++) {
            Connection c = connect();
            Thread t = new Thread(() -> work(c), "snapshot-" + i);
            t.setDaemon(true);
            workers.add(t);
        }
        workers.forEach(Thread::start);
    }

    private Connection connect() throws SQLException {
        Connection c = MySqlConnections.open(endpoint, null, "source");
        synchronized (connections) {
            connections.add(c);
        }
        MySqlRowReader.prepareSession(c);
        try (Statement st = c.createStatement()) {
            st.execute("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ");
        }
        return c;
    }

    /** The server's estimates of a table's row count and average row length in bytes (0 when unknown). */
    private long[] statistics(TableId t) throws SQLException {
        try (PreparedStatement ps = planner.prepareStatement("SELECT TABLE_ROWS, AVG_ROW_LENGTH FROM information_schema.TABLES "
                + "WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?")) {
            ps.setString(1, t.schema());
            ps.setString(2, t.table());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new long[] {rs.getLong(1), rs.getLong(2)} : new long[2];
            }
        }
    }

    /**
     * Counts rows emitted for a table (the {@link Emitter} calls it in emission order); the table's last chunk ends
     * its progress, the last table the display.
     */
    private void copied(TableId t, long rows, boolean tableDone) {
        Progress.Task task = tasks.get(t);
        task.add(rows);
        if (!tableDone) return;
        boolean all;
        synchronized (tasks) {
            if (task.isDone()) return; // a table dropped meanwhile ends at each of its remaining ranges
            task.done();
            all = ++tablesDone == tasks.size();
        }
        if (all) progress.close();
    }

    private void work(Connection c) {
        try {
            for (Range r = next(); r != null && !closed; r = next()) {
                if (r.schema() == null) emitter.skip(r.index(), r.table());
                else if (r.whole()) copyWhole(c, r);
                else copyRange(c, r);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            if (!closed) onFailure.accept(e);
        } finally {
            release(c); // a job that follows the binlog for months keeps no idle snapshot connections
        }
    }

    private void release(Connection c) {
        synchronized (connections) {
            connections.remove(c);
        }
        try {
            c.close();
        } catch (SQLException ignored) {
            // done with it either way
        }
    }

    /** The next piece of work, found by walking each table's key index {@code chunk-rows} entries at a time. */
    private synchronized Range next() throws SQLException {
        while (tableIndex < tables.size()) {
            TableId t = tables.get(tableIndex);
            tasks.get(t).start(); // its time and rate count from its first read
            if (schema == null) {
                schema = filter.test(t) ? new MySqlCatalog(planner).table(t) : null;
                if (schema == null || !schema.hasKey()) {
                    tableIndex++;
                    TableSchema s = schema;
                    schema = null;
                    if (s == null) LOG.warn("Table {} no longer exists or is no longer selected; the snapshot moves on", t);
                    return new Range(nextIndex++, t, s, null, null, true);
                }
                chunkRows = chunkRows(t);
            }
            Object[] lo = after;
            Object[] hi = boundary(schema, lo);
            Range r = new Range(nextIndex++, t, schema, lo, hi, hi == null);
            if (hi == null) {
                tableIndex++;
                schema = null;
                after = null;
            } else {
                after = hi;
            }
            return r;
        }
        if (planner != null) {
            release(planner);
            planner = null;
        }
        return null;
    }

    /**
     * {@code chunk-rows}, fewer for wide rows: a chunk is emitted as one transaction, which must stay within
     * {@code memory.transaction} (held in Java, a row takes about three times its size on disk).
     */
    private int chunkRows(TableId t) throws SQLException {
        long avg = statistics(t)[1];
        long fits = avg <= 0 ? Long.MAX_VALUE : fragmentBytes / (3 * avg);
        int rows = (int) Math.max(1, Math.min(settings.chunkRows(), fits));
        if (rows < settings.chunkRows()) {
            LOG.info("{}: chunks of {} rows (rows average {} bytes; memory.transaction is {} bytes)", t, rows, avg, fragmentBytes);
        }
        return rows;
    }

    /** The key of the {@code chunkRows}-th row after {@code lo}, or null when fewer rows follow. */
    private Object[] boundary(TableSchema s, Object[] lo) throws SQLException {
        List<Column> keys = keyColumns(s);
        MySqlRowReader reader = new MySqlRowReader(keys);
        String order = String.join(", ", s.keyColumns().stream().map(MySqlRowReader::quote).toList());
        String sql = "SELECT " + reader.selectList(s.keyColumns()) + " FROM " + name(s.id())
                + (lo == null ? "" : " WHERE " + after(s.keyColumns())) + " ORDER BY " + order
                + " LIMIT 1 OFFSET " + (chunkRows - 1);
        try (PreparedStatement ps = planner.prepareStatement(sql)) {
            if (lo != null) bindAfter(ps, 1, keys, lo);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? reader.read(rs) : null;
            }
        } catch (SQLException e) {
            if (e.getErrorCode() == ER_NO_SUCH_TABLE) return null; // dropped meanwhile: its range read finds that out
            throw e;
        }
    }

    /** Reads one key range in its own consistent snapshot and emits it; reads again when a DDL came by. */
    private void copyRange(Connection c, Range r) throws Exception {
        TableSchema s = r.schema();
        for (int attempt = 1; ; attempt++) {
            Emitter.Window w = emitter.open(r.table());
            Rows rows;
            try {
                MySqlPosition p = begin(c);
                if (p != null && MySqlPosition.compare(p, w.opened) < 0) {
                    // the stream emitted transactions this snapshot does not see yet: take a newer one
                    rollback(c);
                    emitter.close(w);
                    check(attempt, r);
                    continue;
                }
                rows = select(c, s, r);
                commit(c);
            } catch (SQLException e) {
                rollback(c);
                emitter.close(w);
                if (e.getErrorCode() == ER_NO_SUCH_TABLE) {
                    emitter.skip(r.index(), r.table());
                    return;
                }
                if (e.getErrorCode() != ER_TABLE_DEF_CHANGED && e.getErrorCode() != ER_BAD_FIELD) throw e;
                check(attempt, r);
                s = reread(c, r);
                continue;
            }
            if (emitter.chunk(r.index(), w, s, rows.rows(), rows.sizeEstimate(), r.last(), r.hi())) return;
            check(attempt, r);
            s = reread(c, r);
        }
    }

    private TableSchema reread(Connection c, Range r) throws SQLException {
        TableSchema s = new MySqlCatalog(c).table(r.table());
        if (s == null) return r.schema(); // dropped: the next read says so
        if (!s.hasKey()) {
            throw new ConfigException("Table " + r.table() + " lost its key while its snapshot ran. Restart the job; "
                    + "it copies the table whole from then on.");
        }
        return s;
    }

    private static void check(int attempt, Range r) {
        if (attempt >= MAX_ATTEMPTS) {
            throw new IllegalStateException("Gave up reading chunk " + r.index() + " of " + r.table() + " after "
                    + attempt + " attempts: the table's definition keeps changing, or the source's snapshot position "
                    + "stays behind what the binlog reader has seen.");
        }
    }

    /** A range's rows, with their {@link Values#sizeEstimate}s summed as they were read. */
    private record Rows(List<Object[]> rows, long sizeEstimate) {}

    private Rows select(Connection c, TableSchema s, Range r) throws SQLException {
        MySqlRowReader reader = new MySqlRowReader(s.columns());
        List<String> names = s.columns().stream().map(Column::name).toList();
        List<String> where = new ArrayList<>();
        if (r.lo() != null) where.add("(" + after(s.keyColumns()) + ")");
        if (r.hi() != null) where.add("(" + upTo(s.keyColumns()) + ")");
        String sql = "SELECT " + reader.selectList(names) + " FROM " + name(s.id())
                + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where));
        List<Column> keys = keyColumns(s);
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            if (r.lo() != null) i = bindAfter(ps, i, keys, r.lo());
            if (r.hi() != null) bindUpTo(ps, i, keys, r.hi());
            List<Object[]> rows = new ArrayList<>();
            long size = 0;
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Object[] row = reader.read(rs);
                    rows.add(row);
                    size += Values.sizeEstimate(row); // now, while the row is in the CPU's cache
                }
            }
            return new Rows(rows, size);
        }
    }

    /** Copies a table without a key whole, at exactly its snapshot's binlog position, as fragments. */
    private void copyWhole(Connection c, Range r) throws Exception {
        for (int attempt = 1; ; attempt++) {
            MySqlPosition emitted = emitter.hold(r.index());
            boolean copying = false;
            try {
                MySqlPosition p = begin(c);
                if (p == null) {
                    throw new ConfigException("Table " + r.table() + " has no primary key and no unique key on NOT NULL "
                            + "columns, and the source does not report the binlog position of a consistent snapshot "
                            + "(MariaDB does, MySQL does not), so it cannot be copied exactly while it takes writes. Add a "
                            + "primary key to it, or exclude it from the job and copy it yourself.");
                }
                if (MySqlPosition.compare(p, emitted) < 0) {
                    rollback(c);
                    emitter.release();
                    check(attempt, r);
                    continue;
                }
                emitter.advanceTo(p);
                TableSchema s = new MySqlCatalog(c).table(r.table());
                if (s == null) {
                    rollback(c);
                    emitter.release();
                    emitter.skip(r.index(), r.table());
                    return;
                }
                copying = true;
                streamWhole(c, s, r.index());
                commit(c);
                return;
            } catch (Exception e) {
                rollback(c);
                if (!copying) emitter.release();
                throw e;
            }
        }
    }

    private void streamWhole(Connection c, TableSchema s, long index) throws SQLException, InterruptedException {
        LOG.info("Copying {} whole (no key): the binlog reader waits at the snapshot position until it is done", s.id());
        MySqlRowReader reader = new MySqlRowReader(s.columns());
        String sql = "SELECT " + reader.selectList(s.columns().stream().map(Column::name).toList()) + " FROM " + name(s.id());
        int fragment = 0;
        List<Change> rows = new ArrayList<>();
        long bytes = 0;
        try (Statement st = c.createStatement()) {
            st.setFetchSize(1000); // streams the result instead of holding the table in memory
            try (ResultSet rs = st.executeQuery(sql)) {
                while (rs.next()) {
                    RowChange rc = new RowChange(s, RowChange.Op.INSERT, null, reader.read(rs));
                    rows.add(rc);
                    bytes += rc.sizeEstimate();
                    if (bytes > fragmentBytes) {
                        emitter.whole(index, s, fragment++, rows, false);
                        rows = new ArrayList<>();
                        bytes = 0;
                    }
                }
            }
        }
        emitter.whole(index, s, fragment, rows, true);
    }

    /** Starts a consistent snapshot and returns its binlog position, or null when the server does not report one. */
    private static MySqlPosition begin(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY");
            String file = null;
            long pos = 0;
            try (ResultSet rs = st.executeQuery("SHOW SESSION STATUS LIKE 'binlog_snapshot_%'")) {
                while (rs.next()) {
                    if (rs.getString(1).equalsIgnoreCase("Binlog_snapshot_file")) file = rs.getString(2);
                    else if (rs.getString(1).equalsIgnoreCase("Binlog_snapshot_position")) pos = Long.parseLong(rs.getString(2));
                }
            }
            return file == null || file.isEmpty() ? null : new MySqlPosition(file, pos, "");
        }
    }

    private static void commit(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("COMMIT");
        }
    }

    private static void rollback(Connection c) {
        try (Statement st = c.createStatement()) {
            st.execute("ROLLBACK");
        } catch (SQLException ignored) {
            // a broken connection fails the next statement with the real cause
        }
    }

    private static List<Column> keyColumns(TableSchema s) {
        return s.keyColumns().stream().map(s::column).toList();
    }

    private static String name(TableId t) {
        return MySqlRowReader.quote(t.schema()) + "." + MySqlRowReader.quote(t.table());
    }

    /** {@code key > (?, ...)} in the form the optimizer turns into a range on the key's index. */
    private static String after(List<String> keys) {
        List<String> or = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            StringBuilder and = new StringBuilder();
            for (int j = 0; j < i; j++) and.append(MySqlRowReader.quote(keys.get(j))).append(" = ? AND ");
            or.add(and.append(MySqlRowReader.quote(keys.get(i))).append(" > ?").toString());
        }
        return keys.size() == 1 ? or.get(0) : "(" + String.join(") OR (", or) + ")";
    }

    /** {@code key <= (?, ...)}. */
    private static String upTo(List<String> keys) {
        List<String> or = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            StringBuilder and = new StringBuilder();
            for (int j = 0; j < i; j++) and.append(MySqlRowReader.quote(keys.get(j))).append(" = ? AND ");
            boolean lastColumn = i == keys.size() - 1;
            or.add(and.append(MySqlRowReader.quote(keys.get(i))).append(lastColumn ? " <= ?" : " < ?").toString());
        }
        return keys.size() == 1 ? or.get(0) : "(" + String.join(") OR (", or) + ")";
    }

    /** Binds the parameters of {@link #after} or {@link #upTo} (both bind the same values in the same order). */
    private static int bindAfter(PreparedStatement ps, int i, List<Column> keys, Object[] key) throws SQLException {
        for (int n = 0; n < keys.size(); n++) {
            for (int j = 0; j <= n; j++) MySqlDialect.bindValue(ps, i++, keys.get(j), key[j]);
        }
        return i;
    }

    private static int bindUpTo(PreparedStatement ps, int i, List<Column> keys, Object[] key) throws SQLException {
        return bindAfter(ps, i, keys, key);
    }

    @Override
    public void close() {
        closed = true;
        if (progress != null) progress.close();
        workers.forEach(Thread::interrupt);
        synchronized (connections) {
            for (Connection c : connections) {
                try {
                    c.close();
                } catch (SQLException ignored) {
                    // closing anyway
                }
            }
            connections.clear();
        }
        for (Thread t : workers) {
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
