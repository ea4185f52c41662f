package io.aqueduct.log;

import static io.aqueduct.log.SameTransaction.assertSameAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.aqueduct.core.config.ConfigException;
import io.aqueduct.core.filter.TableFilter;
import io.aqueduct.core.model.Transaction;
import io.aqueduct.core.pipeline.JobRunner;
import io.aqueduct.core.pipeline.TransactionQueue;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real relay server on a loopback port, copied by real mirrors; the copies read and served like the original. */
class RelayMirrorTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final long SEGMENT_BYTES = 64 * 1024;

    @TempDir
    Path tmp;

    private final Samples samples = new Samples(17);
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final List<AutoCloseable> closeAfter = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closeAfter) c.close();
        pool.shutdownNow();
    }

    private Path original() {
        return tmp.resolve("relay");
    }

    private Path copy() {
        return tmp.resolve("mirror");
    }

    /** Appends to the original log as a capture job does; returns the transactions as they were numbered. */
    private List<Transaction> capture(List<Transaction> transactions) throws Exception {
        return Logs.capture(original(), Logs.options(Codec.LZ4, SEGMENT_BYTES), transactions);
    }

    private RelayServer serve(Path dir, int port) throws Exception {
        RelayServer server = new RelayServer(dir, RelayServer.Options.plain("127.0.0.1", port, "relay", "s3cret")
                .withHeartbeat(Duration.ofMillis(200))).start();
        closeAfter.add(server);
        return server;
    }

    private static RelaySource.Options reader(int port, String name) {
        return new RelaySource.Options("127.0.0.1", port, "relay", "s3cret", false, null, name, Duration.ofSeconds(2));
    }

    /** A mirror of the server on {@code port} into {@link #copy()}, run and retried by a job runner on its own thread. */
    private final class Mirroring {
        final RelayMirror mirror;
        final JobRunner runner;
        final Future<?> run;

        Mirroring(int port) {
            this(port, LogRetention.Policy.unlimited());
        }

        Mirroring(int port, LogRetention.Policy retention) {
            mirror = new RelayMirror(reader(port, "mirror"), copy(), Logs.options(Codec.NONE, SEGMENT_BYTES))
                    .retention(retention);
            runner = new JobRunner(() -> mirror, Duration.ofMillis(200));
            run = pool.submit(() -> {
                runner.run();
                return null;
            });
            closeAfter.add(() -> {
                runner.stop();
                try {
                    run.get();
                } catch (ExecutionException e) {
                    // the tests that make it fail look at the failure
                }
            });
        }

        /** Waits until the copy holds seqno {@code last} durably; fails at once when the mirror stops. */
        void awaitCopied(long last) {
            await().atMost(WAIT).until(() -> {
                if (run.isDone()) run.get();
                return mirror.durableSeqno() >= last;
            });
        }
    }

    /** Every record of a log as stored, segment after segment, without the segment headers (which name their files). */
    private static byte[] records(Path dir) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Path p : LogFiles.segments(dir).values()) {
            byte[] all = Files.readAllBytes(p);
            out.write(all, SegmentHeader.SIZE, all.length - SegmentHeader.SIZE);
        }
        return out.toByteArray();
    }

    @Test
    void copiesTheLogRecordByRecordFollowsTheWriterAndServesTheCopy() throws Exception {
        List<Transaction> logged = capture(samples.stream(1, 600, 9));
        RelayServer server = serve(original(), 0);
        Mirroring m = new Mirroring(server.port());
        long last = logged.get(logged.size() - 1).seq();
        m.awaitCopied(last);
        assertThat(LogFiles.segments(copy())).hasSizeGreaterThan(1); // the copy rolls segments like the original
        assertThat(records(copy())).isEqualTo(records(original()));
        // blocks and LZ4 as the capture wrote them, though the mirror's own options say no compression
        assertThat(Logs.blocks(copy())).isPositive();
        try (SegmentFile f = SegmentFile.open(LogFiles.segments(copy()).firstEntry().getValue())) {
            assertThat(f.header().codec()).isEqualTo(Codec.LZ4);
        }

        // it follows the writer; a wait for what it copies next ends when the copy holds that
        long next = last + 200;
        Future<Boolean> waiting = pool.submit(() -> m.mirror.awaitCopied(next, WAIT));
        List<Transaction> more = capture(samples.stream(last + 1, 200, 7));
        last = more.get(more.size() - 1).seq();
        assertThat(last).isEqualTo(next);
        assertThat(waiting.get()).isTrue();
        m.awaitCopied(last);
        assertThat(records(copy())).isEqualTo(records(original()));
        List<Transaction> all = new ArrayList<>(logged);
        all.addAll(more);
        assertSameAll(Logs.readAll(copy()), Logs.readAll(original()));

        // the server keeps its log for the mirror up to what the copy holds
        long copied = last;
        await().atMost(WAIT).until(() -> LogReaders.list(original()).stream()
                .anyMatch(r -> r.name().equals("mirror") && r.seqno() == copied));

        // the copy is a relay log of its own: served, it gives a reader the same transactions, positions and epochs
        RelayServer second = serve(copy(), 0);
        RelaySource downstream = new RelaySource(reader(second.port(), "downstream"), TableFilter.all());
        closeAfter.add(downstream);
        TransactionQueue queue = new TransactionQueue(64L << 20);
        Future<?> reading = pool.submit(() -> {
            downstream.run(downstream.resolveStart(), queue);
            return null;
        });
        List<Transaction> received = Logs.receive(queue, new ArrayList<>(), reading, all.size(), WAIT);
        assertSameAll(received, Pipelines.asRead(all, c -> true));
        assertThat(received.get(received.size() - 1).position()).isEqualTo(new LogSourcePosition(last, Logs.EPOCH));
    }

    @Test
    void continuesAfterItsLastWholeTransactionWhenTheServerRestartsOrTheCopyWasTorn() throws Exception {
        List<Transaction> logged = capture(samples.stream(1, 800, 5));
        long last = logged.get(logged.size() - 1).seq();
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        RelayServer server = serve(original(), port);
        Mirroring m = new Mirroring(port);
        await().atMost(WAIT).until(() -> m.mirror.durableSeqno() > 0);
        server.close(); // mid-copy, most likely; the runner retries until the server is back
        serve(original(), port);
        m.awaitCopied(last);
        m.runner.stop();
        m.run.get();
        assertThat(records(copy())).isEqualTo(records(original()));

        // a crash of the mirror tore its copy in the middle of a record
        Path tail = LogFiles.segments(copy()).lastEntry().getValue();
        try (RandomAccessFile f = new RandomAccessFile(tail.toFile(), "rw")) {
            f.setLength(f.length() - 100);
        }
        List<Transaction> more = capture(samples.stream(last + 1, 300, 5));
        Mirroring again = new Mirroring(port);
        again.awaitCopied(more.get(more.size() - 1).seq());
        assertThat(records(copy())).isEqualTo(records(original()));
    }

    @Test
    void retentionTrimsTheCopyWithinWhatItsOwnReadersNeed() throws Exception {
        List<Transaction> logged = capture(samples.stream(1, 4000, 0));
        long last = logged.get(logged.size() - 1).seq();
        RelayServer server = serve(original(), 0);
        Mirroring m = new Mirroring(server.port());
        m.awaitCopied(last);
        m.runner.stop();
        m.run.get();
        int segments = LogFiles.segments(copy()).size();
        assertThat(segments).isGreaterThan(4);
        // a job on the mirror's machine reads the copy and has applied up to seqno 1500
        LogReaders.acknowledge(copy(), "local", 1500, "test");

        // the mirror starts again with a size limit of two segments: the copy is trimmed as it opens, but not past
        // what the local reader still needs, and the server's log is left as it was
        Mirroring trimmed = new Mirroring(server.port(), new LogRetention.Policy(null, 2 * SEGMENT_BYTES));
        List<Transaction> more = capture(samples.stream(last + 1, 10, 0));
        trimmed.awaitCopied(more.get(more.size() - 1).seq());
        long first = LogFiles.segments(copy()).firstKey();
        assertThat(first).isGreaterThan(1).isLessThanOrEqualTo(1501);
        assertThat(LogFiles.segments(original()).firstKey()).isEqualTo(1);
        // the copy holds every transaction from its new beginning on, as the original does
        List<Transaction> fromOriginal = new ArrayList<>();
        try (LogReader r = LogReader.open(original())) {
            r.seekToSeqno(first);
            for (Transaction t = r.next(); t != null; t = r.next()) fromOriginal.add(t);
        }
        assertSameAll(Logs.readAll(copy()), fromOriginal);
    }

    @Test
    void aServerLogWrittenAgainAfterItsMachineLostRecordsTheCopyHoldsIsFollowedWithTheSameTransactions() throws Exception {
        // the capture job's log, one transaction per record
        List<Transaction> logged = samples.stream(1, 100, 0);
        Logs.write(original(), Logs.options(Codec.LZ4, 1 << 20).withBlockBytes(0), logged);
        RelayServer server = serve(original(), 0);
        Mirroring m = new Mirroring(server.port());
        m.awaitCopied(100);
        m.runner.stop();
        m.run.get();
        server.close();

        // the server's machine crashes: its log loses the last 30 transactions, never synced, which the copy holds
        long[] cut = new long[1];
        Path[] file = new Path[1];
        try (LogInspector in = LogInspector.open(original())) {
            in.walk(0, false, (r, t) -> {
                if (r.lastSeqno() == 70) {
                    cut[0] = r.offset() + r.size();
                    file[0] = r.file();
                }
                return true;
            });
        }
        try (RandomAccessFile f = new RandomAccessFile(file[0].toFile(), "rw")) {
            f.setLength(cut[0]);
        }
        // the capture job logs them again, now gathered into blocks, one of which spans the copy's end, and goes on
        List<Transaction> again = new ArrayList<>(logged.subList(70, 100));
        again.addAll(samples.stream(101, 30, 0));
        Logs.write(original(), Logs.options(Codec.LZ4, 1 << 20), again);
        boolean spans;
        try (LogInspector in = LogInspector.open(original())) {
            boolean[] found = new boolean[1];
            in.walk(0, false, (r, t) -> {
                found[0] |= r.seqno() <= 100 && r.lastSeqno() > 100;
                return true;
            });
            spans = found[0];
        }
        assertThat(spans).isTrue();

        RelayServer restarted = serve(original(), 0);
        Mirroring after = new Mirroring(restarted.port());
        after.awaitCopied(130);
        assertSameAll(Logs.readAll(copy()), Logs.readAll(original()));
    }

    @Test
    void theSelectionHistoryIsCopiedSoThatTheCopysReadersAreGuardedLikeTheOriginals() throws Exception {
        capture(samples.stream(1, 40, 0));
        LogSelections.record(original(), 1, List.of("shop\\.orders"), List.of(), List::of);
        RelayServer server = serve(original(), 0);
        Mirroring m = new Mirroring(server.port());
        m.awaitCopied(40);
        // the capture job is restarted with a wider selection: customers is logged from seqno 41 on
        LogSelections.record(original(), 41, List.of("shop\\..*"), List.of(), () -> List.of(Samples.ORDERS.id(),
                Samples.CUSTOMERS.id()));
        capture(samples.stream(41, 10, 0));
        // a mirror takes every table, yet is not stopped: it copies the history with the log
        m.awaitCopied(50);
        assertThat(Files.readAllBytes(copy().resolve(LogSelections.FILE)))
                .isEqualTo(Files.readAllBytes(original().resolve(LogSelections.FILE)));
        assertThat(records(copy())).isEqualTo(records(original()));

        // a reader of the copy that selects customers from before seqno 41 is refused as by the original's server
        RelayServer second = serve(copy(), 0);
        RelaySource early = new RelaySource(reader(second.port(), "early"), TableFilter.all());
        assertThatThrownBy(() -> early.run(new LogSourcePosition(0), new TransactionQueue(1 << 20)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("holds shop.customers only from seqno 41 on");
        LogSource local = new LogSource(copy(), TableFilter.all());
        assertThatThrownBy(() -> local.run(new LogSourcePosition(0), new TransactionQueue(1 << 20)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("holds shop.customers only from seqno 41 on");
    }

    @Test
    void aCopyOfAnotherHistoryIsRefusedAndKeptAsItWas() throws Exception {
        capture(samples.stream(1, 30, 0));
        // the mirror's directory holds seqnos 1 to 20 of another log, written under another epoch
        Logs.write(copy(), Logs.options(Codec.LZ4, SEGMENT_BYTES).withEpoch(Logs.EPOCH + 1),
                Pipelines.numbered(new Samples(3).stream(1, 20, 0), 1));
        byte[] before = records(copy());
        RelayServer server = serve(original(), 0);
        Mirroring m = new Mirroring(server.port());
        await().atMost(WAIT).until(m.run::isDone);
        assertThatThrownBy(m.run::get).hasCauseInstanceOf(ConfigException.class)
                .hasMessageContaining("history diverged")
                .hasMessageContaining("move the mirror's directory away");
        assertThat(records(copy())).isEqualTo(before);
    }

    @Test
    void damageInTheServersLogStopsTheMirrorAfterTheLastWholeRecordBeforeIt() throws Exception {
        List<Transaction> logged = capture(samples.stream(1, 500, 0));
        List<Path> segments = new ArrayList<>(LogFiles.segments(original()).values());
        assertThat(segments).hasSizeGreaterThan(1);
        Path segment = segments.get(segments.size() / 2);
        long at = SegmentHeader.SIZE + RecordFormat.HEADER_SIZE + 10; // in the payload of its first record
        try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0x10);
        }
        RelayServer server = serve(original(), 0);
        Mirroring m = new Mirroring(server.port());
        await().atMost(WAIT).until(m.run::isDone);
        assertThatThrownBy(m.run::get).hasCauseInstanceOf(ConfigException.class)
                .hasMessageContaining("the relay log on the server is damaged: " + segment + " at byte");
        // what came before the damage is copied exactly and nothing after it
        List<Transaction> copied = Logs.readAll(copy());
        assertThat(copied).isNotEmpty().hasSizeLessThan(logged.size());
        List<Transaction> originals = new ArrayList<>();
        try (LogReader r = LogReader.open(original())) {
            while (originals.size() < copied.size()) originals.add(r.next());
        }
        assertSameAll(copied, originals);
        byte[] copiedRecords = records(copy());
        byte[] originalRecords = records(original());
        assertThat(java.util.Arrays.copyOf(originalRecords, copiedRecords.length)).isEqualTo(copiedRecords);
    }

    /** A record as stored, with the codec of its segment. */
    private record Stored(Codec codec, byte[] bytes, boolean last) {}

    private static List<Stored> stored(Path dir) throws IOException {
        List<Stored> out = new ArrayList<>();
        try (LogInspector in = LogInspector.open(dir)) {
            java.util.Map<Path, Codec> codecs = new java.util.HashMap<>();
            for (LogInspector.Segment seg : in.segments()) codecs.put(seg.file(), seg.codec());
            in.walk(0, false, (r, t) -> {
                byte[] b = new byte[r.size()];
                try (RandomAccessFile f = new RandomAccessFile(r.file().toFile(), "r")) {
                    f.seek(r.offset());
                    f.readFully(b);
                }
                out.add(new Stored(codecs.get(r.file()), b, r.last()));
                return true;
            });
        }
        return out;
    }

    @Test
    void appendRecordCopiesRecordsThatContinueTheCopyAndRefusesOthers() throws Exception {
        Path from = tmp.resolve("from");
        // an LZ4 part, then a zstd part under a newer epoch
        Logs.write(from, Logs.options(Codec.LZ4, SEGMENT_BYTES), samples.stream(1, 300, 7));
        Logs.write(from, Logs.options(Codec.ZSTD, SEGMENT_BYTES).withEpoch(Logs.EPOCH + 1), samples.stream(301, 100, 7));
        List<Stored> records = stored(from);
        Path to = copy();
        int half = records.size() / 2;
        while (!records.get(half - 1).last()) half++; // after a whole transaction
        try (LogWriter copy = LogWriter.openCopy(to, Logs.options(Codec.NONE, SEGMENT_BYTES))) {
            for (Stored r : records.subList(0, half)) copy.appendRecord(r.codec(), r.bytes(), 0, r.bytes().length);
        }
        try (LogWriter copy = LogWriter.openCopy(to, Logs.options(Codec.NONE, SEGMENT_BYTES))) {
            Stored again = records.get(half - 1);
            assertThatThrownBy(() -> copy.appendRecord(again.codec(), again.bytes(), 0, again.bytes().length))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageMatching(".*(expected seqno " + (copy.lastSeqno() + 1) + "|starts with fragment).*");
            for (Stored r : records.subList(half, records.size())) {
                copy.appendRecord(r.codec(), r.bytes(), 0, r.bytes().length);
            }
            assertThat(copy.epoch()).isEqualTo(Logs.EPOCH + 1);
            assertThat(copy.lastSeqno()).isEqualTo(400);
        }
        assertThat(records(to)).isEqualTo(records(from));
        assertSameAll(Logs.readAll(to), Logs.readAll(from));
        // the copy's segments take their records' codecs, whatever the writer's options say
        try (LogInspector in = LogInspector.open(to)) {
            List<LogInspector.Segment> segments = in.segments();
            assertThat(segments.get(0).codec()).isEqualTo(Codec.LZ4);
            assertThat(segments.get(segments.size() - 1).codec()).isEqualTo(Codec.ZSTD);
        }

        // reopened, the copy keeps the newest epoch: a record of an older one does not continue it
        Path older = tmp.resolve("older");
        Logs.write(older, Logs.options(Codec.LZ4, SEGMENT_BYTES), samples.stream(401, 5, 0));
        Stored old = stored(older).get(0);
        try (LogWriter copy = LogWriter.openCopy(to, Logs.options(Codec.NONE, SEGMENT_BYTES))) {
            assertThat(copy.epoch()).isEqualTo(Logs.EPOCH + 1);
            assertThatThrownBy(() -> copy.appendRecord(old.codec(), old.bytes(), 0, old.bytes().length))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("has epoch " + Logs.EPOCH + ", older than the log's epoch " + (Logs.EPOCH + 1));
        }
        assertThat(records(to)).isEqualTo(records(from));
        try (LogWriter plain = LogWriter.open(tmp.resolve("plain"), Logs.options(Codec.LZ4, SEGMENT_BYTES))) {
            assertThatThrownBy(() -> plain.appendRecord(old.codec(), old.bytes(), 0, old.bytes().length))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("openCopy");
        }
    }

    @Test
    void aCodecIdFlippedOnTheWayIsFoundByTheFramesCrcAndTheRecordsCopiedAgain() throws Exception {
        List<Transaction> logged = capture(samples.stream(1, 300, 5));
        long last = logged.get(logged.size() - 1).seq();
        RelayServer server = serve(original(), 0);
        // the codec id travels outside the record's own CRC: labelled NONE, an LZ4 record would be stored unreadable
        FlippingProxy proxy = new FlippingProxy(server.port());
        closeAfter.add(proxy);
        Mirroring m = new Mirroring(proxy.port());
        m.awaitCopied(last);
        assertThat(proxy.flipped.get()).isTrue();
        assertThat(proxy.streams.get()).isEqualTo(2); // the damaged frame refused, the mirror connected again
        assertThat(records(copy())).isEqualTo(records(original()));
        assertThat(LogFiles.segments(copy())).hasSameSizeAs(LogFiles.segments(original()));
        assertSameAll(Logs.readAll(copy()), Logs.readAll(original()));
    }

    /**
     * Passes a relay connection through, and changes the codec id before the first record of the first RECORDS frame
     * that comes through (LZ4 to NONE).
     */
    private final class FlippingProxy implements AutoCloseable {
        final ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        final AtomicBoolean flipped = new AtomicBoolean();
        /** Connections that carried records. */
        final AtomicInteger streams = new AtomicInteger();
        final List<Socket> sockets = new CopyOnWriteArrayList<>();

        FlippingProxy(int serverPort) throws IOException {
            pool.submit(() -> {
                while (!listener.isClosed()) {
                    Socket client = listener.accept();
                    Socket upstream = new Socket(InetAddress.getLoopbackAddress(), serverPort);
                    sockets.add(client);
                    sockets.add(upstream);
                    pool.submit(() -> pump(client, upstream, false));
                    pool.submit(() -> pump(upstream, client, true));
                }
                return null;
            });
        }

        int port() {
            return listener.getLocalPort();
        }

        private Void pump(Socket from, Socket to, boolean fromServer) throws IOException {
            try (from; to) {
                DataInputStream in = new DataInputStream(from.getInputStream());
                DataOutputStream out = new DataOutputStream(to.getOutputStream());
                boolean streaming = false;
                while (true) {
                    int length = in.readInt();
                    byte[] frame = new byte[length];
                    in.readFully(frame);
                    if (fromServer && frame[0] == RelayProtocol.RECORDS && !streaming) {
                        streaming = true;
                        streams.incrementAndGet();
                    }
                    if (fromServer && frame[0] == RelayProtocol.RECORDS && frame[1] == Codec.LZ4.id()
                            && flipped.compareAndSet(false, true)) {
                        frame[1] = (byte) Codec.NONE.id();
                    }
                    out.writeInt(length);
                    out.write(frame);
                    out.flush();
                }
            } catch (IOException e) {
                return null; // one side closed: both are closed
            }
        }

        @Override
        public void close() throws IOException {
            listener.close();
            for (Socket s : sockets) s.close();
        }
    }

    @Test
    void aMirrorWithTheWrongPasswordIsRefusedForGood() throws Exception {
        capture(samples.stream(1, 5, 0));
        RelayServer server = serve(original(), 0);
        RelayMirror mirror = new RelayMirror(new RelaySource.Options("127.0.0.1", server.port(), "relay", "wrong", false,
                null, "mirror", Duration.ofSeconds(2)), copy(), Logs.options(Codec.LZ4, SEGMENT_BYTES));
        assertThatThrownBy(mirror::run).isInstanceOfSatisfying(ConfigException.class,
                        e -> assertThat(JobRunner.isTransient(e)).isFalse())
                .hasMessageContaining("wrong user or password");
        assertThat(LogFiles.segments(copy())).isEmpty();
        // a wait for copying ends once the mirror is stopped, with the answer that the copy does not hold it
        Future<Boolean> waiting = pool.submit(() -> mirror.awaitCopied(1, Duration.ofMinutes(10)));
        mirror.stop();
        assertThat(waiting.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isFalse();
    }
}
