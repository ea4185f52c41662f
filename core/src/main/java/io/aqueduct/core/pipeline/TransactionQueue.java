package io.aqueduct.core.pipeline;

import io.aqueduct.core.model.Transaction;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * A FIFO of transactions bounded by their estimated size in bytes. A put blocks while the queue is full, which
 * is how backpressure reaches the source. One transaction larger than the bound is still admitted when the
 * queue is empty, so progress never stops (sources fragment big transactions to keep that rare).
 */
public final class TransactionQueue {
    private final long maxBytes;
    private final ArrayDeque<Transaction> items = new ArrayDeque<>();
    private final ArrayDeque<Long> sizes = new ArrayDeque<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notFull = lock.newCondition();
    private final Condition notEmpty = lock.newCondition();
    private long bytes;
    private boolean closed;

    public TransactionQueue(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** Blocks while full. Returns false if the queue was closed. */
    public boolean put(Transaction tx) throws InterruptedException {
        long size = tx.sizeEstimate();
        lock.lockInterruptibly();
        try {
            while (!closed && !items.isEmpty() && bytes + size > maxBytes) notFull.await();
            if (closed) return false;
            items.addLast(tx);
            sizes.addLast(size);
            bytes += size;
            notEmpty.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** The next transaction, or null after the timeout or once closed and empty. */
    public Transaction take(long timeout, TimeUnit unit) throws InterruptedException {
        long nanos = unit.toNanos(timeout);
        lock.lockInterruptibly();
        try {
            while (items.isEmpty()) {
                if (closed || nanos <= 0) return null;
                nanos = notEmpty.awaitNanos(nanos);
            }
            return removeFirst();
        } finally {
            lock.unlock();
        }
    }

    /** The next transaction if there is one and it satisfies the test, without waiting. */
    public Transaction pollIf(Predicate<Transaction> test) {
        lock.lock();
        try {
            return !items.isEmpty() && test.test(items.peekFirst()) ? removeFirst() : null;
        } finally {
            lock.unlock();
        }
    }

    private Transaction removeFirst() {
        Transaction tx = items.removeFirst();
        bytes -= sizes.removeFirst();
        notFull.signalAll();
        return tx;
    }

    public long bytes() {
        lock.lock();
        try {
            return bytes;
        } finally {
            lock.unlock();
        }
    }

    public boolean isEmpty() {
        lock.lock();
        try {
            return items.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    /** Wakes every waiter; puts fail from now on, takes drain what is left. */
    public void close() {
        lock.lock();
        try {
            closed = true;
            notFull.signalAll();
            notEmpty.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
