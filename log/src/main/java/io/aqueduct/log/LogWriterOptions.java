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
 * @param blockBytes   consecutive whole transactions are compressed together into one record up to about this many
 *                     raw bytes (one larger goes alone, as does every fragment); 0 gives each transaction its own record
 */
public record LogWriterOptions(Codec codec, long segmentBytes, FsyncPolicy fsync, long epoch, int blockBytes) {
    public static final long DEFAULT_SEGMENT_BYTES = 128L << 20;
    /** LZ4 finds repeats up to 64 KiB back, so larger blocks gain it little and cost readers seeking into them. */
    public static final int DEFAULT_BLOCK_BYTES = 64 * 1024;
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
        if (blockBytes < 0 || blockBytes > RecordFormat.MAX_PAYLOAD / 2) {
            throw new IllegalArgumentException("blockBytes must be between 0 and " + RecordFormat.MAX_PAYLOAD / 2 + ": " + blockBytes);
        }
    }

    /** With blocks of {@link #DEFAULT_BLOCK_BYTES}. */
    public LogWriterOptions(Codec codec, long segmentBytes, FsyncPolicy fsync, long epoch) {
        this(codec, segmentBytes, fsync, epoch, DEFAULT_BLOCK_BYTES);
    }

    /** LZ4, 128 MiB segments, group commit every 10 ms, epoch 0, 64 KiB blocks. */
    public static LogWriterOptions defaults() {
        return new LogWriterOptions(Codec.LZ4, DEFAULT_SEGMENT_BYTES, FsyncPolicy.interval(DEFAULT_FSYNC_INTERVAL), 0);
    }

    public LogWriterOptions withCodec(Codec c) {
        return new LogWriterOptions(c, segmentBytes, fsync, epoch, blockBytes);
    }

    public LogWriterOptions withSegmentBytes(long bytes) {
        return new LogWriterOptions(codec, bytes, fsync, epoch, blockBytes);
    }

    public LogWriterOptions withFsync(FsyncPolicy policy) {
        return new LogWriterOptions(codec, segmentBytes, policy, epoch, blockBytes);
    }

    public LogWriterOptions withEpoch(long e) {
        return new LogWriterOptions(codec, segmentBytes, fsync, e, blockBytes);
    }

    public LogWriterOptions withBlockBytes(int bytes) {
        return new LogWriterOptions(codec, segmentBytes, fsync, epoch, bytes);
    }
}
