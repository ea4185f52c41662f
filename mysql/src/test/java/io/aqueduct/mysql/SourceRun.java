package io.aqueduct.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import io.aqueduct.core.config.Endpoint;
import io.aqueduct.core.config.StartPosition;
import io.aqueduct.core.filter.TableFilter;
import io.aqueduct.core.model.Change;
import io.aqueduct.core.model.Position;
import io.aqueduct.core.model.RowChange;
import io.aqueduct.core.model.TableId;
import io.aqueduct.core.model.Transaction;
import io.aqueduct.core.pipeline.TransactionQueue;
import io.aqueduct.testkit.MariaDbServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * Drives a {@link MySqlBinlogSource} the way the pipeline does: {@code run(position, queue)} on its own thread, the
 * test taking transactions from the queue. A failure of {@code run} is kept and rethrown to whoever waits.
 */
final class SourceRun implements AutoCloseable {
    /** Every source registers with its own replica server id, so a lingering dump thread never kicks out another. */
    private static final AtomicLong SERVER_IDS = new AtomicLong(7001);
    static final Duration WAIT = Duration.ofSeconds(20);

    static {
        // no logback-test.xml in this module: keep the default DEBUG console logging of the binlog client quiet
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(ch.qos.logback.classic.Level.INFO);
    }

    final MySqlBinlogSource source;
    final TransactionQueue queue = new TransactionQueue(256L << 20);
    private final Thread thread;
    private volatile Throwable failure;
    private volatile boolean ended;

    private SourceRun(MySqlBinlogSource source, Position from) {
        this.source = source;
        this.thread = new Thread(() -> {
            try {
                source.run(from, queue);
            } catch (Throwable t) {
                failure = t;
            } finally {
                ended = true;
                queue.close();
            }
        }, "binlog-source-under-test");
        thread.setDaemon(true);
        thread.start();
    }

    static Endpoint endpoint(MariaDbServer server, StartPosition start) {
        return new Endpoint("mysql", server.host(), server.port(), "root", "", null, SERVER_IDS.getAndIncrement(), start);
    }

    static MySqlBinlogSource source(MariaDbServer server, StartPosition start, TableFilter filter, long fragmentBytes,
                                    Path history) {
        return new MySqlBinlogSource(endpoint(server, start), filter, fragmentBytes, history);
    }

    /** Runs the source from {@code from} (null: its configured start). */
    static SourceRun run(MySqlBinlogSource source, Position from) {
        return new SourceRun(source, from);
    }

    /** Tables of one database. */
    static TableFilter db(String database) {
        return new TableFilter(List.of(database.replace("$", "\\$") + "\\..*"), List.of());
    }

    /** The next transaction; fails when none comes in time or when the source ended (with its failure as cause). */
    Transaction next() throws InterruptedException {
        Transaction tx = queue.take(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        if (tx == null) {
            throw new AssertionError(ended ? "the source ended" + (failure == null ? "" : ": " + failure) : "no transaction within " + WAIT, failure);
        }
        return tx;
    }

    /** Takes transactions until one satisfies {@code stop}; returns all taken, that one last. */
    List<Transaction> until(Predicate<Transaction> stop) throws InterruptedException {
        List<Transaction> out = new ArrayList<>();
        while (true) {
            Transaction tx = next();
            out.add(tx);
            if (stop.test(tx)) return out;
        }
    }

    /** Takes transactions until one carries a change of {@code table} satisfying {@code stop}. */
    List<Transaction> untilRow(TableId table, Predicate<RowChange> stop) throws InterruptedException {
        return until(tx -> rows(tx, table).stream().anyMatch(stop));
    }

    /** The transaction that carries the next row change of {@code table}, skipping all before it. */
    Transaction nextWithRows(TableId table) throws InterruptedException {
        List<Transaction> taken = untilRow(table, r -> true);
        return taken.get(taken.size() - 1);
    }

    static List<RowChange> rows(Transaction tx, TableId table) {
        List<RowChange> out = new ArrayList<>();
        for (Change c : tx.changes()) if (c instanceof RowChange r && r.table().equals(table)) out.add(r);
        return out;
    }

    static List<RowChange> rows(List<Transaction> txs, TableId table) {
        List<RowChange> out = new ArrayList<>();
        for (Transaction tx : txs) out.addAll(rows(tx, table));
        return out;
    }

    /** Waits for run() to end by itself and returns what it threw. */
    Throwable awaitFailure() throws InterruptedException {
        return awaitFailure(WAIT);
    }

    Throwable awaitFailure(Duration wait) throws InterruptedException {
        thread.join(wait.toMillis());
        assertThat(thread.isAlive()).as("run() still running after %s", wait).isFalse();
        return failure;
    }

    boolean ended() {
        return ended;
    }

    /** Nothing more within {@code wait} (the queue is polled, not slept on). */
    Transaction poll(Duration wait) throws InterruptedException {
        return queue.take(wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        source.close();
        thread.join(WAIT.toMillis());
        assertThat(thread.isAlive()).as("run() returns after close()").isFalse();
    }

    Throwable failure() {
        return failure;
    }
}
