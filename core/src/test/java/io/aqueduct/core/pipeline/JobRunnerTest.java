package io.aqueduct.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.aqueduct.core.config.ConfigException;
import io.aqueduct.core.config.Routes;
import io.aqueduct.core.filter.Router;
import io.aqueduct.core.fixtures.FakeSource;
import io.aqueduct.core.fixtures.InMemoryPositionStore;
import io.aqueduct.core.fixtures.RecordingSink;
import io.aqueduct.core.fixtures.SeqPosition;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class JobRunnerTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    // ---- classification ------------------------------------------------------------------------------------------

    @Test
    void lostConnectionsAndDeadlocksAreTransient() {
        assertThat(JobRunner.isTransient(new IOException("connection reset"))).isTrue();
        assertThat(JobRunner.isTransient(new EOFException())).isTrue();
        assertThat(JobRunner.isTransient(new ConnectException("refused"))).isTrue();
        assertThat(JobRunner.isTransient(new SQLException("unable to connect", "08001"))).isTrue();
        assertThat(JobRunner.isTransient(new SQLException("communication link failure", "08S01"))).isTrue();
        assertThat(JobRunner.isTransient(new SQLException("serialization failure", "40001"))).isTrue();
        assertThat(JobRunner.isTransient(new SQLException("deadlock detected", "40P01"))).isTrue();
        assertThat(JobRunner.isTransient(new SQLException("admin shutdown", "57P01"))).isTrue();
        assertThat(JobRunner.isTransient(new SQLTransientConnectionException("timeout"))).isTrue();
        assertThat(JobRunner.isTransient(new SQLNonTransientConnectionException("gone", "08003"))).isTrue();
        assertThat(JobRunner.isTransient(new SQLException("Connection refused", "HY000"))).isTrue();
        assertThat(JobRunner.isTransient(new JobRunner.RetryableException("retry me", null))).isTrue();
    }

    @Test
    void userAndSchemaErrorsAreNotTransient() {
        assertThat(JobRunner.isTransient(new ConfigException("source.port: bad"))).isFalse();
        assertThat(JobRunner.isTransient(new SQLException("Table 'shop.x' doesn't exist", "42S02"))).isFalse();
        assertThat(JobRunner.isTransient(new SQLException("Duplicate entry", "23000"))).isFalse();
        assertThat(JobRunner.isTransient(new SQLException("no state"))).isFalse();
        assertThat(JobRunner.isTransient(new SQLException("Unknown error", "HY000"))).isFalse();
        assertThat(JobRunner.isTransient(new IllegalStateException("bug"))).isFalse();
    }

    @Test
    void causesAreFollowed() {
        assertThat(JobRunner.isTransient(new RuntimeException("wrapped", new SQLException("x", "08001")))).isTrue();
        assertThat(JobRunner.isTransient(new UncheckedIOException(new IOException("disk")))).isTrue();
        assertThat(JobRunner.isTransient(new RuntimeException("wrapped", new SQLException("x", "42S02")))).isFalse();
    }

    @Test
    void aConfigErrorStopsTheSearchUnlessItIsRetryable() {
        assertThat(JobRunner.isTransient(new ConfigException("bad password", new SQLException("x", "08001")))).isFalse();
        assertThat(JobRunner.isTransient(new RuntimeException(new ConfigException("bad", new IOException())))).isFalse();
        assertThat(JobRunner.isTransient(new ConfigException("server down", new IOException(), true))).isTrue();
    }

    // ---- run -----------------------------------------------------------------------------------------------------

    private final InMemoryPositionStore store = new InMemoryPositionStore();
    private final List<FakeSource> sources = new ArrayList<>();
    private JobRunner runner;

    @AfterEach
    void tearDown() {
        if (runner != null) runner.stop();
        for (FakeSource s : sources) if (s.queue() != null) s.queue().close();
    }

    private Supplier<Pipeline> pipelines(List<FakeSource> plan) {
        return () -> {
            FakeSource s = plan.get(Math.min(sources.size(), plan.size() - 1));
            sources.add(s);
            return new Pipeline(s, new RecordingSink(2), new Router(Routes.NONE), store, 1 << 20, 100,
                    Duration.ofMinutes(10), new Pipeline.Stats());
        };
    }

    private static CompletableFuture<Void> runAsync(JobRunner r) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                r.run();
                f.complete(null);
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        }, "runner");
        t.setDaemon(true);
        t.start();
        return f;
    }

    @Test
    void transientFailureRestartsFromTheStoredPosition() throws Exception {
        FakeSource first = FakeSource.failingAfter(PipelineTest.rowTxs(1, 5), new IOException("connection reset"));
        FakeSource second = FakeSource.emitting(PipelineTest.rowTxs(6, 8));
        runner = new JobRunner(pipelines(List.of(first, second)), Duration.ofSeconds(1));
        CompletableFuture<Void> running = runAsync(runner);
        await().atMost(WAIT).until(() -> store.currentSeq() == 8);
        assertThat(second.startedFrom()).isEqualTo(new SeqPosition(5));
        runner.stop();
        assertThat(running).succeedsWithin(WAIT);
        assertThat(sources).hasSize(2);
    }

    @Test
    void permanentFailureEndsTheRunWithIt() {
        ConfigException bad = new ConfigException("source.user: access denied");
        runner = new JobRunner(pipelines(List.of(FakeSource.failingAfter(List.of(), bad))), Duration.ofSeconds(1));
        CompletableFuture<Void> running = runAsync(runner);
        assertThat(running).failsWithin(WAIT).withThrowableOfType(ExecutionException.class)
                .satisfies(e -> assertThat(e.getCause()).isSameAs(bad));
        assertThat(sources).hasSize(1);
    }

    @Test
    void stopDuringTheBackoffEndsTheRunAtOnce() {
        FakeSource failing = FakeSource.failingAfter(List.of(), new IOException("refused"));
        runner = new JobRunner(pipelines(List.of(failing)), Duration.ofMinutes(1));
        CompletableFuture<Void> running = runAsync(runner);
        await().atMost(WAIT).until(() -> sources.size() == 1 && failing.finished());
        runner.stop();
        assertThat(running).succeedsWithin(WAIT);
        assertThat(sources).as("no restart after stop").hasSize(1);
    }

    @Test
    void stopEndsARunningPipelineCleanly() {
        FakeSource waiting = FakeSource.emitting(PipelineTest.rowTxs(1, 3));
        runner = new JobRunner(pipelines(List.of(waiting)), Duration.ofSeconds(1));
        CompletableFuture<Void> running = runAsync(runner);
        await().atMost(WAIT).until(() -> store.currentSeq() == 3);
        runner.stop();
        assertThat(running).succeedsWithin(WAIT);
        assertThat(waiting.isClosed()).isTrue();
    }
}
