package io.aqueduct.bench;

import io.aqueduct.core.model.Change;
import io.aqueduct.core.model.RowChange;
import io.aqueduct.core.model.Transaction;
import io.aqueduct.core.pipeline.Sink;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A sink that writes nothing: one lane, counting rows per bench table, noting when the narrow table's rows and all
 * rows have arrived, so capture can be timed without the target.
 */
final class DiscardSink implements Sink {
    private final long narrowRows;
    private final long totalRows;
    private final CountDownLatch done = new CountDownLatch(1);
    private long narrow;
    private long all;
    private volatile long narrowDoneNanos;
    private volatile long allDoneNanos;

    DiscardSink(long narrowRows, long totalRows) {
        this.narrowRows = narrowRows;
        this.totalRows = totalRows;
    }

    @Override
    public int lanes() {
        return 1;
    }

    @Override
    public void open() {}

    @Override
    public void apply(int lane, List<Transaction> batch) {
        for (Transaction tx : batch) {
            for (Change c : tx.changes()) {
                if (c instanceof RowChange rc) {
                    all++;
                    if (rc.table().table().equals(Workload.NARROW)) narrow++;
                }
            }
        }
        long now = System.nanoTime();
        if (narrowDoneNanos == 0 && narrow >= narrowRows) narrowDoneNanos = now;
        if (allDoneNanos == 0 && all >= totalRows) {
            allDoneNanos = now;
            done.countDown();
        }
    }

    /** Waits until every expected row has arrived (true) or the timeout passed / {@link #abort()} was called. */
    boolean await(long timeout, TimeUnit unit) throws InterruptedException {
        return done.await(timeout, unit) && allDoneNanos != 0;
    }

    /** Wakes {@link #await} when the pipeline ended early. */
    void abort() {
        done.countDown();
    }

    long rows() {
        return all;
    }

    long narrowDoneNanos() {
        return narrowDoneNanos;
    }

    long allDoneNanos() {
        return allDoneNanos;
    }

    @Override
    public void close() {}
}
