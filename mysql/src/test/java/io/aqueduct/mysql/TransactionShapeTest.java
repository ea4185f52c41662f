package io.aqueduct.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import io.aqueduct.core.config.StartPosition;
import io.aqueduct.core.filter.TableFilter;
import io.aqueduct.core.model.Change;
import io.aqueduct.core.model.Column;
import io.aqueduct.core.model.Ddl;
import io.aqueduct.core.model.RowChange;
import io.aqueduct.core.model.TableId;
import io.aqueduct.core.model.Transaction;
import io.aqueduct.testkit.MariaDbServer;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How source transactions map to emitted Transactions: grouping, order, fragments, filtering and DDL. */
class TransactionShapeTest {
    private final MariaDbServer server = MariaDbServer.shared();

    private void fresh(String db, String... ddl) {
        server.execute(null, "DROP DATABASE IF EXISTS " + db, "CREATE DATABASE " + db);
        server.execute(db, ddl);
    }

    private static String describe(Change c) {
        if (c instanceof Ddl d) return "DDL " + d.table();
        RowChange r = (RowChange) c;
        Object[] img = r.after() != null ? r.after() : r.before();
        return r.op() + " " + r.table().table() + " " + img[0];
    }

    @Test
    void aMultiStatementTransactionIsOneTransactionWithItsChangesInOrder() throws Exception {
        String db = "tx_multi";
        fresh(db, "CREATE TABLE a (id INT PRIMARY KEY, v INT)", "CREATE TABLE b (id INT PRIMARY KEY, v INT)");
        MySqlBinlogSource source = SourceRun.source(server, new StartPosition.Latest(), SourceRun.db(db), 1 << 20, null);
        try (SourceRun run = SourceRun.run(source, source.resolveStart())) {
            try (Connection c = server.connect(db); Statement st = c.createStatement()) {
                c.setAutoCommit(false);
                st.execute("INSERT INTO a VALUES (1, 10)");
                st.execute("INSERT INTO b VALUES (1, 20), (2, 21)");
                st.execute("UPDATE a SET v = 11 WHERE id = 1");
                st.execute("DELETE FROM b WHERE id = 1");
                st.execute("INSERT INTO a VALUES (2, 12)");
                c.commit();
                st.execute("INSERT INTO a VALUES (3, 13)");
                c.commit();
            }
            Transaction tx = run.nextWithRows(new TableId(db, "a"));
            assertThat(tx.isWhole()).isTrue();
            assertThat(tx.position()).isNotNull();
            assertThat(tx.changes()).extracting(TransactionShapeTest::describe)
                    .containsExactly("INSERT a 1", "INSERT b 1", "INSERT b 2", "UPDATE a 1", "DELETE b 1", "INSERT a 2");
            RowChange update = (RowChange) tx.changes().get(3);
            assertThat(update.before()).containsExactly(1L, 10L);
            assertThat(update.after()).containsExactly(1L, 11L);
            Transaction following = run.next();
            assertThat(following.seq()).isEqualTo(tx.seq() + 1);
            assertThat(following.changes()).extracting(TransactionShapeTest::describe).containsExactly("INSERT a 3");
        }
    }

    @Test
    void aLargeTransactionArrivesAsFragmentsWithOnlyTheLastCarryingAPosition() throws Exception {
        String db = "tx_fragments";
        fresh(db, "CREATE TABLE big (id INT PRIMARY KEY, pad VARCHAR(200))");
        int rows = 400;
        MySqlBinlogSource source = SourceRun.source(server, new StartPosition.Latest(), SourceRun.db(db), 4000, null);
        try (SourceRun run = SourceRun.run(source, source.resolveStart())) {
            try (Connection c = server.connect(db); Statement st = c.createStatement()) {
                c.setAutoCommit(false);
                for (int i = 1; i <= rows; i++) st.execute("INSERT INTO big VALUES (" + i + ", REPEAT('x', 100))");
                c.commit();
                st.execute("INSERT INTO big VALUES (" + (rows + 1) + ", 'after')");
                c.commit();
            }
            List<Transaction> fragments = run.until(Transaction::last);
            assertThat(fragments.size()).as("fragments").isGreaterThanOrEqualTo(5);
            List<Long> ids = new ArrayList<>();
            for (int i = 0; i < fragments.size(); i++) {
                Transaction f = fragments.get(i);
                boolean last = i == fragments.size() - 1;
                assertThat(f.fragment()).isEqualTo(i);
                assertThat(f.last()).isEqualTo(last);
                assertThat(f.seq()).isEqualTo(fragments.get(0).seq());
                assertThat(f.id()).isEqualTo(fragments.get(0).id());
                if (last) assertThat(f.position()).isNotNull();
                else assertThat(f.position()).as("position of fragment %d", i).isNull();
                for (RowChange r : SourceRun.rows(f, new TableId(db, "big"))) ids.add((Long) r.after()[0]);
            }
            assertThat(ids).hasSize(rows);
            for (int i = 0; i < rows; i++) assertThat(ids.get(i)).isEqualTo(i + 1L);
            Transaction after = run.next();
            assertThat(after.isWhole()).isTrue();
            assertThat(after.seq()).isEqualTo(fragments.get(0).seq() + 1);
            assertThat(after.rowCount()).isEqualTo(1);
        }
    }

