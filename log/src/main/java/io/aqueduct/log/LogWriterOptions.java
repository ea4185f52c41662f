package io.aqueduct.log;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link LogWriter} writes.
 *
 * @param codec        payload compression of new segments
 * @param segmentBytes a segment is closed and a new one started at the first transaction boundary past this size
 * @param fsync        when records are forced to disk
 * @param epoch        the writer's epoch, stored in every record; must not be lower than the newest record's epoch
 */
public record LogWriterOptions(Codec codec, long segmentBytes, FsyncPolicy fsync, long epoch) {
    public static final long DEFAULT_SEGMENT_BYTES = 128L << 20;
    public static final Duration DEFAULT_FSYNC_INTERVAL = Duration.ofMillis(10);
    /** Smallest segment size accepted: room for a header and some records. */
    public static final long MIN_SEGMENT_BYTES = 1024;

    public LogWriterOptions {
        Objects.requireNonNull(codec, "codec");
        Objects.requireNonNull(fsync, "fsync");
        if (segmentBytes < MIN_SEGMENT_BYTES) {
            throw new IllegalArgumentException("segmentBytes must be at least " + MIN_SEGMENT_BYTES + ": " + segmentBytes);
        }
        if (epoch < 0) throw new IllegalArgumentException("epoch must not be negative: " + epoch);
    }

    /** LZ4, 128 MiB segments, group commit every 10 ms, epoch 0. */
    public static LogWriterOptions defaults() {
        return new LogWriterOptions(Codec.LZ4, DEFAULT_SEGMENT_BYTES, FsyncPolicy.interval(DEFAULT_FSYNC_INTERVAL), 0);
    }

    public LogWriterOptions withCodec(Codec c) {
        return new LogWriterOptions(c, segmentBytes, fsync, epoch);
    }

    public LogWriterOptions withSegmentBytes(long bytes) {
        return new LogWriterOptions(codec, bytes, fsync, epoch);
    }

    public LogWriterOptions withFsync(FsyncPolicy policy) {
        return new LogWriterOptions(codec, segmentBytes, policy, epoch);
    }

    public LogWriterOptions withEpoch(long e) {
        return new LogWriterOptions(codec, segmentBytes, fsync, e);
    }
}
