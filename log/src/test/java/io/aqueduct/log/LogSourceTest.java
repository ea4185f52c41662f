package io.aqueduct.log;

import static io.aqueduct.log.SameTransaction.assertSameAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.aqueduct.core.config.ConfigException;
import io.aqueduct.core.config.Routes;
import io.aqueduct.core.filter.Router;
import io.aqueduct.core.filter.TableFilter;
import io.aqueduct.core.model.Change;
import io.aqueduct.core.model.Transaction;
import io.aqueduct.core.pipeline.FilePositionStore;
import io.aqueduct.core.pipeline.JobRunner;
import io.aqueduct.core.pipeline.Pipeline;
import io.aqueduct.core.pipeline.TransactionQueue;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class LogSourceTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final TableFilter ORDERS_ONLY = Samples.ORDERS_ONLY;
    private static final Predicate<Change> ORDERS = Samples.ORDERS_CHANGES;

    @TempDir
    Path tmp;

    private final Samples samples = new Samples(70);
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final TransactionQueue queue = new TransactionQueue(64L << 20);
    private final List<Transaction> received = new ArrayList<>();
    private Future<?> running;

    @AfterEach
    void stopThreads() {
        pool.shutdownNow();
    }

    private Path log() {
        return tmp.resolve("relay");
    }

    /** Writes through a sink, as a capture job does, and returns the transactions as the log numbers them. */
    private List<Transaction> capture(List<Transaction> transactions) throws Exception {
        return Logs.capture(log(), Logs.options(Codec.LZ4, 64 * 1024), transactions);
    }

    private Future<?> start(LogSource source, LogSourcePosition from) {
        Future<?> run = pool.submit(() -> {
            source.run(from, queue);
            return null;
        });
        running = run;
        return run;
    }

    /** Waits until {@code count} more transactions came out of the source; fails at once when the source fails. */
    private List<Transaction> receive(int count) {
        return Logs.receive(queue, received, running, received.size() + count, WAIT);
    }

    @Test
    void readsEveryTransactionInOrderWithItsFragmentsAndTheSelectedTablesOnly() throws Exception {
        List<Transaction> logged = capture(samples.stream(1, 300, 11));
        LogSource source = new LogSource(log(), ORDERS_ONLY);
        Future<?> run = start(source, source.resolveStart());
        assertSameAll(receive(logged.size()), Pipelines.asRead(logged, ORDERS));
        // some transactions lost every change to the selection and still came, empty, with their positions
        assertThat(received).anyMatch(t -> t.changes().isEmpty() && t.position() != null);
        assertThat(received).anyMatch(t -> !t.isWhole());
        source.close();
        await().atMost(WAIT).until(run::isDone);
        run.get();
    }

    @Test
    void aReaderWhoseHistoryDivergedIsRefused() throws Exception {
        capture(samples.stream(1, 30, 0)); // epoch 1
        LogSource source = new LogSource(log(), TableFilter.all());
        assertThatThrownBy(() -> source.run(new LogSourcePosition(20, 0), queue))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.isRetryable()).isFalse())
                .hasMessageContaining("history diverged: this reader last committed seqno 20 of epoch 0, but in the relay log "
                        + "seqno 20 is of epoch 1");
        start(new LogSource(log(), TableFilter.all()), new LogSourcePosition(20, 1));
        assertThat(receive(10).get(0).seq()).isEqualTo(21);
    }

    @Test
    void aLogCreatedAnewIsToldApartByItsEpoch() throws Exception {
        // default options: a new log takes the time it is created as its epoch
        LogSink first = new LogSink(log(), LogWriterOptions.defaults().withFsync(FsyncPolicy.none()).withSegmentBytes(64 * 1024));
        first.open();
        first.apply(0, samples.stream(1, 30, 0));
        first.close();
        long epoch = epochOfLast(log());
        assertThat(epoch).isGreaterThan(Samples.START_MILLIS);
        LogSink again = new LogSink(log(), LogWriterOptions.defaults().withFsync(FsyncPolicy.none()).withSegmentBytes(64 * 1024));
        again.open();
        again.apply(0, samples.stream(31, 5, 0));
        again.close();
        assertThat(epochOfLast(log())).as("appending keeps the log's epoch").isEqualTo(epoch);

        // deleted and written anew, shorter and then longer than what a reader applied
        deleteRecursively(log());
        await().atMost(WAIT).until(() -> System.currentTimeMillis() > epoch);
        LogSink anew = new LogSink(log(), LogWriterOptions.defaults().withFsync(FsyncPolicy.none()).withSegmentBytes(64 * 1024));
        anew.open();
        anew.apply(0, samples.stream(1, 10, 0));
        assertThatThrownBy(() -> new LogSource(log(), TableFilter.all()).run(new LogSourcePosition(20, epoch), queue))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.isRetryable()).isFalse())
                .hasMessageContaining("history diverged: this reader last committed seqno 20 of epoch " + epoch
                        + ", but the relay log ends at seqno 10 of epoch");
        anew.apply(0, samples.stream(11, 20, 0));
        anew.close();
        assertThatThrownBy(() -> new LogSource(log(), TableFilter.all()).run(new LogSourcePosition(20, epoch), queue))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.isRetryable()).isFalse())
                .hasMessageContaining("history diverged: this reader last committed seqno 20 of epoch " + epoch);
    }

    private static long epochOfLast(Path dir) throws Exception {
        try (LogReader r = LogReader.open(dir)) {
            return r.epochOf(r.endSeqno() - 1);
        }
    }

    private static void deleteRecursively(Path dir) throws Exception {
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }

    @Test
    void aNamedReaderIsRegisteredAsSoonAsItStarts() throws Exception {
        capture(samples.stream(1, 20, 0));
        start(new LogSource(log(), TableFilter.all()).reader("early"), new LogSourcePosition(7, Logs.EPOCH));
        await().atMost(WAIT).until(() -> !LogReaders.list(log()).isEmpty());
        assertThat(LogReaders.list(log())).singleElement().satisfies(r -> {
            assertThat(r.name()).isEqualTo("early");
            assertThat(r.seqno()).isEqualTo(7);
        });
    }

    @Test
    void resumesAfterTheStoredSeqno() throws Exception {
        List<Transaction> logged = capture(samples.stream(1, 40, 6));
        LogSource source = new LogSource(log(), TableFilter.all());
        start(source, LogSourcePosition.parse("{\"seqno\": 17}"));
        List<Transaction> expected = Pipelines.asRead(Logs.from(logged, 18), c -> true);
        assertSameAll(receive(expected.size()), expected);
        source.close();
    }

    @Test
    void followsTheWriterAndWaitsForTheLastFragmentBeforeStartingATransaction() throws Exception {
        List<Transaction> logged = capture(samples.stream(1, 20, 0));
        LogSource source = new LogSource(log(), TableFilter.all(), Duration.ofMillis(5));
        start(source, source.resolveStart());
        receive(logged.size());

        List<Transaction> more = Pipelines.numbered(samples.stream(21, 5, 0), 21);
        List<Transaction> fragments = Pipelines.numbered(samples.fragments(26, 3), 26);
        try (LogWriter writer = LogWriter.open(log(), Logs.options(Codec.LZ4, 64 * 1024))) {
            for (Transaction t : more) writer.append(t);
            writer.flush();
            assertSameAll(receive(more.size()).subList(20, 25), Pipelines.asRead(more, c -> true));
            writer.append(fragments.get(0));
            writer.append(fragments.get(1));
            writer.flush();
            // in the file, but the transaction is not whole yet
            await().during(Duration.ofMillis(200)).atMost(WAIT).until(queue::isEmpty);
            writer.append(fragments.get(2));
            writer.flush();
            assertSameAll(receive(3).subList(25, 28), Pipelines.asRead(fragments, c -> true));
        }
        source.close();
    }

    /**
     * A capture job stopped after two fragments of a big transaction, which went into a segment of their own (a writer
     * with another codec starts one). Reopened, it deletes that segment and writes other transactions at those seqnos:
     * into a new segment of that name when its codec differs from the older segment's, else into the older segment.
     */
    @ParameterizedTest
    @EnumSource(value = Codec.class, names = {"NONE", "LZ4"})
    void aCaptureJobStoppedInsideATransactionDoesNotConfuseAFollowingReader(Codec reopenedWith) throws Exception {
        capture(samples.stream(1, 5, 0));
        LogSource source = new LogSource(log(), TableFilter.all(), Duration.ofMillis(5));
        start(source, source.resolveStart());
        receive(5);
        LogSink sink = new LogSink(log(), Logs.options(Codec.NONE, 64 * 1024));
        sink.open();
        List<Transaction> big = samples.fragments(6, 4);
        sink.apply(0, big.subList(0, 1));
        sink.apply(0, big.subList(1, 2));
        assertThat(LogFiles.segments(log())).containsKey(6L);
        sink.close();
        // the reader has moved on to the new segment, and waits there for the transaction's last fragment
        await().during(Duration.ofMillis(100)).atMost(WAIT).until(queue::isEmpty);

        sink = new LogSink(log(), Logs.options(reopenedWith, 64 * 1024));
        sink.open();
        assertThat(LogFiles.segments(log())).doesNotContainKey(6L);
        List<Transaction> then = samples.stream(100, 4, 0);
        sink.apply(0, then);
        sink.close();
        assertThat(LogFiles.segments(log()).containsKey(6L)).isEqualTo(reopenedWith == Codec.NONE);
        assertSameAll(receive(4).subList(5, 9), Pipelines.asRead(Pipelines.numbered(then, 6), c -> true));
        source.close();
    }

    @Test
    void closeEndsARunThatWaitsForTheLogToBegin() throws Exception {
        Files.createDirectories(log());
        LogSource source = new LogSource(log(), TableFilter.all(), Duration.ofMinutes(10));
        assertThat(source.resolveStart()).isEqualTo(new LogSourcePosition(0));
        Future<?> run = start(source, null);
        await().during(Duration.ofMillis(100)).atMost(WAIT).until(() -> !run.isDone());
        source.close();
        await().atMost(Duration.ofSeconds(2)).until(run::isDone);
        run.get();
    }

    @Test
    void closeEndsARunThatFollowsTheLog() throws Exception {
        capture(samples.stream(1, 3, 0));
        LogSource source = new LogSource(log(), TableFilter.all(), Duration.ofMinutes(10));
        Future<?> run = start(source, null);
        receive(3);
        source.close();
        await().atMost(Duration.ofSeconds(2)).until(run::isDone);
        run.get();
    }

    @Test
    void aDamagedRecordEndsTheRunWithAnErrorThatIsNotRetried() throws Exception {
        capture(samples.stream(1, 600, 0));
        List<LogInspector.Record> records = new ArrayList<>();
        try (LogInspector in = LogInspector.open(log())) {
            in.walk(0, false, (r, t) -> records.add(r));
        }
        Path segment = records.get(2).file();
        long third = records.get(2).offset();
        long damagedFrom = records.get(2).seqno();
        LogCorruptionTest.flip(segment, third + RecordFormat.HEADER_SIZE + 3);
        LogSource source = new LogSource(log(), TableFilter.all());
        Future<?> run = start(source, null);
        await().atMost(WAIT).until(run::isDone);
        assertThatThrownBy(run::get).cause().isInstanceOf(LogCorruptException.class)
                .hasMessageContaining(segment.toString()).hasMessageContaining("at byte " + third)
                .satisfies(e -> assertThat(JobRunner.isTransient(e)).as("retried").isFalse());
        // what came before the damage was emitted, nothing after it
        assertThat(damagedFrom).isGreaterThan(2);
        for (long seq = 1; seq < damagedFrom; seq++) assertThat(queue.take(0, TimeUnit.MILLISECONDS).seq()).isEqualTo(seq);
        assertThat(queue.isEmpty()).isTrue();
    }

    @Test
    void aPositionOutsideTheLogIsAClearError() throws Exception {
        capture(samples.stream(1, 10, 0));
        LogSource source = new LogSource(log(), TableFilter.all());
        Future<?> pastTheEnd = start(source, new LogSourcePosition(12));
        await().atMost(WAIT).until(pastTheEnd::isDone);
        assertThatThrownBy(pastTheEnd::get).cause().isInstanceOf(ConfigException.class)
                .hasMessageContaining("seqno 13, after the end of the relay log in " + log())
                .satisfies(e -> assertThat(((ConfigException) e).isRetryable()).isTrue());
        // the seqno right after the end is where a caught-up job waits
        Future<?> atTheEnd = start(source, new LogSourcePosition(10));
        await().during(Duration.ofMillis(100)).atMost(WAIT).until(() -> !atTheEnd.isDone());
        source.close();
        await().atMost(WAIT).until(atTheEnd::isDone);

        assertThatThrownBy(() -> new LogSource(tmp.resolve("nowhere"), TableFilter.all()).resolveStart())
                .isInstanceOf(ConfigException.class).hasMessageContaining("no relay log directory " + tmp.resolve("nowhere"));
    }

    @Test
    void aPositionBeforeTheLogsBeginningIsAClearError() throws Exception {
        List<Transaction> all = samples.stream(5, 10, 0);
        Files.createDirectories(log());
        Logs.write(log(), Logs.options(Codec.LZ4, 64 * 1024), all);
        LogSource source = new LogSource(log(), TableFilter.all());
        // a new reader would miss seqnos 1 to 4, the capture job's copy of the tables among them
        assertThatThrownBy(source::resolveStart).isInstanceOf(ConfigException.class)
                .hasMessageContaining("begins at seqno 5: its earlier transactions")
                .hasMessageContaining("write {\"seqno\": 4} into this job's position.json");
        Future<?> run = start(source, new LogSourcePosition(2));
        await().atMost(WAIT).until(run::isDone);
        assertThatThrownBy(run::get).cause().isInstanceOf(ConfigException.class)
                .hasMessageContaining("begins at seqno 5, but this job continues from seqno 3")
                .satisfies(e -> assertThat(((ConfigException) e).isRetryable()).isFalse());
    }

    @Test
    void positionsHaveAStableJsonForm() {
        LogSource source = new LogSource(log(), TableFilter.all());
        assertThat(new LogSourcePosition(42).toJson()).isEqualTo("{\"seqno\":42}");
        assertThat(source.parsePosition("{\"seqno\":42}")).isEqualTo(new LogSourcePosition(42));
        assertThat(source.parsePosition(" { \"seqno\" : 0 } ")).isEqualTo(new LogSourcePosition(0));
        for (String bad : List.of("{\"file\":\"mysql-bin.000001\",\"position\":4}", "{\"seqno\":\"4\"}", "{\"seqno\":1.5}",
                "[4]", "{seqno", "{\"seqno\":-2}")) {
            assertThatThrownBy(() -> source.parsePosition(bad)).as(bad).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("The stored position " + bad).hasMessageContaining("position.json")
                    .hasMessageContaining("not a relay log position");
        }
    }

    @Test
    void aDownstreamJobCommitsSeqnosAndResumesAfterThem() throws Exception {
        List<Transaction> logged = capture(samples.stream(1, 200, 13));
        Path state = tmp.resolve("downstream");
        Pipelines.CollectingSink target = new Pipelines.CollectingSink();
        runDownstream(state, target, logged.get(logged.size() - 1).seq());
        assertSameAll(target.applied, Pipelines.reachingASink(Pipelines.asRead(logged, ORDERS)));
        try (FilePositionStore store = new FilePositionStore(state)) {
            assertThat(store.load()).contains("{\"seqno\":200,\"epoch\":1}");
        }

        List<Transaction> more = capture(samples.stream(201, 50, 7));
        Pipelines.CollectingSink after = new Pipelines.CollectingSink();
        runDownstream(state, after, 250);
        assertSameAll(after.applied, Pipelines.reachingASink(Pipelines.asRead(more, ORDERS)));
    }

    /** Runs a downstream job through a real pipeline until it has committed {@code lastSeqno}, then stops it. */
    private void runDownstream(Path state, Pipelines.CollectingSink target, long lastSeqno) throws Exception {
        try (FilePositionStore store = new FilePositionStore(state)) {
            LogSource source = new LogSource(log(), ORDERS_ONLY, Duration.ofMillis(5));
            if (store.load().isEmpty()) store.save(source.resolveStart().toJson());
            Pipeline.Stats stats = new Pipeline.Stats();
            Pipeline pipeline = new Pipeline(source, target, new Router(Routes.NONE), store, 16L << 20, 100,
                    Duration.ofMinutes(10), stats);
            Future<?> run = pool.submit(() -> {
                pipeline.run();
                return null;
            });
            await().atMost(WAIT).until(() -> stats.committed != null
                    && stats.committed.toJson().equals(new LogSourcePosition(lastSeqno, 1).toJson()));
            pipeline.stop();
            run.get(30, TimeUnit.SECONDS);
        }
    }
}
