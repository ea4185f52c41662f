package io.aqueduct.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import io.aqueduct.core.config.StartPosition;
import io.aqueduct.core.model.RowChange;
import io.aqueduct.core.model.TableId;
import io.aqueduct.core.model.Transaction;
import io.aqueduct.testkit.MariaDbServer;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Statements inside a logged event group that are not its end: XA END / XA PREPARE, ROLLBACK TO a savepoint. Rows
 * the server rolled back must not be emitted, and an event group must stay one transaction.
 */
class TransactionBoundaryTest {
    private final MariaDbServer server = MariaDbServer.shared();

    private static List<Long> insertedIds(List<Transaction> txs, TableId t) {
        List<Long> ids = new ArrayList<>();
        for (RowChange r : SourceRun.rows(txs, t)) if (r.op() == RowChange.Op.INSERT) ids.add((Long) r.after()[0]);
        return ids;
    }

    /**
     * MariaDB logs an XA transaction when it is prepared: XA START, rows, XA END, XA_PREPARE; the outcome follows as its
     * own group (XA COMMIT or XA ROLLBACK). The source commits at "XA END", so the rows of a transaction that is then
     * rolled back are emitted as committed (and the emitted position lies inside the prepared group).
     */
    @Test
    void regression_anXaTransactionRolledBackAfterPrepareEmitsNoRows() throws Exception {
        String db = "xa_rollback";
        server.execute(null, "DROP DATABASE IF EXISTS " + db, "CREATE DATABASE " + db);
        server.execute(db, "CREATE TABLE t (id INT PRIMARY KEY)");
        TableId t = new TableId(db, "t");
        MySqlBinlogSource source = SourceRun.source(server, new StartPosition.Latest(), SourceRun.db(db), 1 << 20, null);
        try (SourceRun run = SourceRun.run(source, source.resolveStart())) {
            try (Connection c = server.connect(db); Statement st = c.createStatement()) {
                st.execute("XA START 'aq1'");
                st.execute("INSERT INTO t VALUES (1)");
                st.execute("XA END 'aq1'");
                st.execute("XA PREPARE 'aq1'");
                st.execute("XA ROLLBACK 'aq1'");
                st.execute("INSERT INTO t VALUES (2)");
            }
            assertThat(server.query(db, "SELECT id FROM t")).containsExactly(List.of(2));
            List<Transaction> txs = run.untilRow(t, r -> r.after()[0].equals(2L));
            assertThat(insertedIds(txs, t)).as("rows emitted; the server has only row 2").containsExactly(2L);
        }
    }

    /** While an XA transaction is prepared but not committed, positions stay before it: a restart reads it again. */
    @Test
    void aRestartBetweenXaPrepareAndCommitStillDeliversThePreparedRows() throws Exception {
        String db = "xa_restart";
        server.execute(null, "DROP DATABASE IF EXISTS " + db, "CREATE DATABASE " + db);
        server.execute(db, "CREATE TABLE t (id INT PRIMARY KEY)");
        TableId t = new TableId(db, "t");
        MySqlBinlogSource first = SourceRun.source(server, new StartPosition.Latest(), SourceRun.db(db), 1 << 20, null);
        io.aqueduct.core.model.Position stored;
        try (Connection xa = server.connect(db); Statement xs = xa.createStatement()) {
            try (SourceRun run = SourceRun.run(first, first.resolveStart())) {
                xs.execute("XA START 'aq2'");
                xs.execute("INSERT INTO t VALUES (1)");
                xs.execute("XA END 'aq2'");
                xs.execute("XA PREPARE 'aq2'");
                server.execute(db, "INSERT INTO t VALUES (2)");
                List<Transaction> txs = run.untilRow(t, r -> r.after()[0].equals(2L));
                assertThat(insertedIds(txs, t)).as("prepared rows wait for XA COMMIT").containsExactly(2L);
                stored = txs.get(txs.size() - 1).position(); // what a job would have saved after applying row 2
            }
            xs.execute("XA COMMIT 'aq2'");
        }
        MySqlBinlogSource second = SourceRun.source(server, new StartPosition.Latest(), SourceRun.db(db), 1 << 20, null);
        try (SourceRun run = SourceRun.run(second, stored)) {
            List<Transaction> txs = run.untilRow(t, r -> r.after()[0].equals(1L));
            assertThat(insertedIds(txs, t)).contains(1L);
        }
    }

