package io.aqueduct.mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.aqueduct.core.model.Change;
import io.aqueduct.core.model.Column;
import io.aqueduct.core.model.Ddl;
import io.aqueduct.core.model.RowChange;
import io.aqueduct.core.model.TableId;
import io.aqueduct.core.model.TableSchema;
import io.aqueduct.core.model.Transaction;
import io.aqueduct.core.pipeline.TransactionQueue;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The merge of snapshot chunks into the binlog stream, driven by hand from two threads. */
class EmitterTest {
    static final TableId T = new TableId("db", "t");
    static final TableId U = new TableId("db", "u");
    static final Column ID = new Column("id", Types.INTEGER, "int", false, false, 0, 0, null, null);
    static final Column V = new Column("v", Types.VARCHAR, "varchar", true, false, 10, 0, "utf8mb4", null);
    static final TableSchema KEYED = new TableSchema(T, List.of(ID, V), List.of("id"), TableSchema.KeyKind.PRIMARY);
    static final TableSchema KEYLESS = new TableSchema(U, List.of(ID, V), List.of(), TableSchema.KeyKind.NONE);

    final TransactionQueue queue = new TransactionQueue(1L << 30);
    final AtomicBoolean done = new AtomicBoolean();

    Emitter emitter(TableId... tables) {
        return new Emitter(queue, new MySqlPosition("mysql-bin.000001", 100, "", new SnapshotProgress(List.of(tables), null)),
                () -> done.set(true));
    }

    static MySqlPosition at(long offset) {
        return new MySqlPosition("mysql-bin.000001", offset, "");
    }

    static Object[] row(long id, String v) {
        return new Object[] {id, v};
    }

    static List<Change> update(TableSchema s, long id, String v) {
        return List.of(new RowChange(s, RowChange.Op.UPDATE, row(id, "old"), row(id, v)));
    }

    List<Transaction> drain() throws InterruptedException {
        List<Transaction> out = new ArrayList<>();
        for (Transaction t = queue.take(0, TimeUnit.MILLISECONDS); t != null; t = queue.take(0, TimeUnit.MILLISECONDS)) out.add(t);
        return out;
    }

    /** A chunk of KEYED rows, measured as the snapshot measures them. */
    static boolean chunk(Emitter e, long index, Emitter.Window w, List<Object[]> rows, boolean last, Object[] hi)
            throws InterruptedException {
        return e.chunk(index, w, KEYED, rows, rows.stream().mapToLong(io.aqueduct.core.model.Values::sizeEstimate).sum(), last, hi);
    }

    static List<Object> ids(Transaction t) {
        return t.changes().stream().map(c -> ((RowChange) c).after()[0]).toList();
    }

    @Test
    void rowsTheStreamChangedAfterTheWindowOpenedAreLeftOutOfTheChunk() throws Exception {
        Emitter e = emitter(T);
        e.commit("g1", "1", 0, update(KEYED, 2, "before-window"), 0, at(200), at(200));
        Emitter.Window w = e.open(T);
        assertThat(w.opened).isEqualTo(at(200));
        e.commit("g2", "1", 0, update(KEYED, 3, "in-window"), 0, at(300), at(300));
        List<Object[]> rows = List.of(row(1, "a"), row(2, "b"), row(3, "c"));
        assertThat(chunk(e, 0, w, rows, false, new Object[] {3L})).isTrue();
        List<Transaction> out = drain();
        assertThat(out).hasSize(3);
        Transaction chunk = out.get(2);
        assertThat(ids(chunk)).containsExactly(1L, 2L); // 3 comes from the stream, whose image is newer
        assertThat(chunk.keyRange()).isTrue();
        // weighed for the rows it holds, as any transaction of theirs would be
        assertThat(chunk.sizeEstimate()).isEqualTo(new Transaction(0, "", "", 0, null, chunk.changes(), 0, true).sizeEstimate());
        assertThat(chunk.seq()).isEqualTo(out.get(1).seq() + 1);
        MySqlPosition p = (MySqlPosition) chunk.position();
        assertThat(p.offset()).isEqualTo(300);
        assertThat(p.snapshot().after()).containsExactly(3L);
        // transactions after the chunk carry the new progress
        e.commit("g3", "1", 0, List.of(), 0, at(400), at(400));
        assertThat(((MySqlPosition) drain().get(0).position()).snapshot().after()).containsExactly(3L);
    }

    @Test
    void aDdlOnTheTableWhileTheChunkWasReadMeansReadItAgain() throws Exception {
        Emitter e = emitter(T);
        Emitter.Window w = e.open(T);
        e.commit("g1", "1", 0, List.of(new Ddl("db", "ALTER TABLE t ADD c INT", T, KEYED)), 0, at(200), at(200));
        assertThat(chunk(e, 0, w, List.<Object[]>of(row(1, "a")), true, null)).isFalse();
        assertThat(drain()).hasSize(1);
        Emitter.Window again = e.open(T);
        assertThat(chunk(e, 0, again, List.<Object[]>of(row(1, "a")), true, null)).isTrue();
        assertThat(done).isTrue();
        assertThat(((MySqlPosition) drain().get(0).position()).snapshot()).isNull();
    }