    @Test
    void aTransactionOnlyOnFilteredOutTablesIsEmittedEmptyAndMovesThePosition() throws Exception {
        String db = "tx_filtered";
        fresh(db, "CREATE TABLE kept (id INT PRIMARY KEY)", "CREATE TABLE skipped (id INT PRIMARY KEY)");
        TableFilter filter = new TableFilter(List.of(db + "\\.kept"), List.of());
        MySqlBinlogSource source = SourceRun.source(server, new StartPosition.Latest(), filter, 1 << 20, null);
        try (SourceRun run = SourceRun.run(source, source.resolveStart())) {
            server.execute(db, "INSERT INTO kept VALUES (1)", "INSERT INTO skipped VALUES (1)",
                    "ALTER TABLE skipped ADD COLUMN x INT", "INSERT INTO kept VALUES (2)");
            Transaction first = run.next();
            Transaction onlySkipped = run.next();
            Transaction skippedDdl = run.next();
            Transaction second = run.next();
            assertThat(first.changes()).extracting(TransactionShapeTest::describe).containsExactly("INSERT kept 1");
            assertThat(onlySkipped.changes()).isEmpty();
            assertThat(onlySkipped.isWhole()).isTrue();
            assertThat(skippedDdl.changes()).isEmpty();
            assertThat(second.changes()).extracting(TransactionShapeTest::describe).containsExactly("INSERT kept 2");
            long previous = 0;
            for (Transaction tx : List.of(first, onlySkipped, skippedDdl, second)) {
                MySqlPosition p = (MySqlPosition) tx.position();
                assertThat(p.offset()).isGreaterThan(previous);
                previous = p.offset();
            }
            assertThat(List.of(first, onlySkipped, skippedDdl, second)).extracting(Transaction::seq)
                    .containsExactly(first.seq(), first.seq() + 1, first.seq() + 2, first.seq() + 3);
        }
    }

    @Test
    void ddlArrivesAsItsOwnTransactionNamingTheTable() throws Exception {
        String db = "tx_ddl";
        fresh(db, "CREATE TABLE t (id INT PRIMARY KEY)");
        TableId t = new TableId(db, "t");
        TableId renamed = new TableId(db, "t2");
        MySqlBinlogSource source = SourceRun.source(server, new StartPosition.Latest(), SourceRun.db(db), 1 << 20, null);
        try (SourceRun run = SourceRun.run(source, source.resolveStart())) {
            server.execute(db, "INSERT INTO t VALUES (1)", "ALTER TABLE t ADD COLUMN note VARCHAR(10)");
            assertThat(run.next().rowCount()).isEqualTo(1);
            Transaction alter = run.next();
            assertThat(alter.isWhole()).isTrue();
            assertThat(alter.position()).isNotNull();
            assertThat(alter.changes()).hasSize(1).first().isInstanceOf(Ddl.class);
            Ddl ddl = (Ddl) alter.changes().get(0);
            assertThat(ddl.table()).isEqualTo(t);
            assertThat(ddl.schema()).isEqualTo(db);
            assertThat(ddl.sql()).contains("ADD COLUMN note");
            assertThat(ddl.newTable().columns()).extracting(Column::name).containsExactly("id", "note");

            server.execute(db, "RENAME TABLE t TO t2");
            Transaction rename = run.next();
            assertThat(rename.changes()).hasSize(1);
            Ddl r = (Ddl) rename.changes().get(0);
            assertThat(r.table()).isEqualTo(t);
            assertThat(r.newTable()).isNotNull();
            assertThat(r.newTable().id()).isEqualTo(renamed);

            // rows of the renamed table come under its new name, with the new column
            server.execute(db, "INSERT INTO t2 VALUES (2, 'n')");
            Transaction insert = run.next();
            RowChange row = (RowChange) insert.changes().get(0);
            assertThat(row.table()).isEqualTo(renamed);
            assertThat(row.after()).containsExactly(2L, "n");
            assertThat(insert.seq()).isEqualTo(rename.seq() + 1);
        }
    }
}
