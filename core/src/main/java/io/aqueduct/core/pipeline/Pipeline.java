package io.aqueduct.core.pipeline;

import io.aqueduct.core.apply.ApplyEngine;
import io.aqueduct.core.filter.Router;
import io.aqueduct.core.model.Position;
import io.aqueduct.core.model.Transaction;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of a job: the source fills a bounded queue on its own thread; this thread routes each transaction and
 * hands it to the apply engine; committed positions come back from the lanes and are saved at most every
 * {@link #SAVE_EVERY_MS} and at the end (lazy commit: only what the sink committed is ever saved).
 */
public final class Pipeline implements JobRunner.Attempt {
    private static final Logger LOG = LoggerFactory.getLogger(Pipeline.class);
    static final long SAVE_EVERY_MS = 500;

    /** Figures a run exposes while it goes, for logs and tests. */
    public static final class Stats {
        public volatile long transactions;
        public volatile long rows;
        public volatile long lastCommitTime;
        public volatile Position committed;
    }

    private final Source source;
    private final Sink sink;
    private final Router router;
    private final PositionStore store;
    private final long queueBytes;
    private final int batchRows;
    private final Duration statusEvery;
    private final Stats stats;
    private volatile boolean stopping;

    public Pipeline(Source source, Sink sink, Router router, PositionStore store, long queueBytes, int batchRows,
                    Duration statusEvery, Stats stats) {
        this.source = source;
        this.sink = sink;
        this.router = router;
        this.store = store;
        this.queueBytes = queueBytes;
        this.batchRows = batchRows;
        this.statusEvery = statusEvery;
        this.stats = stats;
    }

    /** Asks the run to stop: the source stops reading, what was read is applied and the position saved. */
    @Override
    public void stop() {
        stopping = true;
        source.close();
    }

    /** Runs until {@link #stop()} (returns normally) or a failure (throws). */
    @Override
    public void run() throws Exception {
        Position start = store.load().map(source::parsePosition).orElse(null);
        LOG.info("Starting from {}", start == null ? "the configured start" : start.toJson());
        // memory.queue bounds everything held: half between source and engine, half in the lanes' queues
        TransactionQueue queue = new TransactionQueue(queueBytes / 2);
        AtomicReference<Throwable> sourceFailure = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            try {
                source.run(start, queue);
            } catch (Throwable t) {
                if (!stopping) sourceFailure.set(t);
            } finally {
                queue.close();
            }
        }, "source");
        Position[] lastSaved = {start};
        ApplyEngine.Listener onCommit = (pos, commitTime, txs, rows) -> {
            stats.committed = pos;
            stats.lastCommitTime = commitTime;
            stats.transactions += txs;
            stats.rows += rows;
        };
        try {
            sink.open();
            runEngine(queue, reader, sourceFailure, lastSaved, onCommit);
        } finally {
            queue.close(); // a source blocked on a full queue must not outlive this run
            source.close();
            reader.join(5000);
            sink.close();
        }
    }

    private void runEngine(TransactionQueue queue, Thread reader, AtomicReference<Throwable> sourceFailure,
                           Position[] lastSaved, ApplyEngine.Listener onCommit) throws Exception {
        try (ApplyEngine engine = new ApplyEngine(sink, batchRows, queueBytes / 2, onCommit)) {
            reader.start();
            long nextSave = System.currentTimeMillis() + SAVE_EVERY_MS;
            long nextStatus = System.currentTimeMillis() + statusEvery.toMillis();
            long statusRows = 0;
            long statusAt = System.currentTimeMillis();
            while (true) {
                Transaction tx = queue.take(100, TimeUnit.MILLISECONDS);
                if (tx != null) {
                    engine.submit(router.route(tx));
                    // DDL is not transactional on most targets: record it as done at once, so that a crash
                    // right after it replays as little of it as possible (replays are tolerated by the dialects)
                    if (tx.hasDdl()) save(lastSaved);
                }
                else if (!reader.isAlive() && queue.isEmpty()) break;
                engine.checkFailure();
                long now = System.currentTimeMillis();
                if (now >= nextSave) {
                    save(lastSaved);
                    nextSave = now + SAVE_EVERY_MS;
                }
                if (now >= nextStatus) {
                    long rows = stats.rows;
                    double rate = (rows - statusRows) * 1000.0 / Math.max(1, now - statusAt);
                    // caught up means no lag, however long ago the source last committed something
                    boolean caughtUp = queue.isEmpty() && engine.idle();
                    long lag = caughtUp || stats.lastCommitTime == 0 ? 0 : Math.max(0, now - stats.lastCommitTime);
                    LOG.info("applied {} rows in {} transactions ({} rows/s), lag {} ms, queued {} KiB, position {}",
                            rows, stats.transactions, Math.round(rate), lag, queue.bytes() / 1024,
                            stats.committed == null ? "-" : stats.committed.toJson());
                    statusRows = rows;
                    statusAt = now;
                    nextStatus = now + statusEvery.toMillis();
                }
            }
            Throwable f = sourceFailure.get();
            if (f != null) {
                // apply what was read before the failure so a restart has less to redo
                engine.flush();
                save(lastSaved);
                if (f instanceof Exception e) throw e;
                throw new RuntimeException(f);
            }
            engine.flush();
            engine.checkFailure();
            save(lastSaved);
            LOG.info("Stopped cleanly at {}", stats.committed == null ? "the start position" : stats.committed.toJson());
        }
    }

    private void save(Position[] lastSaved) {
        Position p = stats.committed;
        if (p != null && p != lastSaved[0]) {
            store.save(p.toJson());
            lastSaved[0] = p;
            source.saved(p);
        }
    }
}
