package io.aqueduct.core.progress;

import java.util.ArrayDeque;

/**
 * Rows per second over the last few seconds, from samples of a growing row count. An average since the start
 * would hide a slowdown (a large table after small ones, a busy source) for minutes; the ETA should follow it.
 * Not thread-safe: only the display samples and reads it.
 */
final class RecentRate {
    private final long windowNanos;
    /** (nanoTime, rows) pairs, oldest first; the oldest is the newest one at least a window old. */
    private final ArrayDeque<long[]> samples = new ArrayDeque<>();
    private long keptNanos;

    RecentRate(long windowNanos) {
        if (windowNanos <= 0) throw new IllegalArgumentException("window must be positive");
        this.windowNanos = windowNanos;
    }

    void sample(long nanos, long rows) {
        // samples closer together than a hundredth of the window replace each other, which bounds the memory however
        // often the display is refreshed
        if (samples.size() >= 2 && nanos - keptNanos < windowNanos / 100) samples.pollLast();
        else keptNanos = nanos;
        samples.addLast(new long[] {nanos, rows});
        while (samples.size() > 2) {
            long[] oldest = samples.pollFirst();
            if (nanos - samples.peekFirst()[0] < windowNanos) {
                samples.addFirst(oldest);
                break;
            }
        }
    }

    /** 0 until two samples some time apart exist. */
    double perSecond() {
        if (samples.size() < 2) return 0;
        long[] first = samples.peekFirst();
        long[] last = samples.peekLast();
        long span = last[0] - first[0];
        return span <= 0 ? 0 : Math.max(0, last[1] - first[1]) * 1e9 / span;
    }

    int size() {
        return samples.size();
    }
}