    /**
     * A savepoint rolled back after a non-transactional change is logged inside the group as "ROLLBACK TO `s`". The
     * source takes that for the end of the transaction: it emits the rolled-back rows as committed and splits the
     * rest of the group into a second transaction (without GTID, resumable mid-group).
     */
    @Test
    void regression_rollbackToASavepointDropsTheRolledBackRowsAndKeepsOneTransaction() throws Exception {
        String db = "savepoint_rollback";
        server.execute(null, "DROP DATABASE IF EXISTS " + db, "CREATE DATABASE " + db);
        server.execute(db, "CREATE TABLE t (id INT PRIMARY KEY)", "CREATE TABLE m (id INT PRIMARY KEY) ENGINE=MyISAM");
        TableId t = new TableId(db, "t");
        MySqlBinlogSource source = SourceRun.source(server, new StartPosition.Latest(), SourceRun.db(db), 1 << 20, null);
        try (SourceRun run = SourceRun.run(source, source.resolveStart())) {
            try (Connection c = server.connect(db); Statement st = c.createStatement()) {
                c.setAutoCommit(false);
                st.execute("INSERT INTO t VALUES (1)");
                st.execute("SAVEPOINT s");
                st.execute("INSERT INTO m VALUES (10)");
                st.execute("INSERT INTO t VALUES (2)");
                st.execute("ROLLBACK TO SAVEPOINT s");
                st.execute("INSERT INTO t VALUES (3)");
                c.commit();
            }
            assertThat(server.query(db, "SELECT id FROM t ORDER BY id")).containsExactly(List.of(1), List.of(3));
            List<Transaction> txs = run.untilRow(t, r -> r.after()[0].equals(3L));
            assertThat(insertedIds(txs, t)).as("rows emitted; the server has rows 1 and 3").containsExactly(1L, 3L);
            List<Transaction> withT = txs.stream().filter(x -> !SourceRun.rows(x, t).isEmpty()).toList();
            assertThat(withT).as("one source transaction, one emitted transaction").hasSize(1);
            assertThat(withT.get(0).id()).matches("0-1-[0-9]+");
        }
    }

    /**
     * RENAME TABLE with several pairs (the usual way to swap two tables) invalidates only the first pair's cached
     * catalog definitions; the other tables keep their old definitions, e.g. a JSON column is described by the
     * definition of the table that used to have that name.
     */
    @Test
    void regression_aMultiTableRenameRefreshesEveryRenamedTable() throws Exception {
        String db = "rename_swap";
        server.execute(null, "DROP DATABASE IF EXISTS " + db, "CREATE DATABASE " + db);
        server.execute(db, "CREATE TABLE a (id INT PRIMARY KEY, v JSON)", "CREATE TABLE b (id INT PRIMARY KEY, v LONGTEXT)");
        TableId a = new TableId(db, "a");
        TableId b = new TableId(db, "b");
        MySqlBinlogSource source = SourceRun.source(server, new StartPosition.Latest(), SourceRun.db(db), 1 << 20, null);
        try (SourceRun run = SourceRun.run(source, source.resolveStart())) {
            server.execute(db, "INSERT INTO a VALUES (1, '[1]')", "INSERT INTO b VALUES (2, 'x')");
            assertThat(SourceRun.rows(run.nextWithRows(a), a).get(0).schema().column("v").typeName()).isEqualTo("json");
            assertThat(SourceRun.rows(run.nextWithRows(b), b).get(0).schema().column("v").typeName()).isEqualTo("longtext");
            server.execute(db, "RENAME TABLE a TO tmp, b TO a, tmp TO b", "INSERT INTO a VALUES (3, 'y')",
                    "INSERT INTO b VALUES (4, '[4]')");
            assertThat(SourceRun.rows(run.nextWithRows(a), a).get(0).schema().column("v").typeName()).isEqualTo("longtext");
            assertThat(SourceRun.rows(run.nextWithRows(b), b).get(0).schema().column("v").typeName())
                    .as("b is the former a, with the JSON column").isEqualTo("json");
        }
    }
}