    @Test
    void chunksAreEmittedInOrderAndNeverInsideAFragmentedTransaction() throws Exception {
        Emitter e = emitter(T);
        Emitter.Window w0 = e.open(T);
        Emitter.Window w1 = e.open(T);
        e.fragment("big", "1", 0, update(KEYED, 9, "f0"), 0);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread second = new Thread(() -> {
            try {
                chunk(e, 1, w1, List.<Object[]>of(row(20, "x")), true, null);
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        second.start();
        Thread first = new Thread(() -> {
            try {
                chunk(e, 0, w0, List.<Object[]>of(row(10, "x")), false, new Object[] {10L});
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        first.start();
        // both wait: chunk 0 because the stream is inside a transaction, chunk 1 for chunk 0
        await().atMost(5, TimeUnit.SECONDS).until(() -> first.getState() == Thread.State.WAITING
                && second.getState() == Thread.State.WAITING);
        e.commit("big", "1", 0, update(KEYED, 10, "f1"), 1, at(300), at(300));
        first.join(5000);
        second.join(5000);
        assertThat(failure.get()).isNull();
        List<Transaction> out = drain();
        assertThat(out).extracting(Transaction::id).containsExactly("big", "big", "snapshot db.t chunk 0", "snapshot db.t chunk 1");
        assertThat(ids(out.get(2))).isEmpty(); // 10 was changed by the stream after the window opened
        assertThat(ids(out.get(3))).containsExactly(20L);
        assertThat(done).isTrue();
    }

    @Test
    void aKeylessTableIsCopiedExactlyAtItsSnapshotPosition() throws Exception {
        Emitter e = emitter(U);
        e.commit("g1", "1", 0, List.of(), 0, at(200), at(200));
        MySqlPosition emitted = e.hold(0);
        assertThat(emitted).isEqualTo(at(200));
        AtomicReference<Throwable> failure = new AtomicReference<>();
        // the stream has two transactions: one before the snapshot position (400), one after it
        Thread stream = new Thread(() -> {
            try {
                e.commit("g2", "1", 0, update(KEYLESS, 1, "before"), 0, at(400), at(400));
                e.commit("g3", "1", 0, update(KEYLESS, 1, "after"), 0, at(500), at(500));
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        stream.start();
        // while the position is unknown the stream emits nothing
        await().atMost(5, TimeUnit.SECONDS).until(() -> stream.getState() == Thread.State.WAITING);
        assertThat(drain()).extracting(Transaction::id).containsExactly("g1");
        e.advanceTo(at(400)); // returns once g2 is out and g3 waits
        e.whole(0, KEYLESS, 0, List.of(new RowChange(KEYLESS, RowChange.Op.INSERT, null, row(7, "copy"))), false);
        e.whole(0, KEYLESS, 1, List.of(new RowChange(KEYLESS, RowChange.Op.INSERT, null, row(8, "copy"))), true);
        stream.join(5000);
        assertThat(failure.get()).isNull();
        List<Transaction> out = drain();
        assertThat(out).extracting(Transaction::id)
                .containsExactly("g2", "snapshot db.u truncate", "snapshot db.u", "snapshot db.u", "g3");
        assertThat(out.get(1).changes().get(0)).isInstanceOf(Ddl.class);
        assertThat(((Ddl) out.get(1).changes().get(0)).sql()).isEqualTo("TRUNCATE TABLE `db`.`u`");
        assertThat(out.get(2).last()).isFalse();
        assertThat(out.get(3).last()).isTrue();
        assertThat(out.get(2).seq()).isEqualTo(out.get(3).seq());
        assertThat(((MySqlPosition) out.get(3).position()).snapshot()).isNull();
        assertThat(done).isTrue();
    }

    @Test
    void aStreamThatPassedTheSnapshotPositionWithoutATransactionCountsAsArrived() throws Exception {
        Emitter e = emitter(U);
        e.hold(0);
        e.passed(new MySqlPosition("mysql-bin.000002", 256, "")); // a rotation, then the new file's header events
        e.advanceTo(new MySqlPosition("mysql-bin.000002", 256, ""));
        e.whole(0, KEYLESS, 0, List.of(), true);
        assertThat(drain()).hasSize(2);
    }

    @Test
    void abortWakesEveryWaiter() throws Exception {
        Emitter e = emitter(T, U);
        Emitter.Window w = e.open(U);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread waiting = new Thread(() -> {
            try {
                chunk(e, 1, w, List.of(), true, null); // waits for chunk 0 forever
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        waiting.start();
        await().atMost(5, TimeUnit.SECONDS).until(() -> waiting.getState() == Thread.State.WAITING);
        e.abort();
        waiting.join(5000);
        assertThat(failure.get()).isInstanceOf(InterruptedException.class);
        assertThatThrownBy(() -> e.hold(0)).isInstanceOf(InterruptedException.class);
    }
}
