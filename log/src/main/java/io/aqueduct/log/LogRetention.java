package io.aqueduct.log;

import io.aqueduct.core.pipeline.DurableFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes the oldest segments of a log: on request up to a seqno ({@link #purge}), or by age and size
 * ({@link #apply}). Only whole segment files are deleted, oldest first, so the log always stays one run of seqnos.
 *
 * <p>Two limits hold whatever is asked:
 * <ul>
 *   <li>a segment holding a seqno that some registered reader ({@link LogReaders}) still needs, that is one after
 *       what it acknowledged, is kept, and so is every segment after it;</li>
 *   <li>the newest segment is never deleted, since a writer appends to it (nor the one before it while the newest holds
 *       no whole transaction yet: a writer's recovery may delete such a newest segment and go on in the one before).</li>
 * </ul>
 * A reader that still has a deleted segment open keeps reading it (the file system keeps an open file until it is
 * closed); one that comes to a deleted position is told where the log begins now.
 */
public final class LogRetention {
    private static final Logger log = LoggerFactory.getLogger(LogRetention.class);

    private LogRetention() {}

    /**
     * How long and how big a log may grow before its oldest segments are deleted.
     *
     * @param maxAge   segments whose newest transaction committed longer ago than this are deleted; null or zero:
     *                 no age limit
     * @param maxBytes the oldest segments are deleted while all segment files together are larger than this; 0: no
     *                 size limit
     */
    public record Policy(Duration maxAge, long maxBytes) {
        public Policy {
            if (maxAge != null && maxAge.isNegative()) throw new IllegalArgumentException("maxAge must not be negative: " + maxAge);
            if (maxBytes < 0) throw new IllegalArgumentException("maxBytes must not be negative: " + maxBytes);
        }

        /** Keeps everything. */
        public static Policy unlimited() {
            return new Policy(null, 0);
        }

        public boolean limitsAge() {
            return maxAge != null && !maxAge.isZero();
        }

        public boolean limitsSize() {
            return maxBytes > 0;
        }

        @Override
        public String toString() {
            if (!limitsAge() && !limitsSize()) return "unlimited";
            return (limitsAge() ? "max age " + maxAge : "") + (limitsAge() && limitsSize() ? ", " : "")
                    + (limitsSize() ? "max size " + maxBytes + " bytes" : "");
        }
    }

    /**
     * Applies a policy to a log as its writer goes: at {@link #runNow} and then at most once a minute from
     * {@link #runIfDue}, logging what it deleted; a failure is logged and tried again at the next round (the log is
     * still whole).
     */
    public static final class Schedule {
        private static final long EVERY_MS = 60_000;
        private final Path dir;
        private final Policy policy;
        private long dueAt;

        public Schedule(Path dir, Policy policy) {
            this.dir = Objects.requireNonNull(dir, "dir");
            this.policy = Objects.requireNonNull(policy, "policy");
        }

        public Policy policy() {
            return policy;
        }

        public void runNow() {
            dueAt = 0;
            runIfDue();
        }

        public void runIfDue() {
            long now = System.currentTimeMillis();
            if (now < dueAt || !policy.limitsAge() && !policy.limitsSize()) return;
            dueAt = now + EVERY_MS;
            try {
                Result r = apply(dir, policy, Instant.ofEpochMilli(now));
                if (!r.deleted().isEmpty()) {
                    log.info("Relay log {}: retention ({}) deleted {} segment(s), {} bytes; the log now begins at seqno {}",
                            dir, policy, r.deleted().size(), r.deletedBytes(), r.firstSeqno());
                }
            } catch (IOException | RuntimeException e) {
                log.warn("Relay log {}: retention could not run: {}", dir, e.toString());
            }
        }
    }

    /**
     * A segment file.
     *
     * @param firstSeqno its base seqno
     * @param lastSeqno  the seqno of its last transaction: the next segment's base less one, -1 for the newest segment
     *                   (which is never deleted, so is not read for this)
     * @param bytes      its size
     */
    public record Segment(Path file, long firstSeqno, long lastSeqno, long bytes) {}

    /**
     * What a purge or a policy deleted.
     *
     * @param deleted       the segments deleted, oldest first (in a dry run: the ones that would be)
     * @param firstSeqno    the seqno the log begins at afterwards, -1 when it has no segment
     * @param heldBackBy    the reader whose acknowledgement kept a segment that the request or policy would have deleted,
     *                      null when no reader did; it is the reader with the smallest acknowledged seqno
     * @param heldSegment   the segment it kept, null when {@code heldBackBy} is
     * @param newestKept    whether the request or policy reached the newest segment, which is kept
     */
    public record Result(List<Segment> deleted, long firstSeqno, LogReaders.Reader heldBackBy, Segment heldSegment,
                         boolean newestKept) {
        public Result {
            deleted = List.copyOf(deleted);
        }

        public long deletedBytes() {
            return deleted.stream().mapToLong(Segment::bytes).sum();
        }
    }

    /**
     * Deletes the segments all of whose transactions have a seqno below {@code toSeqno}, within the limits above, and
     * makes the deletion durable.
     *
     * @throws NoSuchFileException when {@code dir} does not exist
     * @throws IOException         also when a reader's file is damaged: nothing is deleted then, since it is unknown
     *                             what that reader needs
     */
    public static Result purge(Path dir, long toSeqno) throws IOException {
        return purge(dir, toSeqno, false);
    }

    /** {@link #purge(Path, long)}, or with {@code dryRun} only what it would delete. */
    public static Result purge(Path dir, long toSeqno, boolean dryRun) throws IOException {
        return run(dir, (s, newest, bytes) -> newest ? toSeqno > s.firstSeqno() : s.lastSeqno() < toSeqno, dryRun, null);
    }

    /**
     * Deletes the oldest segments while the log is larger than {@code policy.maxBytes()}, or the oldest segment's newest
     * transaction committed before {@code now - policy.maxAge()}, within the limits above, and makes the deletion
     * durable. When a reader keeps a segment the policy would delete, logs a warning naming it and how to forget it.
     *
     * <p>Reads the record headers of a segment to learn its newest commit time, but only of the segments it looks at
     * for the age limit: the ones it deletes and the first one it keeps.
     *
     * @throws NoSuchFileException when {@code dir} does not exist
     * @throws IOException         also when a reader's file is damaged: nothing is deleted then
     * @throws LogCorruptException when the header of a segment it reads is damaged
     */
    public static Result apply(Path dir, Policy policy, Instant now) throws IOException {
        if (!policy.limitsAge() && !policy.limitsSize()) return run(dir, (s, newest, bytes) -> false, false, policy);
        long oldestAllowed = policy.limitsAge() ? now.minus(policy.maxAge()).toEpochMilli() : Long.MIN_VALUE;
        return run(dir, (s, newest, bytes) -> policy.limitsSize() && bytes > policy.maxBytes()
                || policy.limitsAge() && age(s.file()) < oldestAllowed, false, policy);
    }

    /** Whether the request or policy asks to delete a segment. */
    private interface Wanted {
        /**
         * @param newest whether it is the newest segment
         * @param bytes  the size of the log as it stands, with the segments before it deleted
         */
        boolean test(Segment s, boolean newest, long bytes) throws IOException;
    }

    private static Result run(Path dir, Wanted wanted, boolean dryRun, Policy policy) throws IOException {
        if (!Files.isDirectory(dir)) throw new NoSuchFileException(dir.toString(), null, "no relay log directory");
        // the readers first: a damaged file stops everything before anything is deleted
        LogReaders.Reader oldest = LogReaders.oldest(LogReaders.list(dir));
        List<Map.Entry<Long, Path>> segments = new ArrayList<>(LogFiles.segments(dir).entrySet());
        long[] sizes = new long[segments.size()];
        long total = 0;
        for (int i = 0; i < sizes.length; i++) total += sizes[i] = size(segments.get(i).getValue());

        List<Segment> deleted = new ArrayList<>();
        LogReaders.Reader heldBackBy = null;
        Segment held = null;
        boolean newestKept = false;
        int i = 0;
        for (; i < segments.size(); i++) {
            boolean newest = i == segments.size() - 1;
            Segment s = new Segment(segments.get(i).getValue(), segments.get(i).getKey(),
                    newest ? -1 : segments.get(i + 1).getKey() - 1, sizes[i]);
            if (!wanted.test(s, newest, total)) break;
            if (newest) {
                newestKept = true;
                break;
            }
            if (oldest != null && s.lastSeqno() > oldest.seqno()) {
                heldBackBy = oldest;
                held = s;
                if (policy != null) {
                    log.warn("Relay log {}: retention ({}) would delete {} (seqnos {} to {}), but reader '{}' has acknowledged "
                                    + "only seqno {} (last at {}, from {}) and still needs the ones after it, so the segment "
                                    + "is kept. If that reader is gone for good, run `aqueduct log readers {} --forget {}`.",
                            dir, policy, s.file().getFileName(), s.firstSeqno(), s.lastSeqno(), oldest.name(), oldest.seqno(),
                            oldest.updated(), oldest.from() == null ? "unknown" : oldest.from(), dir, oldest.name());
                }
                break;
            }
            if (i + 1 == segments.size() - 1 && !hasWholeTransaction(segments.get(i + 1).getValue())) {
                newestKept = true;
                break;
            }
            if (!dryRun) {
                Files.deleteIfExists(s.file()); // already gone: another purge was faster
                if (policy != null) {
                    log.info("Relay log {}: retention ({}) deleted {} (seqnos {} to {}, {} bytes)", dir, policy,
                            s.file().getFileName(), s.firstSeqno(), s.lastSeqno(), s.bytes());
                } else {
                    log.debug("Relay log {}: purge deleted {} (seqnos {} to {}, {} bytes)", dir, s.file().getFileName(),
                            s.firstSeqno(), s.lastSeqno(), s.bytes());
                }
            }
            deleted.add(s);
            total -= s.bytes();
        }
        if (!dryRun && !deleted.isEmpty()) DurableFiles.forceDirectory(dir);
        return new Result(deleted, i < segments.size() ? segments.get(i).getKey() : -1, heldBackBy, held, newestKept);
    }

    private static long size(Path p) throws IOException {
        try {
            return Files.size(p);
        } catch (NoSuchFileException e) {
            return 0;
        }
    }

    /** The newest commit time of the segment's whole transactions, {@link Long#MIN_VALUE} when it holds none. */
    /**
     * What the age limit compares: the later of the segment's newest commit time and its last write, so that a capture
     * job catching up on an old binlog does not write segments that are too old the moment they are finished.
     */
    private static long age(Path segment) throws IOException {
        return Math.max(newestCommitTime(segment), Files.getLastModifiedTime(segment).toMillis());
    }

    static long newestCommitTime(Path segment) throws IOException {
        try (SegmentFile f = SegmentFile.open(segment)) {
            SparseIndex index = new SparseIndex(f.header().baseSeqno(), Integer.MAX_VALUE);
            index.extend(f);
            return index.maxTime();
        }
    }

    /** Whether the segment holds the last fragment of a transaction, reading record headers until it finds one. */
    static boolean hasWholeTransaction(Path segment) throws IOException {
        try (SegmentFile f = SegmentFile.open(segment)) {
            for (long o = SegmentHeader.SIZE; f.frame(o) == SegmentFile.Frame.COMPLETE; o += f.size()) {
                if (f.last()) return true;
            }
            return false;
        } catch (NoSuchFileException e) {
            return false;
        }
    }
}
