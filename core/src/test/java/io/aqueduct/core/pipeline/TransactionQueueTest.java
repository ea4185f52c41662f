package io.aqueduct.core.pipeline;

import static io.aqueduct.core.fixtures.Tx.insert;
import static io.aqueduct.core.fixtures.Tx.keyed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.aqueduct.core.fixtures.Tx;
import io.aqueduct.core.model.TableSchema;
import io.aqueduct.core.model.Transaction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TransactionQueueTest {
    private static final TableSchema T = keyed("db", "t", "id", "v");
    private static final Duration SHORT = Duration.ofSeconds(5);

    private final List<Thread> threads = new ArrayList<>();

    /** A transaction with one row; all of them have the same size. */
    private static Transaction tx(long seq) {
        return Tx.tx(seq, insert(T, seq, "v"));
    }

    private static final long SIZE = tx(1).sizeEstimate();

    /** Starts a put on its own thread; the future completes with its result. */
    private CompletableFuture<Boolean> putAsync(TransactionQueue q, Transaction t) {
        CompletableFuture<Boolean> f = new CompletableFuture<>();
        Thread th = new Thread(() -> {
            try {
                f.complete(q.put(t));
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        }, "put-" + t.seq());
        th.setDaemon(true);
        threads.add(th);
        th.start();
        return f;
    }

    private void awaitBlocked(int index) {
        Thread th = threads.get(index);
        await().atMost(SHORT).until(() -> th.getState() == Thread.State.WAITING);
    }

    @AfterEach
    void stopThreads() {
        threads.forEach(Thread::interrupt);
    }

    @Test
    void fifoWithByteAccounting() throws Exception {
        TransactionQueue q = new TransactionQueue(10 * SIZE);
        assertThat(q.isEmpty()).isTrue();
        for (int i = 1; i <= 3; i++) assertThat(q.put(tx(i))).isTrue();
        assertThat(q.bytes()).isEqualTo(3 * SIZE);
        assertThat(q.isEmpty()).isFalse();
        assertThat(q.take(1, TimeUnit.SECONDS).seq()).isEqualTo(1);
        assertThat(q.bytes()).isEqualTo(2 * SIZE);
        assertThat(q.take(1, TimeUnit.SECONDS).seq()).isEqualTo(2);
        assertThat(q.take(1, TimeUnit.SECONDS).seq()).isEqualTo(3);
        assertThat(q.bytes()).isZero();
        assertThat(q.isEmpty()).isTrue();
    }

    @Test
    void takeTimesOutOnAnEmptyOpenQueue() throws Exception {
        TransactionQueue q = new TransactionQueue(SIZE);
        assertThat(q.take(10, TimeUnit.MILLISECONDS)).isNull();
        assertThat(q.take(0, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void putBlocksWhileFullAndProceedsAfterATake() throws Exception {
        TransactionQueue q = new TransactionQueue(2 * SIZE); // exactly two fit
        assertThat(q.put(tx(1))).isTrue();
        assertThat(q.put(tx(2))).isTrue();
        CompletableFuture<Boolean> third = putAsync(q, tx(3));
        awaitBlocked(0);
        assertThat(third).isNotDone();
        assertThat(q.bytes()).isEqualTo(2 * SIZE);

        assertThat(q.take(1, TimeUnit.SECONDS).seq()).isEqualTo(1);
        assertThat(third.get(5, TimeUnit.SECONDS)).isTrue();
        assertThat(q.bytes()).isEqualTo(2 * SIZE);
        assertThat(q.take(1, TimeUnit.SECONDS).seq()).isEqualTo(2);
        assertThat(q.take(1, TimeUnit.SECONDS).seq()).isEqualTo(3);
    }

    @Test
    void aBlockedTakeIsWokenByAPut() throws Exception {
        TransactionQueue q = new TransactionQueue(SIZE);
        AtomicReference<Transaction> got = new AtomicReference<>();
        Thread taker = new Thread(() -> {
            try {
                got.set(q.take(1, TimeUnit.MINUTES));
            } catch (InterruptedException ignored) {
                // the test is over
            }
        });
        taker.setDaemon(true);
        threads.add(taker);
        taker.start();
        await().atMost(SHORT).until(() -> taker.getState() == Thread.State.TIMED_WAITING);
        q.put(tx(7));
        await().atMost(SHORT).untilAsserted(() -> assertThat(got.get()).isNotNull());
        assertThat(got.get().seq()).isEqualTo(7);
    }

    @Test
    void oversizedTransactionIsAdmittedWhenEmpty() throws Exception {
        TransactionQueue q = new TransactionQueue(10); // far smaller than any transaction
        assertTimeoutPreemptively(SHORT, () -> assertThat(q.put(tx(1))).isTrue());
        assertThat(q.bytes()).isEqualTo(SIZE);
        // a second one must wait until the first is gone
        CompletableFuture<Boolean> second = putAsync(q, tx(2));
        awaitBlocked(0);
        assertThat(second).isNotDone();
        assertThat(q.take(1, TimeUnit.SECONDS).seq()).isEqualTo(1);
        assertThat(second.get(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void closeWakesABlockedPutWhichReturnsFalse() throws Exception {
        TransactionQueue q = new TransactionQueue(SIZE);
        q.put(tx(1));
        CompletableFuture<Boolean> blocked = putAsync(q, tx(2));
        awaitBlocked(0);
        q.close();
        assertThat(blocked.get(5, TimeUnit.SECONDS)).isFalse();
        // the rejected transaction is not in the queue
        assertThat(q.bytes()).isEqualTo(SIZE);
    }

    @Test
    void closeWakesABlockedTake() throws Exception {
        TransactionQueue q = new TransactionQueue(SIZE);
        CompletableFuture<Transaction> f = new CompletableFuture<>();
        Thread taker = new Thread(() -> {
            try {
                f.complete(q.take(1, TimeUnit.MINUTES));
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        });
        taker.setDaemon(true);
        threads.add(taker);
        taker.start();
        await().atMost(SHORT).until(() -> taker.getState() == Thread.State.TIMED_WAITING);
        q.close();
        assertThat(f.get(5, TimeUnit.SECONDS)).isNull();
    }

    @Test
    void takeDrainsAfterCloseThenReturnsNullAtOnce() throws Exception {
        TransactionQueue q = new TransactionQueue(10 * SIZE);
        q.put(tx(1));
        q.put(tx(2));
        q.close();
        assertThat(q.put(tx(3))).isFalse();
        assertTimeoutPreemptively(SHORT, () -> {
            assertThat(q.take(1, TimeUnit.MINUTES).seq()).isEqualTo(1);
            assertThat(q.take(1, TimeUnit.MINUTES).seq()).isEqualTo(2);
            assertThat(q.take(1, TimeUnit.MINUTES)).isNull();
            assertThat(q.take(1, TimeUnit.MINUTES)).isNull();
        });
    }

    @Test
    void pollIfTakesTheHeadOnlyWhenItMatches() throws Exception {
        TransactionQueue q = new TransactionQueue(10 * SIZE);
        assertThat(q.pollIf(t -> true)).isNull();
        q.put(tx(1));
        q.put(tx(2));
        // the test sees only the head: a match further back is not taken
        assertThat(q.pollIf(t -> t.seq() == 2)).isNull();
        assertThat(q.bytes()).isEqualTo(2 * SIZE);
        assertThat(q.pollIf(t -> t.seq() == 1).seq()).isEqualTo(1);
        assertThat(q.bytes()).isEqualTo(SIZE);
        assertThat(q.pollIf(t -> t.seq() == 2).seq()).isEqualTo(2);
        assertThat(q.isEmpty()).isTrue();
    }

    @Test
    void pollIfFreesSpaceForABlockedPut() throws Exception {
        TransactionQueue q = new TransactionQueue(SIZE);
        q.put(tx(1));
        CompletableFuture<Boolean> blocked = putAsync(q, tx(2));
        awaitBlocked(0);
        assertThat(q.pollIf(t -> true).seq()).isEqualTo(1);
        assertThat(blocked.get(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void producerAndConsumerPassEverythingInOrderThroughATinyQueue() throws Exception {
        TransactionQueue q = new TransactionQueue(2 * SIZE);
        int n = 2000;
        CompletableFuture<Void> producer = CompletableFuture.runAsync(() -> {
            try {
                for (int i = 1; i <= n; i++) q.put(tx(i));
                q.close();
            } catch (InterruptedException e) {
                throw new RuntimeException(e);
            }
        });
        List<Long> got = new ArrayList<>();
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            Transaction t;
            while ((t = q.take(5, TimeUnit.SECONDS)) != null) {
                got.add(t.seq());
                assertThat(q.bytes()).isLessThanOrEqualTo(2 * SIZE);
            }
        });
        producer.get(5, TimeUnit.SECONDS);
        assertThat(got).hasSize(n);
        for (int i = 0; i < n; i++) assertThat(got.get(i)).isEqualTo(i + 1L);
    }
}
