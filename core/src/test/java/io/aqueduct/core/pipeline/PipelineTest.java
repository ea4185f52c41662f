package io.aqueduct.core.pipeline;

import static io.aqueduct.core.fixtures.Tx.ddl;
import static io.aqueduct.core.fixtures.Tx.insert;
import static io.aqueduct.core.fixtures.Tx.keyed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.aqueduct.core.apply.ApplyEngine;
import io.aqueduct.core.config.Routes;
import io.aqueduct.core.filter.Router;
import io.aqueduct.core.fixtures.FakeSource;
import io.aqueduct.core.fixtures.InMemoryPositionStore;
import io.aqueduct.core.fixtures.RecordingSink;
import io.aqueduct.core.fixtures.SeqPosition;
import io.aqueduct.core.fixtures.Tx;
import io.aqueduct.core.model.RowChange;
import io.aqueduct.core.model.TableId;
import io.aqueduct.core.model.TableSchema;
import io.aqueduct.core.model.Transaction;
import java.io.IOException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class PipelineTest {
    private static final TableSchema T = keyed("shop", "orders", "id", "note");
    private static final Duration WAIT = Duration.ofSeconds(5);

    private final InMemoryPositionStore store = new InMemoryPositionStore();
    private final Pipeline.Stats stats = new Pipeline.Stats();
    private final List<CountDownLatch> latches = new ArrayList<>();
    private final List<FakeSource> sources = new ArrayList<>();
    private final List<Pipeline> pipelines = new ArrayList<>();

    static Transaction rowTx(long seq) {
        return Tx.tx(seq, insert(T, seq % 50, "v" + seq));
    }

    static List<Transaction> rowTxs(long from, long to) {
        return LongStream.rangeClosed(from, to).mapToObj(PipelineTest::rowTx).toList();
    }

    private CountDownLatch latch() {
        CountDownLatch l = new CountDownLatch(1);
        latches.add(l);
        return l;
    }

    private Pipeline pipeline(FakeSource source, RecordingSink sink, Routes routes, long queueBytes) {
        sources.add(source);
        Pipeline p = new Pipeline(source, sink, new Router(routes), store, queueBytes, 100, Duration.ofMinutes(10), stats);
        pipelines.add(p);
        return p;
    }

    private Pipeline pipeline(FakeSource source, RecordingSink sink) {
        return pipeline(source, sink, Routes.NONE, 1L << 20);
    }

    private static CompletableFuture<Void> runAsync(Pipeline p) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                p.run();
                f.complete(null);
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        }, "pipeline");
        t.setDaemon(true);
        t.start();
        return f;
    }

    private long committedSeq() {
        return SeqPosition.seqOf(stats.committed);
    }

    @AfterEach
    void tearDown() {
        latches.forEach(CountDownLatch::countDown);
        pipelines.forEach(Pipeline::stop);
        for (FakeSource s : sources) if (s.queue() != null) s.queue().close();
    }

    @Test
    void appliesEverythingAndSavesTheLastPosition() throws Exception {
        int n = 200;
        FakeSource source = FakeSource.emitting(rowTxs(1, n));
        RecordingSink sink = new RecordingSink(3);
        Pipeline p = pipeline(source, sink);
        CompletableFuture<Void> running = runAsync(p);
        await().atMost(WAIT).until(() -> committedSeq() == n);
        assertThat(running).isNotDone(); // the source waits for more log
        p.stop();
        assertThat(running).succeedsWithin(WAIT);

        assertThat(sink.applied()).extracting(Transaction::seq).containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, n).boxed().toList());
        assertThat(store.current()).isEqualTo(new SeqPosition(n).toJson());
        assertThat(store.saves()).extracting(s -> SeqPosition.parse(s).seq()).isSorted().doesNotHaveDuplicates();
        assertThat(stats.transactions).isEqualTo(n);
        assertThat(stats.rows).isEqualTo(n);
        assertThat(stats.lastCommitTime).isEqualTo(n * 1000L);
        assertThat(sink.openCount()).isEqualTo(1);
        assertThat(sink.closeCount()).isEqualTo(1);
        assertThat(source.isClosed()).isTrue();
        assertThat(source.startedFrom()).isNull();
        assertThat(sink.violations()).isEmpty();
    }

    @Test
    void positionIsSavedWhileRunning() throws Exception {
        FakeSource source = FakeSource.emitting(rowTxs(1, 10));
        Pipeline p = pipeline(source, new RecordingSink(2));
        CompletableFuture<Void> running = runAsync(p);
        // saved every SAVE_EVERY_MS without stopping
        await().atMost(WAIT).until(() -> store.currentSeq() == 10);
        assertThat(running).isNotDone();
        p.stop();
        assertThat(running).succeedsWithin(WAIT);
        assertThat(store.saves()).hasSize(1);
    }

    @Test
    void stopDrainsWhatWasReadAndSaves() throws Exception {
        CountDownLatch hold = latch();
        RecordingSink sink = new RecordingSink(2).gate((lane, b) -> {
            if (b.stream().anyMatch(t -> t.seq() == 1)) hold.await();
        });
        FakeSource source = FakeSource.emitting(rowTxs(1, 50));
        Pipeline p = pipeline(source, sink);
        CompletableFuture<Void> running = runAsync(p);
        await().atMost(WAIT).until(() -> source.emitted() == 50 && sink.active() == 1);
        p.stop();
        assertThat(source.isClosed()).isTrue();
        assertThat(running).isNotDone();
        hold.countDown();
        assertThat(running).succeedsWithin(WAIT);
        assertThat(sink.appliedCount()).isEqualTo(50);
        assertThat(store.currentSeq()).isEqualTo(50);
        assertThat(sink.closeCount()).isEqualTo(1);
    }

    @Test
    void resumesFromTheStoredPosition() throws Exception {
        InMemoryPositionStore stored = new InMemoryPositionStore(new SeqPosition(41).toJson());
        FakeSource source = FakeSource.emitting(rowTxs(42, 45));
        sources.add(source);
        Pipeline p = new Pipeline(source, new RecordingSink(1), new Router(Routes.NONE), stored, 1 << 20, 100,
                Duration.ofMinutes(10), stats);
        pipelines.add(p);
        CompletableFuture<Void> running = runAsync(p);
        await().atMost(WAIT).until(() -> committedSeq() == 45);
        p.stop();
        assertThat(running).succeedsWithin(WAIT);
        assertThat(source.startedFrom()).isEqualTo(new SeqPosition(41));
        assertThat(stored.currentSeq()).isEqualTo(45);
    }

    @Test
    void nothingAppliedMeansNothingSaved() throws Exception {
        FakeSource source = FakeSource.emitting(List.of());
        Pipeline p = pipeline(source, new RecordingSink(1));
        CompletableFuture<Void> running = runAsync(p);
        assertThat(source.awaitStarted(5)).isTrue();
        p.stop();
        assertThat(running).succeedsWithin(WAIT);
        assertThat(store.saves()).isEmpty();
    }

    @Test
    void sourceFailureIsThrownAfterApplyingWhatWasRead() throws Exception {
        IOException lost = new IOException("binlog connection reset");
        FakeSource source = FakeSource.failingAfter(rowTxs(1, 30), lost);
        RecordingSink sink = new RecordingSink(2);
        Pipeline p = pipeline(source, sink);
        CompletableFuture<Void> running = runAsync(p);
        assertThat(running).failsWithin(WAIT).withThrowableOfType(ExecutionException.class).withCause(lost)
                .satisfies(e -> assertThat(e.getCause()).isSameAs(lost));
        assertThat(sink.appliedCount()).isEqualTo(30);
        assertThat(store.currentSeq()).isEqualTo(30);
        assertThat(sink.closeCount()).isEqualTo(1);
    }

    @Test
    void sinkFailureEndsTheRunWithTheCauseAndSavesNothingPastIt() throws Exception {
        SQLException boom = new SQLException("Table 'shop.orders' doesn't exist", "42S02");
        RecordingSink sink = new RecordingSink(1).gate((lane, b) -> {
            if (b.stream().anyMatch(t -> t.seq() == 3)) throw boom;
        });
        FakeSource source = FakeSource.emitting(rowTxs(1, 10));
        Pipeline p = pipeline(source, sink);
        CompletableFuture<Void> running = runAsync(p);
        assertThat(running).failsWithin(WAIT).withThrowableOfType(ExecutionException.class)
                .havingCause().isInstanceOf(ApplyEngine.ApplyFailedException.class)
                .satisfies(e -> assertThat(e.getCause()).isSameAs(boom));
        assertThat(store.currentSeq()).isLessThan(3);
        assertThat(source.isClosed()).isTrue();
        assertThat(sink.closeCount()).isEqualTo(1);
    }

    @Test
    void routesAreAppliedBeforeTheSink() throws Exception {
        FakeSource source = FakeSource.emitting(rowTxs(1, 3));
        RecordingSink sink = new RecordingSink(1);
        Pipeline p = pipeline(source, sink, new Routes(Map.of("shop", "shop_copy"), Map.of(), Map.of()), 1 << 20);
        CompletableFuture<Void> running = runAsync(p);
        await().atMost(WAIT).until(() -> committedSeq() == 3);
        p.stop();
        assertThat(running).succeedsWithin(WAIT);
        assertThat(sink.applied()).flatExtracting(Transaction::changes)
                .allSatisfy(c -> assertThat(((RowChange) c).table()).isEqualTo(new TableId("shop_copy", "orders")));
    }

    @Test
    void tinyQueueStillPassesEverything() throws Exception {
        int n = 300;
        FakeSource source = FakeSource.emitting(rowTxs(1, n));
        RecordingSink sink = new RecordingSink(4);
        Pipeline p = pipeline(source, sink, Routes.NONE, 1); // every queue admits one transaction at a time
        CompletableFuture<Void> running = runAsync(p);
        await().atMost(WAIT).until(() -> committedSeq() == n);
        p.stop();
        assertThat(running).succeedsWithin(WAIT);
        assertThat(sink.appliedCount()).isEqualTo(n);
        assertThat(store.currentSeq()).isEqualTo(n);
        assertThat(sink.violations()).isEmpty();
    }

    /**
     * BUG (lead: see report, "sink left open when open() fails"): when {@code sink.open()} throws, the pipeline never
     * closes the sink, so connections a sink opened before failing (JdbcSink opens one per lane) leak on every retry.
     */
    @Test
    @Tag("regression")
    void regression_sinkIsClosedWhenItsOpenFails() {
        SQLException tooMany = new SQLException("too many connections", "53300");
        RecordingSink sink = new RecordingSink(2).failOpen(tooMany);
        FakeSource source = FakeSource.emitting(rowTxs(1, 3));
        Pipeline p = pipeline(source, sink);
        CompletableFuture<Void> running = runAsync(p);
        assertThat(running).failsWithin(WAIT).withThrowableOfType(ExecutionException.class)
                .satisfies(e -> assertThat(e.getCause()).isSameAs(tooMany));
        assertThat(sink.closeCount()).as("sink closed after a failed open").isEqualTo(1);
    }

    /**
     * BUG (lead: see report, "source thread left blocked"): when the run fails while the source thread is blocked
     * putting into the full transaction queue, nothing closes that queue: run() spends 5 s in reader.join(5000) and
     * then returns with the source thread still parked forever (with its connection), once per retry.
     */
    @Test
    @Tag("regression")
    void regression_failureDoesNotLeaveTheSourceThreadBlockedOnAFullQueue() throws Exception {
        long size = rowTx(1).sizeEstimate();
        CountDownLatch entered = latch();
        CountDownLatch release = latch();
        RecordingSink sink = new RecordingSink(1).gate((lane, b) -> {
            if (b.stream().anyMatch(t -> t.seq() == 1)) {
                entered.countDown();
                release.await();
                throw new SQLException("server closed the connection", "08S01");
            }
        });
        Transaction alter = Tx.tx(2, ddl("shop", "ALTER TABLE orders ADD c int", new TableId("shop", "orders")));
        FakeSource source = FakeSource.endless(List.of(rowTx(1), alter), PipelineTest::rowTx);
        Pipeline p = pipeline(source, sink, Routes.NONE, 2 * size);
        CompletableFuture<Void> running = runAsync(p);
        assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();
        // the pipeline thread now waits in submit(DDL) for lane 0; the source fills the queue and blocks in put
        await().atMost(WAIT).until(() -> source.thread() != null && source.thread().getState() == Thread.State.WAITING
                && source.emitted() > 2);
        release.countDown(); // lane 0 fails
        assertThat(running).failsWithin(Duration.ofSeconds(2)).withThrowableOfType(ExecutionException.class)
                .havingCause().isInstanceOf(ApplyEngine.ApplyFailedException.class);
        await().atMost(Duration.ofSeconds(2)).until(() -> !source.thread().isAlive());
    }
}
