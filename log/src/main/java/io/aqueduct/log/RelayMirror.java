package io.aqueduct.log;

import io.aqueduct.core.config.ConfigException;
import io.aqueduct.core.filter.TableFilter;
import io.aqueduct.core.model.Transaction;
import io.aqueduct.core.pipeline.JobRunner;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a copy of a relay server's log in a local directory, record by record: the same seqnos, epochs, blocks and
 * compression, and the same selection history, so that the copy is a relay log like the original — for readers on
 * this machine (source type relay with a path) and for a relay server of its own. Records are not decompressed: each
 * one's length fields, CRC32C and seqno continuity are checked as it arrives, then it is written as it came. The
 * copy's durable seqno is acknowledged to the server, which keeps its log for the mirror until then. A crash leaves
 * at most a torn tail, cut back when the copy is opened again; copying continues after its last whole transaction.
 *
 * <p>One {@link #run} copies until {@link #stop} or a failure; as a {@link JobRunner.Attempt} it is retried after a
 * dropped connection or a silent server, and stops for good when the server refuses the mirror or the copy does not
 * continue the server's log.
 */
public final class RelayMirror implements JobRunner.Attempt {
    private static final Logger LOG = LoggerFactory.getLogger(RelayMirror.class);
    private static final long ACK_EVERY_MS = 1000;
    private static final long REPORT_EVERY_MS = 30_000;

    private final RelaySource server;
    private final String address;
    private final Path dir;
    private final LogWriterOptions writerOptions;
    private LogRetention.Schedule retention;
    private final AtomicLong durable = new AtomicLong(-1);
    /** Guards the waits for {@link #copied} to move. */
    private final Object progress = new Object();
    private volatile long copied = -1;
    private volatile boolean stopped;

    /**
     * @param writerOptions the copy's fsync policy and segment size (codec, epoch and blocks come with the records)
     */
    public RelayMirror(RelaySource.Options options, Path dir, LogWriterOptions writerOptions) {
        this.server = new RelaySource(options, TableFilter.all());
        this.address = options.address();
        this.dir = Objects.requireNonNull(dir, "dir");
        this.writerOptions = Objects.requireNonNull(writerOptions, "writerOptions");
    }

    /**
     * Makes the mirror delete the copy's old segments by {@code policy} when it opens the copy and every minute while
     * it copies, within what the copy's own registered readers still need ({@link LogRetention}). Returns this mirror.
     */
    public RelayMirror retention(LogRetention.Policy policy) {
        this.retention = new LogRetention.Schedule(dir, policy);
        return this;
    }

    /** The seqno of the last transaction the copy holds durably, -1 before the first. */
    public long durableSeqno() {
        return durable.get();
    }

    /**
     * Waits until the copy holds the whole transaction of {@code seqno} (readers of the copy see it; maybe not yet
     * durable), the mirror is stopped, or {@code timeout} passes; returns whether the copy holds it.
     */
    public boolean awaitCopied(long seqno, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (progress) {
            while (copied < seqno && !stopped) {
                long left = deadline - System.nanoTime();
                if (left <= 0) break;
                TimeUnit.NANOSECONDS.timedWait(progress, left);
            }
        }
        return copied >= seqno;
    }

    @Override
    public void run() throws Exception {
        if (stopped) return;
        ScheduledExecutorService acks = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "relay-mirror-ack");
            t.setDaemon(true);
            return t;
        });
        try (LogWriter copy = LogWriter.openCopy(dir, writerOptions)) {
            if (retention != null) retention.runNow();
            long last = copy.lastSeqno();
            copied = last;
            durable.set(copy.durableSeqno());
            long next = last >= 0 ? last + 1 : firstOnServer();
            // what the copy holds is acknowledged at once, then what becomes durable, every second
            server.acknowledge(next - 1);
            try (RelaySource.Session s = server.connect(next, last >= 0 ? copy.epoch() : -1, true);
                 FramedRecordDecoder checks = new FramedRecordDecoder(address, next, null)) {
                LOG.info("Mirroring the relay log at {} into {} from seqno {}", address, dir, next);
                acks.scheduleWithFixedDelay(() -> acknowledgeDurable(copy), ACK_EVERY_MS, ACK_EVERY_MS, TimeUnit.MILLISECONDS);
                copy(s, checks, copy);
            }
        } catch (Exception e) {
            if (stopped) return; // closing the connection to stop fails the read
            throw e;
        } finally {
            acks.shutdownNow();
        }
    }

    private long firstOnServer() throws IOException {
        long[] bounds = server.bounds();
        return bounds[1] == 0 ? 1 : bounds[0];
    }

    /**
     * Acknowledges what the copy holds durably — at once, since acknowledgements are also the server's sign of life —
     * then syncs the copy, so that under {@link FsyncPolicy.None} (nothing forced: written counts as durable) the next
     * acknowledgement moves on as well.
     */
    private void acknowledgeDurable(LogWriter copy) {
        server.acknowledge(durable.get());
        try {
            durable.set(copy.sync());
        } catch (IOException | RuntimeException e) {
            // the copying thread finds the writer's failure and the run ends with it
            LOG.debug("mirror of {}: cannot sync the copy: {}", address, e.toString());
        }
    }

    /** Writes what the server sends until stopped: records after their checks, the selection history as it changes. */
    private void copy(RelaySource.Session s, FramedRecordDecoder checks, LogWriter copy) throws IOException {
        long bytes = 0;
        long reportedAt = System.currentTimeMillis();
        long reportedBytes = 0;
        while (!stopped) {
            ByteBuffer b = s.readFrame();
            byte type = b.get();
            if (type == RelayProtocol.RECORDS) {
                checks.checkFrame(b);
                while (b.hasRemaining()) {
                    Codec codec = checks.nextCodec(b);
                    int at = b.position();
                    int length = 4 + b.getInt(at);
                    try {
                        if (length >= RecordFormat.HEADER_SIZE && RecordFormat.seqno(b.array(), at) <= copy.lastSeqno()) {
                            // a block that begins inside the copy: the server's log lost records the mirror had copied
                            // (a crash of its machine) and was written again, cut into other blocks; the transactions
                            // after the copy's end are taken from it and encoded again
                            for (Transaction t : checks.decode(codec, b, length)) copy.append(t);
                        } else {
                            checks.verify(b, length);
                            copy.appendRecord(codec, b.array(), at, length);
                        }
                    } catch (IllegalArgumentException e) {
                        throw new ConfigException("The relay log at " + address + " does not continue the copy in " + dir
                                + " (" + e.getMessage() + "). A mirror's directory must hold a copy of that server's log "
                                + "only: give the mirror an empty directory, or the one it mirrored this log into before.", e);
                    }
                    bytes += length;
                }
                copy.flush(); // readers of the copy see what came
                synchronized (progress) {
                    copied = copy.lastSeqno();
                    progress.notifyAll();
                }
            } else if (type == RelayProtocol.SELECTIONS) {
                byte[] content = new byte[b.remaining()];
                b.get(content);
                LogSelections.replace(dir, content);
            } else if (type == RelayProtocol.ERROR) {
                throw server.refusal(b);
            } else if (type != RelayProtocol.HEARTBEAT) {
                throw new IOException("relay server " + address + " sent an unexpected message of type " + type);
            }
            if (retention != null) retention.runIfDue(); // also while only heartbeats come: retention by age
            long now = System.currentTimeMillis();
            if (now - reportedAt >= REPORT_EVERY_MS) {
                LOG.info("Mirror of {}: copied up to seqno {}, {} MB/s", address, copy.lastSeqno(),
                        String.format(java.util.Locale.ROOT, "%.1f", (bytes - reportedBytes) / 1e3 / (now - reportedAt)));
                reportedAt = now;
                reportedBytes = bytes;
            }
        }
    }

    @Override
    public void stop() {
        synchronized (progress) {
            stopped = true;
            progress.notifyAll();
        }
        server.close();
    }
}
