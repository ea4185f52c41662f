package io.aqueduct.log;

import io.aqueduct.core.model.Transaction;
import io.aqueduct.core.pipeline.DurableFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends transactions to a log directory and tells which of them are durable. Consecutive whole transactions are
 * compressed together into one record, a block of up to {@link LogWriterOptions#blockBytes()}; a larger transaction,
 * and each fragment of one, is a record of its own.
 *
 * <p>Each transaction must have the seqno after the previous one, and the fragments of one transaction must come in
 * order 0, 1, 2, … with the same seqno. The caller chooses the seqnos ({@link #append(long, Transaction)}), or lets the
 * transaction's own {@link Transaction#seq()} be the seqno ({@link #append(Transaction)}). A new segment is started only
 * at a transaction boundary, so all fragments of a transaction share one segment.
 *
 * <p>Opening a directory that holds a log recovers it: a torn tail (a record cut short by a crash, or a transaction
 * whose last fragment never got written) is truncated back to the end of the last whole transaction, and appending
 * continues from there. Damage anywhere else fails the open with a {@link LogCorruptException}.
 *
 * <p>{@link #append} is meant for one thread; {@link #sync}, {@link #flush} and {@link #durableSeqno} may be called
 * from any thread. Only one writer may have a directory open; a lock file enforces it.
 */
public final class LogWriter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LogWriter.class);
    private static final int BUFFER_BYTES = 1 << 20;
    /**
     * Largest encoding accepted: a record's payload is limited to {@link RecordFormat#MAX_PAYLOAD}, and a transaction
     * encoded again at the start of a new block grows by the schemas it defines.
     */
    private static final int MAX_ENCODED = RecordFormat.MAX_PAYLOAD - (1 << 20);

    private final Path dir;
    private final LogWriterOptions options;
    private final boolean forcing;
    private final FileChannel lockChannel;
    private final FileLock fileLock;
    private final TransactionCodec codec = new TransactionCodec();
    private final Compressor compressor;
    private final CRC32C crc = new CRC32C();
    private final ScheduledExecutorService flusher;

    /** Guards the write buffer, the current segment and the append state. */
    private final ReentrantLock lock = new ReentrantLock();
    /** Serializes fsyncs, so that callers arriving during one wait for it and then find their records covered. */
    private final Object syncMonitor = new Object();

    private OpenSegment segment;
    private ByteBuffer buffer = ByteBuffer.allocate(BUFFER_BYTES);
    /** The transactions of the record being gathered, each after its varint length; none when {@link #blockCount} is 0. */
    private BinaryWriter block = new BinaryWriter(64 * 1024);
    private int blockCount;
    private long blockSeqno;
    private int blockFragment;
    private boolean blockLast;
    private long blockCommitTime;
    /**
     * Whether the codec's schema dictionary is the gathered block's, so that a transaction may join the block referring
     * to it; not after a refused append, which may have left schemas in it that were never written.
     */
    private boolean blockDictionary;
    /** The seqno of the last record appended, whole or not. */
    private long lastRecordSeqno;
    private int nextFragment;
    private long lastWholeSeqno;
    private boolean rollBeforeNextTransaction;
    private boolean closed;

    /** Raised both by fsyncs and by segment rolls, which do not share a lock: only ever moved up. */
    private final AtomicLong durableSeqno = new AtomicLong(-1);
    private volatile IOException failure;
    /**
     * The epoch of new records and segments: the options' epoch, or for a copy ({@link #openCopy}) the newest epoch of
     * the records it holds or was given.
     */
    private long epoch;
    /** Whether this writer copies another log's records ({@link #openCopy}) and takes their epochs as its own. */
    private final boolean copy;

    /** The segment being appended to. Its monitor guards closing it against a concurrent fsync. */
    private static final class OpenSegment {
        final FileChannel channel;
        final Codec codec;
        long size;
        boolean closed;

        OpenSegment(FileChannel channel, Codec codec, long size) {
            this.channel = channel;
            this.codec = codec;
            this.size = size;
        }
    }

    private LogWriter(Path dir, LogWriterOptions options, FileChannel lockChannel, FileLock fileLock, boolean copy) {
        this.dir = dir;
        this.options = options;
        this.epoch = options.epoch();
        this.copy = copy;
        this.forcing = !(options.fsync() instanceof FsyncPolicy.None);
        this.lockChannel = lockChannel;
        this.fileLock = fileLock;
        this.compressor = new Compressor(options.codec());
        this.flusher = options.fsync() instanceof FsyncPolicy.Interval
                ? Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "relay-log-fsync " + dir.getFileName());
                    t.setDaemon(true);
                    return t;
                })
                : null;
    }

    private void startFlusher() {
        if (options.fsync() instanceof FsyncPolicy.Interval interval) {
            long nanos = interval.period().toNanos();
            flusher.scheduleWithFixedDelay(this::backgroundSync, nanos, nanos, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Opens the log in {@code dir} for appending, creating the directory if needed and recovering a torn tail.
     *
     * @throws LogCorruptException      when the log is damaged other than by a torn tail
     * @throws IllegalStateException    when another writer has the directory open
     * @throws IllegalArgumentException when {@code options.epoch()} is lower than the epoch of the log's last record
     */
    public static LogWriter open(Path dir, LogWriterOptions options) throws IOException {
        return open(dir, options, false);
    }

    /**
     * Opens the log in {@code dir} to copy another log into it record by record ({@link #appendRecord}), as
     * {@link #open} does but taking the epoch of its newest record (and later of each record copied) as its own.
     * {@code options} give the fsync policy and segment size; codec and epoch come from the records.
     */
    public static LogWriter openCopy(Path dir, LogWriterOptions options) throws IOException {
        return open(dir, options, true);
    }

    private static LogWriter open(Path dir, LogWriterOptions options, boolean copy) throws IOException {
        Objects.requireNonNull(options, "options");
        Files.createDirectories(dir);
        FileChannel lockChannel = FileChannel.open(dir.resolve(LogFiles.LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        LogWriter w = null;
        try {
            FileLock fileLock;
            try {
                fileLock = lockChannel.tryLock();
            } catch (OverlappingFileLockException e) {
                fileLock = null;
            }
            if (fileLock == null) throw new IllegalStateException("another writer has the relay log in " + dir + " open");
            w = new LogWriter(dir, options, lockChannel, fileLock, copy);
            w.recover();
            w.startFlusher();
            return w;
        } catch (IOException | RuntimeException e) {
            if (w != null) w.closeQuietly();
            else lockChannel.close();
            throw e;
        }
    }

    /** Appends one transaction or fragment with its own {@link Transaction#seq()} as its seqno; see {@link #append(long, Transaction)}. */
    public void append(Transaction t) throws IOException {
        Objects.requireNonNull(t, "transaction");
        append(t.seq(), t);
    }

    /**
     * Appends one transaction or fragment as seqno {@code seqno}, whatever its own {@link Transaction#seq()}: the record
     * and the transaction read back from it carry {@code seqno}. It is visible to readers once flushed (by a full block
     * and buffer, {@link #flush}, {@link #sync}, a segment roll or the fsync policy) and durable once
     * {@link #durableSeqno()} reaches its seqno.
     *
     * @throws IllegalArgumentException when the seqno or fragment number does not continue the log, or a row value has
     *                                  a type the log cannot store; nothing is written then
     * @throws IOException              when writing fails; the writer is then unusable
     */
    public void append(long seqno, Transaction t) throws IOException {
        Objects.requireNonNull(t, "transaction");
        lock.lock();
        try {
            checkUsable();
            checkContinues(seqno, t.fragment());
            boolean whole = t.fragment() == 0 && t.last();
            // the gathered block counts with its raw size: it goes into the segment before a roll
            boolean roll = t.fragment() == 0 && (segment == null || rollBeforeNextTransaction
                    || segment.codec != options.codec() || segment.size + block.length() >= options.segmentBytes());
            // a transaction that joins the block refers to the schemas the block's transactions defined
            boolean joins = whole && blockCount > 0 && !roll && blockDictionary;
            BinaryWriter raw;
            try {
                raw = codec.encodeToBuffer(t, seqno, joins);
                // compressed data may come out a little larger than raw, and must fit a record as well
                if (raw.length() > MAX_ENCODED || compressor.maxCompressedLength(raw.length() + 16) > RecordFormat.MAX_PAYLOAD) {
                    throw new IllegalArgumentException("transaction " + seqno + " fragment " + t.fragment() + " encodes to "
                            + raw.length() + " bytes, more than the " + MAX_ENCODED + " a record holds: split it into smaller fragments");
                }
            } catch (IllegalArgumentException e) {
                blockDictionary = false; // nothing is written, but the dictionary may hold what this one defined
                throw e;
            }
            try {
                if (roll) roll(seqno);
                boolean alone = !whole || raw.length() >= options.blockBytes();
                // one that does not join (alone, too big for the block, or encoded with a dictionary of its own) ends it
                if (blockCount > 0 && (!joins || alone
                        || block.length() + BinaryWriter.varLongSize(raw.length()) + raw.length() > options.blockBytes())) {
                    writeBlock();
                    // it referred to schemas of the block just written, which the next record does not have
                    if (joins) raw = codec.encodeToBuffer(t, seqno, false);
                }
                blockDictionary = true;
                if (blockCount == 0) {
                    blockSeqno = seqno;
                    blockFragment = t.fragment();
                    blockLast = t.last();
                    blockCommitTime = t.commitTime();
                }
                block.writeBytes(raw.array(), raw.length());
                blockCount++;
                blockCommitTime = Math.max(blockCommitTime, t.commitTime());
                if (alone) writeBlock();
            } catch (IOException | RuntimeException e) {
                throw fail(e);
            }
            appended(seqno, t.fragment(), t.last());
        } finally {
            lock.unlock();
        }
        if (options.fsync() instanceof FsyncPolicy.EveryRecord) sync();
    }

    /**
     * Appends a record exactly as another log stored it ({@link RecordFormat}: same bytes, seqnos, epoch and codec), for
     * a copy opened with {@link #openCopy}; the caller has checked its CRC. It must continue this log as
     * {@link #append} requires, at a record boundary of both logs. Visible and durable as {@link #append} says.
     *
     * @throws IllegalArgumentException when it does not continue the log, its epoch is older than the log's, or the
     *                                  fragments of one transaction come with different codecs; nothing is written then
     * @throws IOException              when writing fails; the writer is then unusable
     */
    public void appendRecord(Codec codec, byte[] a, int off, int len) throws IOException {
        Objects.requireNonNull(codec, "codec");
        lock.lock();
        try {
            checkUsable();
            if (!copy) throw new IllegalStateException("appendRecord needs a writer opened with openCopy");
            long seqno = RecordFormat.seqno(a, off);
            int fragment = RecordFormat.fragment(a, off);
            long recordEpoch = RecordFormat.epoch(a, off);
            checkContinues(seqno, fragment);
            if (recordEpoch < epoch) {
                throw new IllegalArgumentException("the record of seqno " + seqno + " has epoch " + recordEpoch
                        + ", older than the log's epoch " + epoch);
            }
            boolean roll = fragment == 0 && (segment == null || rollBeforeNextTransaction || segment.codec != codec
                    || segment.size >= options.segmentBytes());
            if (!roll && segment.codec != codec) {
                throw new IllegalArgumentException("fragment " + fragment + " of seqno " + seqno + " is compressed with "
                        + codec + ", the transaction's first fragment with " + segment.codec);
            }
            try {
                writeBlock();
                epoch = recordEpoch;
                if (roll) roll(seqno, codec);
                makeRoom(len);
                buffer.put(a, off, len);
                segment.size += len;
            } catch (IOException | RuntimeException e) {
                throw fail(e);
            }
            appended(RecordFormat.lastSeqno(a, off), fragment, (a[off + RecordFormat.FLAGS_AT] & RecordFormat.FLAG_LAST) != 0);
        } finally {
            lock.unlock();
        }
        if (options.fsync() instanceof FsyncPolicy.EveryRecord) sync();
    }

    /** The epoch of the newest record appended, or of the log when opened (see {@link LogWriterOptions#epoch()}). */
    public long epoch() {
        lock.lock();
        try {
            return epoch;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The seqno of the last transaction whose every fragment is durable (see {@link FsyncPolicy}), or -1 when there is
     * none. A capture job may commit its source position up to this transaction.
     */
    public long durableSeqno() {
        return durableSeqno.get();
    }

    /** The seqno of the last whole transaction appended, or -1 when the log is empty. */
    public long lastSeqno() {
        lock.lock();
        try {
            return lastWholeSeqno;
        } finally {
            lock.unlock();
        }
    }

    /** Hands buffered records to the operating system, so that readers see them; does not fsync. */
    public void flush() throws IOException {
        lock.lock();
        try {
            checkUsable();
            try {
                writeBlock();
                flushBuffer();
            } catch (IOException | RuntimeException e) {
                throw fail(e);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Flushes and fsyncs everything appended so far (under {@link FsyncPolicy.None}, only flushes) and returns the new
     * {@link #durableSeqno()}. Concurrent callers share one fsync.
     */
    public long sync() throws IOException {
        synchronized (syncMonitor) {
            OpenSegment seg;
            long target;
            lock.lock();
            try {
                checkUsable();
                try {
                    writeBlock();
                    flushBuffer();
                } catch (IOException | RuntimeException e) {
                    throw fail(e);
                }
                seg = segment;
                target = lastWholeSeqno;
            } finally {
                lock.unlock();
            }
            if (target > durableSeqno.get()) {
                if (forcing && seg != null) {
                    synchronized (seg) {
                        // a closed segment was forced when it was closed
                        if (!seg.closed) {
                            try {
                                seg.channel.force(false);
                            } catch (IOException | RuntimeException e) {
                                throw fail(e);
                            }
                        }
                    }
                }
                durableSeqno.accumulateAndGet(target, Math::max);
            }
            return durableSeqno.get();
        }
    }

    /** Syncs and closes. A transaction left without its last fragment is cut off when the log is next opened. */
    @Override
    public void close() throws IOException {
        lock.lock();
        try {
            if (closed) return;
        } finally {
            lock.unlock();
        }
        if (flusher != null) {
            flusher.shutdown();
            try {
                flusher.awaitTermination(1, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            if (failure == null) sync();
        } finally {
            closeQuietly();
        }
    }

    private void closeQuietly() {
        lock.lock();
        try {
            closed = true;
            if (flusher != null) flusher.shutdownNow();
            if (segment != null) {
                synchronized (segment) {
                    segment.closed = true;
                    closeIgnoring(segment.channel);
                }
            }
            compressor.close();
            try {
                fileLock.release();
            } catch (IOException | RuntimeException e) {
                // closing the channel releases it as well
            }
            closeIgnoring(lockChannel);
        } finally {
            lock.unlock();
        }
    }

    private static void closeIgnoring(FileChannel c) {
        try {
            c.close();
        } catch (IOException e) {
            log.warn("closing a relay log file failed: {}", e.toString());
        }
    }

    private void backgroundSync() {
        if (failure != null) return;
        try {
            sync();
        } catch (IOException | RuntimeException e) {
            log.error("relay log {}: background fsync failed; the writer is stopped", dir, e);
        }
    }

    private void checkUsable() throws IOException {
        if (closed) throw new IllegalStateException("the relay log writer for " + dir + " is closed");
        IOException f = failure;
        if (f != null) throw new IOException("the relay log writer for " + dir + " failed earlier and must be reopened", f);
    }

    /** Records the first failure: after a failed write or fsync the file's state is unknown, so nothing more is written. */
    private IOException fail(Exception e) {
        IOException io = e instanceof IOException x ? x : new IOException(e);
        if (failure == null) failure = io;
        return io;
    }

    private void checkContinues(long seqno, int fragment) {
        if (nextFragment > 0) {
            if (seqno != lastRecordSeqno || fragment != nextFragment) {
                throw new IllegalArgumentException("expected fragment " + nextFragment + " of seqno " + lastRecordSeqno
                        + ", got seqno " + seqno + " fragment " + fragment);
            }
        } else if (fragment != 0) {
            throw new IllegalArgumentException("seqno " + seqno + " starts with fragment " + fragment + ", not 0");
        } else if (lastWholeSeqno >= 0 && seqno != lastWholeSeqno + 1) {
            throw new IllegalArgumentException("expected seqno " + (lastWholeSeqno + 1) + ", got " + seqno);
        } else if (seqno < 0) {
            throw new IllegalArgumentException("seqno must not be negative: " + seqno);
        }
    }

    /** Compresses the gathered transactions into a record in the buffer; nothing happens when there are none. */
    private void writeBlock() throws IOException {
        if (blockCount == 0) return;
        int rawLength = block.length();
        int needed = RecordFormat.HEADER_SIZE + compressor.maxCompressedLength(rawLength);
        makeRoom(needed);
        int at = buffer.position();
        int compressed = compressor.compress(block.array(), 0, rawLength, buffer.array(), at + RecordFormat.HEADER_SIZE);
        RecordFormat.writeHeader(buffer, at, blockSeqno, blockFragment, blockLast, epoch, blockCommitTime, rawLength,
                compressed, blockCount, crc);
        int size = RecordFormat.HEADER_SIZE + compressed;
        buffer.position(at + size);
        segment.size += size;
        blockCount = 0;
        // after a big fragment the block stays big only until the next one is written
        if (block.array().length > 4 * Math.max(options.blockBytes(), 64 * 1024)) block = new BinaryWriter(64 * 1024);
        block.reset();
    }

    /** Moves the continuation state past a record whose last transaction (or fragment's) is {@code lastSeqno}. */
    private void appended(long lastSeqno, int fragment, boolean last) {
        lastRecordSeqno = lastSeqno;
        if (last) {
            nextFragment = 0;
            lastWholeSeqno = lastSeqno;
        } else {
            nextFragment = fragment + 1;
        }
    }

    /** Makes the write buffer hold {@code bytes} more, writing out what it holds first when they do not fit. */
    private void makeRoom(int bytes) throws IOException {
        if (buffer.capacity() - buffer.position() >= bytes) return;
        flushBuffer();
        if (buffer.capacity() < bytes) buffer = ByteBuffer.allocate(bytes);
    }

    private void flushBuffer() throws IOException {
        if (buffer.position() == 0) return;
        buffer.flip();
        while (buffer.hasRemaining()) segment.channel.write(buffer);
        buffer.clear();
        if (buffer.capacity() > BUFFER_BYTES) buffer = ByteBuffer.allocate(BUFFER_BYTES);
    }

    /** Closes the current segment (forced first, so that the segments before the current one are always durable). */
    private void roll(long baseSeqno) throws IOException {
        roll(baseSeqno, options.codec());
    }

    private void roll(long baseSeqno, Codec codec) throws IOException {
        if (segment != null) {
            writeBlock();
            flushBuffer();
            synchronized (segment) {
                if (forcing) segment.channel.force(false);
                segment.closed = true;
                segment.channel.close();
            }
            if (forcing) durableSeqno.accumulateAndGet(lastWholeSeqno, Math::max);
            segment = null;
        }
        segment = createSegment(baseSeqno, codec);
        rollBeforeNextTransaction = false;
    }

    /** Writes the header under a temporary name and renames, so that a segment file never lacks its header. */
    private OpenSegment createSegment(long baseSeqno, Codec codec) throws IOException {
        Path file = LogFiles.segmentPath(dir, baseSeqno);
        Path temp = dir.resolve(LogFiles.segmentName(baseSeqno) + ".tmp");
        if (Files.exists(file)) throw new IOException("segment " + file + " already exists");
        ByteBuffer header = new SegmentHeader(codec, baseSeqno, epoch, UUID.randomUUID()).toBuffer();
        try (FileChannel c = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            while (header.hasRemaining()) c.write(header);
            if (forcing) c.force(true);
        }
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
        if (forcing) DurableFiles.forceDirectory(dir);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE);
        channel.position(SegmentHeader.SIZE);
        return new OpenSegment(channel, codec, SegmentHeader.SIZE);
    }

    // ---- recovery -------------------------------------------------------------------------------------------------

    /** What the scan of a segment found; {@code lastEpoch} is the epoch of its last whole transaction. */
    private record Scan(long wholeEnd, long lastWholeSeqno, long lastEpoch, long fileSize, SegmentHeader header) {
        boolean hasWholeTransaction() {
            return lastWholeSeqno >= 0;
        }
    }

    private void recover() throws IOException {
        try (DirectoryStream<Path> temps = Files.newDirectoryStream(dir, "*" + LogFiles.TEMP_SUFFIX)) {
            for (Path t : temps) Files.delete(t);
        }
        TreeMap<Long, Path> segments = LogFiles.segments(dir);
        Scan scan = null;
        boolean tail = true;
        while (!segments.isEmpty()) {
            Map.Entry<Long, Path> last = segments.lastEntry();
            scan = scanSegment(last.getValue(), last.getKey(), tail);
            if (scan.hasWholeTransaction()) break;
            // it holds no whole transaction: it was started just before a crash
            log.warn("relay log {}: removing {}, which holds no whole transaction", dir, last.getValue().getFileName());
            Files.delete(last.getValue());
            if (forcing) DurableFiles.forceDirectory(dir);
            segments.remove(last.getKey());
            scan = null;
            tail = false;
        }
        if (scan == null) {
            lastRecordSeqno = lastWholeSeqno = -1;
            return;
        }
        if (copy) epoch = Math.max(epoch, scan.lastEpoch());
        if (epoch < scan.lastEpoch()) {
            throw new IllegalArgumentException("epoch " + epoch + " is older than the relay log's epoch "
                    + scan.lastEpoch() + " in " + dir);
        }
        Path file = segments.lastEntry().getValue();
        FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE);
        if (scan.wholeEnd() < scan.fileSize()) {
            log.warn("relay log {}: truncating torn tail of {} from {} to {} bytes (after seqno {})", dir, file.getFileName(),
                    scan.fileSize(), scan.wholeEnd(), scan.lastWholeSeqno());
            channel.truncate(scan.wholeEnd());
        }
        // what survived a crash may still sit in the page cache only
        if (forcing) channel.force(false);
        channel.position(scan.wholeEnd());
        segment = new OpenSegment(channel, scan.header().codec(), scan.wholeEnd());
        lastRecordSeqno = lastWholeSeqno = scan.lastWholeSeqno();
        durableSeqno.set(lastWholeSeqno);
        rollBeforeNextTransaction = !copy && scan.header().codec() != options.codec();
    }

    /**
     * Checks every record of a segment. In the log's last segment the records may end in a torn tail; any other
     * segment must end exactly after a whole transaction.
     */
    private static Scan scanSegment(Path file, long base, boolean mayHaveTornTail) throws IOException {
        try (SegmentFile f = SegmentFile.open(file)) {
            SegmentHeader header = f.header();
            if (header.baseSeqno() != base) {
                throw new LogCorruptException(file, 8, "header says base seqno " + header.baseSeqno() + ", the file name " + base);
            }
            long offset = SegmentHeader.SIZE;
            long wholeEnd = offset;
            long wholeSeqno = -1;
            long epoch = header.epoch();
            long expectedSeqno = base;
            int expectedFragment = 0;
            scan:
            while (true) {
                switch (f.frame(offset)) {
                    case COMPLETE -> {
                        f.loadVerified();
                        if (f.seqno() != expectedSeqno || f.fragment() != expectedFragment) {
                            throw new LogCorruptException(file, offset, "expected seqno " + expectedSeqno + " fragment "
                                    + expectedFragment + ", found seqno " + f.seqno() + " fragment " + f.fragment());
                        }
                        offset += f.size();
                        if (f.last()) {
                            // the fragments of a transaction cut off as a torn tail do not count
                            epoch = f.epoch();
                            wholeEnd = offset;
                            wholeSeqno = f.lastSeqno();
                            expectedSeqno = wholeSeqno + 1;
                            expectedFragment = 0;
                        } else {
                            expectedFragment++;
                        }
                    }
                    case END, INCOMPLETE -> {
                        break scan;
                    }
                    case ZEROS -> {
                        if (!f.zerosToEnd(offset)) {
                            throw new LogCorruptException(file, offset, "zero bytes where a record should start");
                        }
                        break scan;
                    }
                    case MALFORMED -> throw new LogCorruptException(file, offset, f.malformation());
                }
            }
            long size = f.fileSize();
            if (!mayHaveTornTail && wholeEnd != size) {
                throw new LogCorruptException(file, wholeEnd, "segment does not end after a whole transaction ("
                        + size + " bytes)");
            }
            return new Scan(wholeEnd, wholeSeqno, epoch, size, header);
        }
    }
}
