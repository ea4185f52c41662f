package io.aqueduct.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import io.aqueduct.core.config.StartPosition;
import io.aqueduct.core.model.Ddl;
import io.aqueduct.core.model.Position;
import io.aqueduct.core.model.RowChange;
import io.aqueduct.core.model.TableId;
import io.aqueduct.core.model.Transaction;
import io.aqueduct.testkit.MariaDbServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Where a source starts, and that the positions it emits resume exactly after what it emitted. */
class StartPositionTest {
    private final MariaDbServer server = MariaDbServer.shared();

    private TableId table(String db) {
        server.execute(null, "DROP DATABASE IF EXISTS " + db, "CREATE DATABASE " + db,
                "CREATE TABLE " + db + ".t (id INT PRIMARY KEY, v VARCHAR(20))");
        return new TableId(db, "t");
    }

    /** Inserts row {@code id} in its own transaction and returns the GTID MariaDB gave it. */
    private String insert(String db, int id) throws Exception {
        try (Connection c = server.connect(db); Statement st = c.createStatement()) {
            st.execute("INSERT INTO t VALUES (" + id + ", 'row " + id + "')");
            try (ResultSet rs = st.executeQuery("SELECT @@last_gtid")) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    private static List<Long> ids(List<Transaction> txs, TableId t) {
        List<Long> out = new ArrayList<>();
        for (RowChange r : SourceRun.rows(txs, t)) out.add((Long) (r.after() != null ? r.after() : r.before())[0]);
        return out;
    }

    private static long idOf(Transaction tx, TableId t) {
        return (Long) SourceRun.rows(tx, t).get(0).after()[0];
    }

    @Test
    void latestEmitsNothingWrittenBeforeTheResolvedStart() throws Exception {
        String db = "start_latest";
        TableId t = table(db);
        insert(db, 1);
        MySqlBinlogSource source = SourceRun.source(server, new StartPosition.Latest(), SourceRun.db(db), 1 << 20, null);
        Position start = source.resolveStart();
        insert(db, 2);
        insert(db, 3);
        try (SourceRun run = SourceRun.run(source, start)) {
            List<Transaction> txs = run.untilRow(t, r -> r.after()[0].equals(3L));
            assertThat(ids(txs, t)).containsExactly(2L, 3L);
            assertThat(txs).noneMatch(Transaction::hasDdl);
        }
    }

    @Test
    void earliestStartsAtTheFirstBinlogFile() throws Exception {
        String db = "start_earliest";
        TableId t = table(db);
        insert(db, 1);
        insert(db, 2);
        MySqlBinlogSource source = SourceRun.source(server, new StartPosition.Earliest(), SourceRun.db(db), 1 << 20, null);
        MySqlPosition start = (MySqlPosition) source.resolveStart();
        List<List<Object>> logs = server.query(null, "SHOW BINARY LOGS");
        assertThat(start.file()).isEqualTo(logs.get(0).get(0));
        assertThat(start.offset()).isEqualTo(4);
        try (SourceRun run = SourceRun.run(source, start)) {
            List<Transaction> txs = run.untilRow(t, r -> r.after()[0].equals(2L));
            // the table's creation is in the log too, before its rows
            List<Ddl> ddls = txs.stream().flatMap(x -> x.changes().stream()).filter(c -> c instanceof Ddl).map(c -> (Ddl) c).toList();
            assertThat(ddls).extracting(Ddl::table).contains(t);
            assertThat(ddls.get(ddls.size() - 1).sql()).startsWith("CREATE TABLE");
            assertThat(ids(txs, t)).containsExactly(1L, 2L);
        }
    }

    @Test
    void fileAndOffsetAtATransactionBoundary() throws Exception {
        String db = "start_file";
        TableId t = table(db);
        insert(db, 1);
        List<Object> status = server.query(null, "SHOW MASTER STATUS").get(0);
        String file = (String) status.get(0);
        long offset = ((Number) status.get(1)).longValue();
        insert(db, 2);
        insert(db, 3);
        MySqlBinlogSource source = SourceRun.source(server, new StartPosition.FileOffset(file, offset), SourceRun.db(db), 1 << 20, null);
        MySqlPosition start = (MySqlPosition) source.resolveStart();
        assertThat(start.file()).isEqualTo(file);
        assertThat(start.offset()).isEqualTo(offset);
        try (SourceRun run = SourceRun.run(source, start)) {
            List<Transaction> txs = run.untilRow(t, r -> r.after()[0].equals(3L));
            assertThat(ids(txs, t)).containsExactly(2L, 3L);
            // the emitted positions continue in that file, after the start
            MySqlPosition last = (MySqlPosition) txs.get(txs.size() - 1).position();
            assertThat(last.file()).isEqualTo(file);
            assertThat(last.offset()).isGreaterThan(offset);
        }
    }

    @Test
    void gtidStartEmitsOnlyTransactionsAfterThatGtid() throws Exception {
        String db = "start_gtid";
        TableId t = table(db);
        String g1 = insert(db, 1);
        String g2 = insert(db, 2);
        String g3 = insert(db, 3);
        assertThat(g1).matches("0-1-[0-9]+");
        MySqlBinlogSource source = SourceRun.source(server, new StartPosition.Gtid(g1), SourceRun.db(db), 1 << 20, null);
        MySqlPosition start = (MySqlPosition) source.resolveStart();
        assertThat(start.gtids()).isEqualTo(g1);
        try (SourceRun run = SourceRun.run(source, start)) {
            List<Transaction> txs = run.untilRow(t, r -> r.after()[0].equals(3L));
            assertThat(ids(txs, t)).containsExactly(2L, 3L);
            Transaction second = txs.stream().filter(x -> !SourceRun.rows(x, t).isEmpty() && idOf(x, t) == 2L).findFirst().orElseThrow();
            Transaction third = txs.get(txs.size() - 1);
            assertThat(second.id()).isEqualTo(g2);
            assertThat(third.id()).isEqualTo(g3);
            assertThat(((MySqlPosition) second.position()).gtids()).isEqualTo(g2);
            assertThat(((MySqlPosition) third.position()).gtids()).isEqualTo(g3);
            assertThat(((MySqlPosition) third.position()).file()).isNotEmpty();
        }
    }

    @Test
    void theLastPositionResumesExactlyAfterItsTransaction() throws Exception {
        String db = "start_resume";
        TableId t = table(db);
        MySqlBinlogSource first = SourceRun.source(server, new StartPosition.Latest(), SourceRun.db(db), 1 << 20, null);
        Position start = first.resolveStart();
        List<String> gtids = new ArrayList<>();
        for (int i = 1; i <= 4; i++) gtids.add(insert(db, i));
        MySqlPosition resumeAt;
        try (SourceRun run = SourceRun.run(first, start)) {
            List<Transaction> txs = run.untilRow(t, r -> r.after()[0].equals(4L));
            assertThat(ids(txs, t)).containsExactly(1L, 2L, 3L, 4L);
            // seq counts transactions; each position's GTID set is the one of its own transaction, growing by one
            List<Transaction> withRows = txs.stream().filter(x -> !SourceRun.rows(x, t).isEmpty()).toList();
            for (int i = 0; i < withRows.size(); i++) {
                Transaction tx = withRows.get(i);
                assertThat(tx.isWhole()).isTrue();
                assertThat(tx.id()).isEqualTo(gtids.get(i));
                assertThat(((MySqlPosition) tx.position()).gtids()).isEqualTo(gtids.get(i));
            }
            for (int i = 1; i < txs.size(); i++) {
                assertThat(txs.get(i).seq()).isEqualTo(txs.get(i - 1).seq() + 1);
                assertThat(seqNo(txs.get(i))).isEqualTo(seqNo(txs.get(i - 1)) + 1);
            }
            resumeAt = (MySqlPosition) txs.get(txs.size() - 1).position();
        }
        insert(db, 5);
        insert(db, 6);
        // from the stored position: the next transaction is the first one written after it, nothing repeated
        MySqlBinlogSource second = SourceRun.source(server, new StartPosition.Latest(), SourceRun.db(db), 1 << 20, null);
        try (SourceRun run = SourceRun.run(second, second.parsePosition(resumeAt.toJson()))) {
            Transaction next = run.next();
            assertThat(SourceRun.rows(next, t)).hasSize(1);
            assertThat(idOf(next, t)).isEqualTo(5L);
            assertThat(idOf(run.nextWithRows(t), t)).isEqualTo(6L);
        }
        // and from its GTID set alone
        MySqlBinlogSource third = SourceRun.source(server, new StartPosition.Gtid(resumeAt.gtids()), SourceRun.db(db), 1 << 20, null);
        try (SourceRun run = SourceRun.run(third, third.resolveStart())) {
            Transaction next = run.next();
            assertThat(idOf(next, t)).isEqualTo(5L);
            assertThat(idOf(run.nextWithRows(t), t)).isEqualTo(6L);
        }
    }

    private static long seqNo(Transaction tx) {
        String g = ((MySqlPosition) tx.position()).gtids();
        assertThat(g).matches("0-1-[0-9]+");
        return Long.parseLong(g.substring(g.lastIndexOf('-') + 1));
    }
}
