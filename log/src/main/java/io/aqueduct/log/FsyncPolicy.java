package io.aqueduct.log;

import java.time.Duration;
import java.util.Objects;

/** When the {@link LogWriter} forces appended records to the storage device. */
public sealed interface FsyncPolicy {

    /**
     * An fsync after every record that completes a transaction: {@link LogWriter#append} of a whole transaction or a
     * last fragment returns only once the transaction is durable. The fragments before a last one are forced along
     * with it, since no transaction becomes durable before its last fragment does.
     */
    record EveryRecord() implements FsyncPolicy {}

    /**
     * Group commit: a background thread hands buffered records to the operating system and fsyncs them every
     * {@code period}; one fsync covers everything appended since the last one.
     */
    record Interval(Duration period) implements FsyncPolicy {
        public Interval {
            Objects.requireNonNull(period, "period");
            if (period.isNegative() || period.isZero()) throw new IllegalArgumentException("fsync interval must be positive: " + period);
        }
    }

    /**
     * Never fsync, for tests. Records reach the operating system when the write buffer fills and on
     * {@link LogWriter#flush}, {@link LogWriter#sync} and {@link LogWriter#close}; they survive a crash of the process
     * but not of the machine, and {@link LogWriter#durableSeqno} counts them as durable once handed over.
     */
    record None() implements FsyncPolicy {}

    static FsyncPolicy everyRecord() {
        return new EveryRecord();
    }

    static FsyncPolicy interval(Duration period) {
        return new Interval(period);
    }

    static FsyncPolicy none() {
        return new None();
    }
}
