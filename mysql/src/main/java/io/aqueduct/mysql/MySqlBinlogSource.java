package io.aqueduct.mysql;

import com.github.shyiko.mysql.binlog.BinaryLogClient;
import com.github.shyiko.mysql.binlog.GtidSet;
import com.github.shyiko.mysql.binlog.event.Event;
import com.github.shyiko.mysql.binlog.event.EventData;
import com.github.shyiko.mysql.binlog.event.EventHeaderV4;
import com.github.shyiko.mysql.binlog.event.EventType;
import com.github.shyiko.mysql.binlog.event.GtidEventData;
import com.github.shyiko.mysql.binlog.event.MariadbGtidEventData;
import com.github.shyiko.mysql.binlog.event.MariadbGtidListEventData;
import com.github.shyiko.mysql.binlog.event.QueryEventData;
import com.github.shyiko.mysql.binlog.event.RotateEventData;
import com.github.shyiko.mysql.binlog.event.TableMapEventData;
import com.github.shyiko.mysql.binlog.event.deserialization.EventDeserializer;
import com.github.shyiko.mysql.binlog.network.ServerException;
import io.aqueduct.core.config.ConfigException;
import io.aqueduct.core.config.Endpoint;
import io.aqueduct.core.config.SnapshotSettings;
import io.aqueduct.core.config.StartPosition;
import io.aqueduct.core.filter.TableFilter;
import io.aqueduct.core.model.Change;
import io.aqueduct.core.model.Ddl;
import io.aqueduct.core.model.Position;
import io.aqueduct.core.model.RowChange;
import io.aqueduct.core.model.TableId;
import io.aqueduct.core.model.TableSchema;
import io.aqueduct.core.pipeline.Source;
import io.aqueduct.core.pipeline.TransactionQueue;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a MySQL or MariaDB binlog as a replica would (COM_BINLOG_DUMP through the binlog client library), decodes row
 * events itself, and emits whole transactions. Each emitted position is the offset just after a commit, so a restart
 * never begins inside a transaction. A connection loss ends {@link #run} with an IOException; the job runner restarts
 * from the last committed position, which is also how a crash is recovered.
 */
public final class MySqlBinlogSource implements Source {
    private static final Logger LOG = LoggerFactory.getLogger(MySqlBinlogSource.class);
    private static final long SILENCE_LIMIT_MS = 30_000;

    private final Endpoint endpoint;
    private final TableFilter filter;
    private final long fragmentBytes;
    private final SchemaHistory history;
    private final SnapshotSettings snapshot;
    private volatile BinaryLogClient client;
    private volatile Emitter emitter;
    private volatile boolean closed;

    /**
     * @param historyFile where table definitions are kept by position for sources without full row metadata (null:
     *                    in memory only)
     */
    public MySqlBinlogSource(Endpoint endpoint, TableFilter filter, long fragmentBytes, Path historyFile) {
        this(endpoint, filter, fragmentBytes, historyFile, SnapshotSettings.INCREMENTAL);
    }

    /** @param snapshot the job's mode: with a copying mode the start position carries the tables to copy */
    public MySqlBinlogSource(Endpoint endpoint, TableFilter filter, long fragmentBytes, Path historyFile,
                             SnapshotSettings snapshot) {
        this.endpoint = endpoint;
        this.filter = filter;
        this.fragmentBytes = fragmentBytes;
        this.history = new SchemaHistory(historyFile);
        this.snapshot = snapshot;
    }

    @Override
    public Position parsePosition(String json) {
        return MySqlPosition.parse(json);
    }

    /** With a copying mode: the binlog's current end, and every selected table still to copy. */
    @Override
    public Position resolveStart() throws SQLException {
        try (Connection c = MySqlConnections.open(endpoint, null, "source")) {
            if (snapshot.copies()) {
                MySqlPosition now = resolve(c, new StartPosition.Latest());
                List<TableId> tables = new MySqlCatalog(c).tables(filter);
                return tables.isEmpty() ? now : now.withSnapshot(new SnapshotProgress(tables, null));
            }
            MySqlPosition p = resolve(c, endpoint.start());
            if (!p.file().isEmpty()) requireAvailable(c, p.file());
            else requireGtidsAvailable(c, p.gtids());
            return p;
        }
    }

    @Override
    public List<TableSchema> tables() throws SQLException {
        try (Connection c = MySqlConnections.open(endpoint, null, "source")) {
            MySqlCatalog catalog = new MySqlCatalog(c);
            List<TableSchema> out = new ArrayList<>();
            for (TableId t : catalog.tables(filter)) {
                TableSchema s = catalog.table(t);
                if (s != null) out.add(s);
            }
            return out;
        }
    }

    @Override
    public void run(Position from, TransactionQueue out) throws Exception {
        Connection jdbc = MySqlConnections.open(endpoint, null, "source");
        try {
            MySqlPosition start = from != null ? (MySqlPosition) from : (MySqlPosition) resolveStart();
            if (!snapshot.follows() && start.snapshot() == null) {
                LOG.info("The snapshot is complete; with mode: full there is nothing more to do");
                return;
            }
            if (!start.file().isEmpty()) requireAvailable(jdbc, start.file());
            else requireGtidsAvailable(jdbc, start.gtids());
            Reader reader = new Reader(jdbc, Collations.load(jdbc), start, out);
            reader.stream();
        } finally {
            try {
                jdbc.close();
            } catch (SQLException ignored) {
                // nothing to keep
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        Emitter e = emitter;
        if (e != null) e.abort();
        BinaryLogClient c = client;
        if (c != null) {
            try {
                c.disconnect();
            } catch (IOException ignored) {
                // the reader notices the closed flag either way
            }
        }
    }

    /** Turns the configured start into a concrete position. */
    static MySqlPosition resolve(Connection c, StartPosition start) throws SQLException {
        if (start instanceof StartPosition.FileOffset f) return new MySqlPosition(f.file(), f.position(), "");
        if (start instanceof StartPosition.Gtid g) return new MySqlPosition("", 4, g.gtidSet());
        if (start instanceof StartPosition.Earliest) {
            List<String> logs = binaryLogs(c);
            return new MySqlPosition(logs.get(0), 4, "");
        }
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW MASTER STATUS")) {
            if (!rs.next()) throw notLogging();
            String gtids = "";
            try (Statement st2 = c.createStatement(); ResultSet g = st2.executeQuery("SELECT @@global.gtid_binlog_pos")) {
                if (g.next() && g.getString(1) != null) gtids = g.getString(1);
            } catch (SQLException mysql) {
                try (Statement st3 = c.createStatement(); ResultSet g = st3.executeQuery("SELECT @@global.gtid_executed")) {
                    if (g.next() && g.getString(1) != null) gtids = g.getString(1).replace("\n", "");
                }
            }
            return new MySqlPosition(rs.getString(1), rs.getLong(2), gtids);
        }
    }

    static List<String> binaryLogs(Connection c) throws SQLException {
        List<String> logs = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW BINARY LOGS")) {
            while (rs.next()) logs.add(rs.getString(1));
        } catch (SQLException e) {
            if (e.getErrorCode() == 1381) throw notLogging();
            throw e;
        }
        if (logs.isEmpty()) throw notLogging();
        return logs;
    }

    private static ConfigException notLogging() {
        return new ConfigException("The source server does not write a binary log. Start it with log_bin enabled "
                + "(log-bin=mysql-bin), binlog_format=ROW, binlog_row_image=FULL and binlog_row_metadata=FULL, then run "
                + "'aqueduct precheck JOB'.");
    }

    private static void requireAvailable(Connection c, String file) throws SQLException {
        List<String> logs = binaryLogs(c);
        if (!logs.contains(file)) {
            throw new ConfigException("The start position is in binlog file " + file + ", which the source no longer has "
                    + "(purged, or never existed). The oldest file available is " + logs.get(0) + ". Changes in between "
                    + "are lost to replication: re-copy the tables, then delete the job's position.json and start from "
                    + "'latest' (or raise the source's binlog retention, expire_logs_days / binlog_expire_logs_seconds, "
                    + "so this does not recur).");
        }
    }

    /** MariaDB: every domain's GTID in the oldest binlog's Gtid_list must be at or before the start's GTID of that domain. */
    static void requireGtidsAvailable(Connection c, String gtids) throws SQLException {
        if (gtids == null || !gtids.matches("[0-9]+-[0-9]+-[0-9]+(,[0-9]+-[0-9]+-[0-9]+)*")) return;
        Map<Long, Long> start = new HashMap<>();
        for (String g : gtids.split(",")) {
            String[] x = g.split("-");
            start.put(Long.parseLong(x[0]), Long.parseLong(x[2]));
        }
        String oldest = binaryLogs(c).get(0);
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW BINLOG EVENTS IN '" + oldest + "' LIMIT 4")) {
            while (rs.next()) {
                if (!"Gtid_list".equals(rs.getString("Event_type"))) continue;
                String info = rs.getString("Info").replaceAll("[\\[\\] ]", "");
                for (String g : info.split(",")) {
                    if (g.isEmpty()) continue;
                    String[] x = g.split("-");
                    Long have = start.get(Long.parseLong(x[0]));
                    if (have == null || have < Long.parseLong(x[2])) {
                        throw new ConfigException("The start GTID position " + gtids + " is older than the source's oldest binlog "
                                + oldest + ", which begins after " + g + ": the transactions in between were purged.");
                    }
                }
            }
        }
    }

    /** A rows event body kept raw; it is decoded with the table mapping in force when the reader gets to it. */
    private record RawRows(byte[] body) implements EventData {}

    /** One connection's worth of reading: the client, the current transaction, and the table mappings. */
    private final class Reader {
        private final Connection jdbc;
        private final Collations collations;
        private final Emitter out;
        private final MySqlSnapshot copier;
        private volatile boolean finished;
        private final MySqlCatalog catalog;
        private final Map<Long, TableMapping> tablesById = new HashMap<>();
        private final Map<TableId, TableSchema> catalogCache = new HashMap<>();
        private final TreeMap<Long, String> mariaGtids = new TreeMap<>();
        private GtidSet mysqlGtids;
        private String file;
        private String gtid;
        private String origin;
        private List<Change> changes = new ArrayList<>();
        private final List<Object[]> rows = new ArrayList<>();
        private long bytes;
        private int fragment;
        private final Map<String, Integer> savepoints = new HashMap<>();
        private final Map<String, List<Change>> prepared = new HashMap<>();
        private String xaStart;
        /**
         * For each prepared XA transaction not yet committed or rolled back, the position before it. While any is
         * open, emitted positions stay at the oldest of these, so a restart reads the prepared rows again.
         */
        private final Map<String, MySqlPosition> xaResume = new java.util.LinkedHashMap<>();
        private MySqlPosition lastPosition;
        private volatile Exception failure;
        private volatile long lastEventAt = System.currentTimeMillis();
        /** Set while an event is handled: waiting for a full queue or for a snapshot is not silence. */
        private volatile boolean busy;

        Reader(Connection jdbc, Collations collations, MySqlPosition start, TransactionQueue queue) {
            this.jdbc = jdbc;
            this.collations = collations;
            this.out = new Emitter(queue, start, this::snapshotDone);
            emitter = out;
            this.copier = start.snapshot() == null ? null
                    : new MySqlSnapshot(endpoint, filter, snapshot, start.snapshot(), out, fragmentBytes, this::fail);
            this.catalog = new MySqlCatalog(jdbc);
            this.file = start.file();
            this.lastPosition = start;
            String g = start.gtids() == null ? "" : start.gtids();
            if (!g.isEmpty()) {
                if (g.matches("[0-9]+-[0-9]+-[0-9]+(,[0-9]+-[0-9]+-[0-9]+)*")) setMariaGtids(g);
                else mysqlGtids = new GtidSet(g);
            }
            BinaryLogClient c = new BinaryLogClient(endpoint.host(), endpoint.port(), endpoint.user(),
                    endpoint.password() == null ? "" : endpoint.password());
            c.setServerId(endpoint.serverId());
            c.setKeepAlive(false);
            c.setHeartbeatInterval(5000);
            c.setConnectTimeout(10_000);
            if (start.file().isEmpty()) {
                c.setGtidSet(g);
            } else {
                c.setBinlogFilename(start.file());
                c.setBinlogPosition(start.offset());
            }
            EventDeserializer d = new EventDeserializer();
            for (EventType t : List.of(EventType.WRITE_ROWS, EventType.EXT_WRITE_ROWS, EventType.UPDATE_ROWS,
                    EventType.EXT_UPDATE_ROWS, EventType.DELETE_ROWS, EventType.EXT_DELETE_ROWS)) {
                d.setEventDataDeserializer(t, in -> new RawRows(in.read(in.available())));
            }
            c.setEventDeserializer(d);
            c.registerEventListener(this::onEvent);
            c.registerLifecycleListener(new BinaryLogClient.AbstractLifecycleListener() {
                @Override
                public void onCommunicationFailure(BinaryLogClient client, Exception ex) {
                    fail(ex);
                }

                @Override
                public void onEventDeserializationFailure(BinaryLogClient client, Exception ex) {
                    fail(ex);
                }
            });
            client = c;
        }

        void stream() throws Exception {
            if (closed) return;
            Thread watchdog = new Thread(this::watch, "binlog-watchdog");
            watchdog.setDaemon(true);
            watchdog.start();
            LOG.info("Reading the binlog of {} from {}", endpoint.address(), file.isEmpty() ? "GTID set" : file);
            try {
                if (copier != null) copier.start();
                client.connect();
            } catch (ServerException e) {
                throw explain(e);
            } catch (IOException e) {
                ConfigException c = MySqlConnections.describe(e, endpoint, "source");
                if (c != null) throw c;
                throw e;
            } finally {
                watchdog.interrupt();
                out.abort();
                if (copier != null) copier.close();
            }
            Exception f = failure;
            if (f instanceof ServerException se) throw explain(se);
            if (f != null) throw f;
            if (!closed && !finished) throw new IOException("the source closed the binlog connection");
        }

        /** Called once the last chunk is emitted; with mode: full the run ends there. */
        private void snapshotDone() {
            LOG.info("Snapshot complete; {}", snapshot.follows() ? "following the binlog" : "stopping (mode: full)");
            if (snapshot.follows()) return;
            finished = true;
            // not on this thread: it holds the emitter, which the binlog client's thread may be waiting for
            Thread t = new Thread(() -> {
                try {
                    client.disconnect();
                } catch (IOException ignored) {
                    // the run ends either way
                }
            }, "snapshot-finish");
            t.setDaemon(true);
            t.start();
        }

        private Exception explain(ServerException e) {
            if (e.getErrorCode() == 1236) {
                return new ConfigException("The source cannot serve the binlog from the requested position (" + e.getMessage()
                        + "). The file or GTID was probably purged. Re-copy the tables, delete the job's position.json and "
                        + "start from 'latest'.", e);
            }
            if (e.getErrorCode() == 1045) {
                ConfigException login = MySqlConnections.describe(e, endpoint, "source");
                return login == null ? e : login;
            }
            if (e.getErrorCode() == 1227 || e.getErrorCode() == 1044) {
                return new ConfigException("User '" + endpoint.user() + "' may not read the binlog (" + e.getMessage()
                        + "). Grant it: GRANT REPLICATION SLAVE, REPLICATION CLIENT, SELECT ON *.* TO '" + endpoint.user() + "'.", e);
            }
            if (e.getMessage() != null && e.getMessage().contains("same server_id")) {
                return new ConfigException("Another replica already uses server-id " + endpoint.serverId() + " on the source ("
                        + e.getMessage() + "). Give source.server-id a number no other replica uses.", e);
            }
            return e;
        }

        private void fail(Exception ex) {
            if (failure == null && !closed && !finished) failure = ex;
            out.abort();
            try {
                client.disconnect();
            } catch (IOException ignored) {
                // already failing
            }
        }

        /** Heartbeats arrive every few seconds; silence far longer than that means the connection is dead. */
        private void watch() {
            try {
                while (true) {
                    Thread.sleep(1000); // a periodic check, not a wait for a condition
                    if (!busy && System.currentTimeMillis() - lastEventAt > SILENCE_LIMIT_MS && client.isConnected()) {
                        fail(new IOException("no event or heartbeat from the source for " + SILENCE_LIMIT_MS / 1000 + " s"));
                        return;
                    }
                }
            } catch (InterruptedException e) {
                // stream ended
            }
        }

        private void onEvent(Event event) {
            lastEventAt = System.currentTimeMillis();
            if (failure != null || closed || finished) return;
            busy = true;
            try {
                handle(event);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail(e);
            } catch (Exception e) {
                fail(e);
            } finally {
                busy = false;
                lastEventAt = System.currentTimeMillis();
            }
        }

        private void handle(Event event) throws Exception {
            EventHeaderV4 h = event.getHeader();
            EventType type = h.getEventType();
            EventData data = event.getData();
            if (gtid == null && changes.isEmpty() && fragment == 0 && h.getNextPosition() > 0 && type != EventType.ROTATE
                    && (type == EventType.FORMAT_DESCRIPTION || type == EventType.MARIADB_GTID_LIST
                        || type == EventType.BINLOG_CHECKPOINT || type == EventType.HEARTBEAT)) {
                out.passed(new MySqlPosition(file, h.getNextPosition(), ""));
            }
            switch (type) {
                case ROTATE -> file = ((RotateEventData) data).getBinlogFilename();
                case MARIADB_GTID_LIST -> {
                    if (mariaGtids.isEmpty() && data != null) setMariaGtids(((MariadbGtidListEventData) data).getMariaGTIDSet().toString());
                }
                case MARIADB_GTID -> {
                    MariadbGtidEventData g = (MariadbGtidEventData) data;
                    begin(g.getDomainId() + "-" + h.getServerId() + "-" + g.getSequence(), h.getServerId());
                }
                case GTID -> {
                    GtidEventData g = (GtidEventData) data;
                    begin(g.getGtid(), h.getServerId());
                }
                case QUERY -> query(h, (QueryEventData) data);
                case TABLE_MAP -> tableMap((TableMapEventData) data, h);
                case WRITE_ROWS, EXT_WRITE_ROWS -> rows(h, (RawRows) data, RowChange.Op.INSERT, type == EventType.EXT_WRITE_ROWS);
                case UPDATE_ROWS, EXT_UPDATE_ROWS -> rows(h, (RawRows) data, RowChange.Op.UPDATE, type == EventType.EXT_UPDATE_ROWS);
                case DELETE_ROWS, EXT_DELETE_ROWS -> rows(h, (RawRows) data, RowChange.Op.DELETE, type == EventType.EXT_DELETE_ROWS);
                case XID -> commit(h);
                case XA_PREPARE -> {
                    xaResume.putIfAbsent(xaStart, lastPosition);
                    prepared.put(xaStart, changes);
                    changes = new ArrayList<>();
                    commit(h); // moves the position past the prepared group; its rows wait for XA COMMIT
                }
                case UNKNOWN -> {
                    if ((h.getFlags() & 0x80) == 0) {
                        throw new IOException("The source wrote an event type Aqueduct cannot read at " + file + ":" + h.getPosition()
                                + " (MariaDB writes compressed events with log_bin_compress=ON). Set log_bin_compress=OFF on the source.");
                    }
                }
                case PARTIAL_UPDATE_ROWS_EVENT, TRANSACTION_PAYLOAD -> throw new IOException("The source wrote a " + type
                        + " event at " + file + ":" + h.getPosition() + ", which Aqueduct does not read yet. Set "
                        + "binlog_row_value_options='' and binlog_transaction_compression=OFF on the source.");
                default -> { } // format description, heartbeats, annotations, checkpoints: nothing to apply
            }
        }

        private void setMariaGtids(String set) {
            for (String g : set.split(",")) {
                String s = g.trim();
                if (s.isEmpty()) continue;
                mariaGtids.put(Long.parseLong(s.substring(0, s.indexOf('-'))), s);
            }
        }

        private void begin(String id, long server) {
            gtid = id;
            origin = Long.toString(server);
        }

        private void query(EventHeaderV4 h, QueryEventData q) throws Exception {
            String sql = q.getSql().trim();
            String upper = sql.length() > 12 ? sql.substring(0, 12).toUpperCase() : sql.toUpperCase();
            // MariaDB logs XA START inside its GTID event; XA END names the same xid on every server
            if (upper.startsWith("XA START")) xaStart = sql.substring(8).trim();
            if (upper.startsWith("XA END")) xaStart = sql.substring(6).trim();
            if (upper.equals("BEGIN") || upper.startsWith("XA START") || upper.startsWith("XA END")) return;
            if (upper.startsWith("XA COMMIT") || upper.startsWith("XA ROLLBACK")) {
                String xid = sql.substring(upper.startsWith("XA COMMIT") ? 9 : 11).replaceAll("(?i)\\s+ONE\\s+PHASE\\s*$", "").trim();
                List<Change> parked = prepared.remove(xid);
                xaResume.remove(xid);
                if (parked != null && upper.startsWith("XA COMMIT")) changes = parked;
                if (parked == null && upper.startsWith("XA COMMIT") && !sql.toUpperCase().endsWith("ONE PHASE")) {
                    LOG.warn("XA COMMIT {} at {}:{} belongs to a transaction prepared before the job's start position; "
                            + "its rows are not replicated", xid, file, h.getPosition());
                }
                if (upper.startsWith("XA ROLLBACK")) changes = new ArrayList<>();
                commit(h);
                return;
            }
            if (upper.equals("COMMIT")) {
                commit(h);
                return;
            }
            if (upper.startsWith("ROLLBACK TO")) {
                Integer at = savepoints.get(savepointName(sql.substring(11)));
                if (at == null) throw new IOException("ROLLBACK TO an unknown savepoint at " + file + ":" + h.getPosition());
                changes.subList(at, changes.size()).clear();
                return;
            }
            if (upper.startsWith("SAVEPOINT")) {
                savepoints.put(savepointName(sql.substring(9)), changes.size());
                return;
            }
            if (upper.equals("ROLLBACK")) {
                // a transaction that touched only non-transactional tables and was rolled back: nothing happened
                reset();
                return;
            }
            if (upper.startsWith("XA PREPARE")) return;
            Ddls.Parsed p = Ddls.parse(q.getDatabase(), sql);
            switch (p.kind()) {
                case DML -> throw new IOException("The source logged a statement instead of rows at " + file + ":"
                        + h.getPosition() + " (" + abbreviate(sql) + "). Some session ran with binlog_format=STATEMENT or "
                        + "MIXED; set binlog_format=ROW globally (and for every session) on the source.");
                case TABLE_DDL -> {
                    TableId t = p.table();
                    catalogCache.clear(); // RENAME TABLE a TO b, c TO d and DROP TABLE a, b name more than one table
                    invalidate(t);
                    if (p.renamedTo() != null) invalidate(p.renamedTo());
                    if (filter.test(t)) {
                        TableSchema now = catalog.table(p.renamedTo() != null ? p.renamedTo() : t);
                        if (now != null && history.knows(now.id())) history.record(file, h.getPosition(), now);
                        changes.add(new Ddl(q.getDatabase() == null ? "" : q.getDatabase(), sql, t, now));
                    }
                    commit(h);
                }
                case OTHER -> commit(h);
            }
        }

        private void invalidate(TableId t) {
            catalogCache.remove(t);
            tablesById.values().removeIf(m -> m.id.equals(t));
        }

        private void tableMap(TableMapEventData e, EventHeaderV4 h) throws SQLException {
            TableMapping known = tablesById.get(e.getTableId());
            if (known != null && known.sameAs(e)) return;
            TableId id = new TableId(e.getDatabase(), e.getTable());
            TableMapping m;
            if (!filter.test(id)) {
                m = TableMapping.unselected(e);
            } else {
                TableSchema cat;
                if (!carriesNames(e)) {
                    // rows without column names: read them with the definition recorded for this position
                    cat = history.at(id, file, h.getPosition());
                    if (cat == null) {
                        cat = catalog.table(id);
                        if (cat != null) history.record(file, h.getPosition(), cat);
                    }
                } else {
                    cat = catalogCache.get(id);
                    if (cat == null && !catalogCache.containsKey(id)) {
                        cat = catalog.table(id);
                        catalogCache.put(id, cat);
                    }
                }
                m = TableMapping.build(e, collations, cat, file + ":" + h.getPosition());
            }
            tablesById.put(e.getTableId(), m);
        }

        private static boolean carriesNames(TableMapEventData e) {
            return e.getEventMetadata() != null && e.getEventMetadata().getColumnNames() != null
                    && e.getEventMetadata().getColumnNames().size() == e.getColumnTypes().length;
        }

        private void rows(EventHeaderV4 h, RawRows raw, RowChange.Op op, boolean v2) throws Exception {
            long tableId = RowDecoder.tableId(raw.body());
            TableMapping t = tablesById.get(tableId);
            if (t == null) {
                throw new IOException("rows event at " + file + ":" + h.getPosition() + " refers to table id " + tableId
                        + " without a preceding table map; the stream did not start at a transaction boundary");
            }
            if (!t.selected) return;
            rows.clear();
            RowDecoder.decode(raw.body(), v2, op == RowChange.Op.UPDATE ? 2 : 1, t, rows);
            if (op == RowChange.Op.UPDATE) {
                for (int i = 0; i < rows.size(); i += 2) add(new RowChange(t.schema, op, rows.get(i), rows.get(i + 1)));
            } else {
                for (Object[] r : rows) add(new RowChange(t.schema, op, op == RowChange.Op.DELETE ? r : null, op == RowChange.Op.INSERT ? r : null));
            }
            if (bytes > fragmentBytes) {
                out.fragment(gtid, origin, h.getTimestamp(), changes, fragment++);
                changes = new ArrayList<>();
                bytes = 0;
            }
        }

        private void add(RowChange rc) {
            changes.add(rc);
            bytes += rc.sizeEstimate();
        }

        private void commit(EventHeaderV4 h) throws InterruptedException {
            if (gtid != null) {
                if (gtid.indexOf(':') > 0) {
                    if (mysqlGtids == null) mysqlGtids = new GtidSet("");
                    mysqlGtids.add(gtid);
                } else {
                    mariaGtids.put(Long.parseLong(gtid.substring(0, gtid.indexOf('-'))), gtid);
                }
            }
            String gtids = mysqlGtids != null ? mysqlGtids.toString() : String.join(",", mariaGtids.values());
            lastPosition = new MySqlPosition(file, h.getNextPosition(), gtids);
            MySqlPosition pos = xaResume.isEmpty() ? lastPosition : xaResume.values().iterator().next();
            String id = gtid != null ? gtid : file + ":" + h.getPosition();
            out.commit(id, origin, h.getTimestamp(), changes, fragment, lastPosition, pos);
            reset();
        }

        private void reset() {
            savepoints.clear();
            changes = new ArrayList<>();
            bytes = 0;
            fragment = 0;
            gtid = null;
            origin = null;
        }
    }

    private static String savepointName(String rest) {
        String s = rest.trim();
        if (s.toUpperCase().startsWith("SAVEPOINT ")) s = s.substring(10).trim();
        return s.startsWith("`") ? s.substring(1, s.length() - 1).replace("``", "`") : s;
    }

    private static String abbreviate(String sql) {
        return sql.length() > 120 ? sql.substring(0, 120) + "…" : sql;
    }
}
