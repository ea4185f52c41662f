package io.aqueduct.log;

import static io.aqueduct.log.SameTransaction.assertSameAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.aqueduct.core.config.ConfigException;
import io.aqueduct.core.config.Routes;
import io.aqueduct.core.filter.Router;
import io.aqueduct.core.filter.TableFilter;
import io.aqueduct.core.model.Change;
import io.aqueduct.core.model.Transaction;
import io.aqueduct.core.pipeline.FilePositionStore;
import io.aqueduct.core.pipeline.JobRunner;
import io.aqueduct.core.pipeline.Pipeline;
import io.aqueduct.core.pipeline.TransactionQueue;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real relay server on a loopback port, read by real relay sources. */
class RelayServerTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final TableFilter ORDERS_ONLY = Samples.ORDERS_ONLY;
    private static final Predicate<Change> ORDERS = Samples.ORDERS_CHANGES;

    @TempDir
    Path tmp;

    private final Samples samples = new Samples(71);
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final List<AutoCloseable> closeAfter = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closeAfter) c.close();
        pool.shutdownNow();
    }

    private Path log() {
        return tmp.resolve("relay");
    }

    private List<Transaction> capture(List<Transaction> transactions) throws Exception {
        return capture(transactions, Codec.LZ4);
    }

    private List<Transaction> capture(List<Transaction> transactions, Codec codec) throws Exception {
        return Logs.capture(log(), Logs.options(codec, 256 * 1024), transactions);
    }

    private RelayServer serve(RelayServer.Options options) throws Exception {
        RelayServer server = new RelayServer(log(), options.withHeartbeat(Duration.ofMillis(200))).start();
        closeAfter.add(server);
        return server;
    }

    private RelayServer serve() throws Exception {
        return serve(RelayServer.Options.plain("127.0.0.1", 0, "relay", "s3cret"));
    }

    private RelaySource.Options reader(RelayServer server, String name) {
        return RelaySource.Options.plain("127.0.0.1", server.port(), "relay", "s3cret", name);
    }

    /** A source running on its own thread into its own queue. */
    private final class Running {
        final RelaySource source;
        final TransactionQueue queue = new TransactionQueue(64L << 20);
        final List<Transaction> received = new ArrayList<>();
        final Future<?> run;

        Running(RelaySource source, LogSourcePosition from) {
            this.source = source;
            closeAfter.add(source);
            this.run = pool.submit(() -> {
                source.run(from, queue);
                return null;
            });
        }

        List<Transaction> receive(int count) {
            return Logs.receive(queue, received, run, received.size() + count, WAIT);
        }
    }

    @Test
    void streamsEveryTransactionInOrderWithItsFragmentsAndFollowsTheWriter() throws Exception {
        List<Transaction> logged = capture(samples.stream(1, 400, 9));
        RelayServer server = serve();
        RelaySource source = new RelaySource(reader(server, "orders"), ORDERS_ONLY);
        assertThat(source.resolveStart()).isEqualTo(new LogSourcePosition(0));
        Running r = new Running(source, source.resolveStart());
        assertSameAll(r.receive(logged.size()), Pipelines.asRead(logged, ORDERS));
        assertThat(r.received).anyMatch(t -> !t.isWhole());
        // positions carry the log's epoch
        assertThat(r.received.get(r.received.size() - 1).position()).isEqualTo(new LogSourcePosition(400, 1));

        List<Transaction> more = capture(samples.stream(401, 50, 7));
        assertSameAll(r.receive(more.size()).subList(logged.size(), logged.size() + more.size()), Pipelines.asRead(more, ORDERS));
        assertThat(server.readers()).singleElement().satisfies(s -> {
            assertThat(s.name()).isEqualTo("orders");
            assertThat(s.sent()).isEqualTo(450);
        });
    }

    @Test
    void aReaderStartingInsideABlockGetsTheTransactionsFromItsSeqnoOn() throws Exception {
        List<Transaction> logged = capture(samples.stream(1, 300, 0));
        long inside = -1;
        try (SegmentFile f = SegmentFile.open(LogFiles.segments(log()).firstEntry().getValue())) {
            for (long o = SegmentHeader.SIZE; inside < 0 && f.frame(o) == SegmentFile.Frame.COMPLETE; o += f.size()) {
                if (f.count() > 2) inside = f.seqno() + 1;
            }
        }
        assertThat(inside).as("a block of three or more").isPositive();
        RelayServer server = serve();
        Running r = new Running(new RelaySource(reader(server, "r1"), TableFilter.all()), new LogSourcePosition(inside - 1, Logs.EPOCH));
        List<Transaction> rest = logged.subList((int) inside - 1, logged.size());
        assertSameAll(r.receive(rest.size()), Pipelines.asRead(rest, c -> true));
    }

    @Test
    void anIdleReaderStaysConnected() throws Exception {
        capture(samples.stream(1, 5, 0));
        RelayServer server = new RelayServer(log(), RelayServer.Options.plain("127.0.0.1", 0, "relay", "s3cret")
                .withHeartbeat(Duration.ofMillis(200)).withReaderTimeout(Duration.ofMillis(2500))).start();
        closeAfter.add(server);
        Running r = new Running(new RelaySource(reader(server, "idle"), TableFilter.all()), new LogSourcePosition(5, Logs.EPOCH));
        await().atMost(WAIT).until(() -> server.readers().size() == 1);
        java.time.Instant connected = server.readers().get(0).connected();
        // nothing to read and no job saving positions: the reader's keep-alive still counts
        await().during(Duration.ofSeconds(5)).atMost(WAIT).until(() -> !r.run.isDone() && server.readers().size() == 1
                && server.readers().get(0).connected().equals(connected));
        assertThat(server.readers().get(0).acknowledged()).isEqualTo(5);
    }

    @Test
    void aWrongPasswordIsRefusedForGood() throws Exception {
        capture(samples.stream(1, 5, 0));
        RelayServer server = serve();
        RelaySource source = new RelaySource(RelaySource.Options.plain("127.0.0.1", server.port(), "relay", "guess", "r1"),
                TableFilter.all());
        assertThatThrownBy(() -> source.run(new LogSourcePosition(0), new TransactionQueue(1 << 20)))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.isRetryable()).isFalse())
                .hasMessageContaining("refused this reader: wrong user or password");
    }

    @Test
    void aReaderWhoseHistoryDivergedIsRefused() throws Exception {
        capture(samples.stream(1, 30, 0)); // epoch 1
        RelayServer server = serve();
        RelaySource source = new RelaySource(reader(server, "r1"), TableFilter.all());
        assertThatThrownBy(() -> source.run(new LogSourcePosition(20, 0), new TransactionQueue(1 << 20)))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.isRetryable()).isFalse())
                .hasMessageContaining("history diverged: this reader last committed seqno 20 of epoch 0, but in the "
                        + "relay log seqno 20 is of epoch 1");
        // the same seqno in the log's own epoch is accepted
        Running r = new Running(new RelaySource(reader(server, "r2"), TableFilter.all()), new LogSourcePosition(20, 1));
        assertThat(r.receive(10).get(0).seq()).isEqualTo(21);
    }

    @Test
    void aReaderBehindThePurgedStartOrPastTheEndIsRefused() throws Exception {
        List<Transaction> later = Pipelines.numbered(samples.stream(1, 10, 0), 100);
        try (LogWriter w = LogWriter.open(log(), Logs.options(Codec.LZ4, 64 * 1024))) {
            for (Transaction t : later) w.append(t.seq(), t);
        }
        RelayServer server = serve();
        RelaySource source = new RelaySource(reader(server, "r1"), TableFilter.all());
        assertThatThrownBy(() -> source.run(new LogSourcePosition(5), new TransactionQueue(1 << 20)))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.isRetryable()).isFalse())
                .hasMessageContaining("the relay log begins at seqno 100, but this reader continues from seqno 6");
        assertThatThrownBy(source::resolveStart).isInstanceOf(ConfigException.class)
                .hasMessageContaining("The relay log served by 127.0.0.1:" + server.port() + " begins at seqno 100");
        // what a precheck asks: the log's seqnos, whether or not a new reader could start at its beginning
        assertThat(source.bounds()).containsExactly(100, 110);
        assertThatThrownBy(() -> source.run(new LogSourcePosition(200), new TransactionQueue(1 << 20)))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.isRetryable()).isTrue())
                .hasMessageContaining("continues from seqno 201, after the end of the relay log (next seqno 110)");
    }

    @Test
    void aReaderOfATableBeforeItsSafePositionIsRefusedAlsoWhenTheSelectionWidensWhileItReads() throws Exception {
        capture(samples.stream(1, 40, 0));
        LogSelections.record(log(), 1, List.of("shop\\.orders"), List.of(), List::of);
        RelayServer server = serve();
        Running all = new Running(new RelaySource(reader(server, "all"), TableFilter.all()), new LogSourcePosition(0));
        all.receive(40);
        Running orders = new Running(new RelaySource(reader(server, "orders"), ORDERS_ONLY), new LogSourcePosition(0));
        orders.receive(40);

        // the capture job is restarted with a wider selection: customers is logged from seqno 41 on, at once
        LogSelections.record(log(), 41, List.of("shop\\..*"), List.of(), () -> List.of(Samples.ORDERS.id(), Samples.CUSTOMERS.id()));
        List<Transaction> more = capture(samples.stream(41, 10, 0));
        await().atMost(WAIT).until(all.run::isDone);
        assertThatThrownBy(all.run::get).hasCauseInstanceOf(ConfigException.class)
                .hasMessageContaining("the relay log holds shop.customers only from seqno 41 on");
        assertThat(((ConfigException) catchCause(all.run)).isRetryable()).isFalse();
        // nothing from the new selection reached it
        Logs.drain(all.queue, all.received);
        assertThat(all.received).hasSize(40);
        // a reader that does not select the table goes on
        assertSameAll(orders.receive(10).subList(40, 50), Pipelines.asRead(more, ORDERS));

        RelaySource again = new RelaySource(reader(server, "all"), TableFilter.all());
        assertThatThrownBy(() -> again.run(new LogSourcePosition(20, Logs.EPOCH), new TransactionQueue(1 << 20)))
                .isInstanceOf(ConfigException.class).hasMessageContaining("this reader continues from seqno 21");
        Running past = new Running(new RelaySource(reader(server, "all"), TableFilter.all()), new LogSourcePosition(40, Logs.EPOCH));
        assertThat(past.receive(10).get(0).seq()).isEqualTo(41);
    }

    @Test
    void damageInTheServersLogStopsTheReaderWithTheFileAndOffset() throws Exception {
        // several blocks, so that some come before the damage
        List<Transaction> logged = capture(samples.stream(1, 500, 0));
        Path segment = LogFiles.segments(log()).firstEntry().getValue();
        long at = Files.size(segment) / 2;
        try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0x10);
        }
        RelayServer server = serve();
        Running r = new Running(new RelaySource(reader(server, "r1"), TableFilter.all()), new LogSourcePosition(0));
        await().atMost(WAIT).until(r.run::isDone);
        assertThatThrownBy(r.run::get).hasCauseInstanceOf(ConfigException.class)
                .hasMessageContaining("the relay log on the server is damaged: " + segment + " at byte");
        assertThat(JobRunner.isTransient(((Exception) catchCause(r.run)))).isFalse();
        // everything before the damage came, nothing after it
        Logs.drain(r.queue, r.received);
        assertThat(r.received).isNotEmpty().hasSizeLessThan(logged.size());
        assertSameAll(r.received, Pipelines.asRead(logged.subList(0, r.received.size()), c -> true));
    }

    private static Throwable catchCause(Future<?> f) {
        try {
            f.get();
            throw new AssertionError("expected a failure");
        } catch (Exception e) {
            return e.getCause();
        }
    }

    @Test
    void aStalledReaderDoesNotHoldBackAnotherOne() throws Exception {
        // about 25 MB of records: far more than the server buffers for one connection and the socket buffers hold
        Samples big = new Samples(5);
        List<Transaction> logged = new ArrayList<>();
        // uncompressed, so that the log is far bigger than what the server buffers for a reader
        for (int i = 0; i < 8; i++) logged.addAll(capture(big.stream(1 + 10_000L * i, 10_000, 0), Codec.NONE));
        RelayServer server = serve();
        try (Socket stalled = new Socket("127.0.0.1", server.port())) {
            // logs in and asks for everything, then never reads
            DataOutputStream o = new DataOutputStream(stalled.getOutputStream());
            java.io.ByteArrayOutputStream hello = new java.io.ByteArrayOutputStream();
            DataOutputStream h = new DataOutputStream(hello);
            h.writeByte(RelayProtocol.HELLO);
            h.writeInt(RelayProtocol.MAGIC);
            h.writeShort(RelayProtocol.VERSION);
            h.writeUTF("stalled");
            h.writeUTF("relay");
            h.writeUTF("s3cret");
            h.writeLong(1);
            h.writeLong(-1);
            h.writeShort(0); // includes
            h.writeShort(0); // excludes
            h.writeBoolean(false); // not a mirror
            o.writeInt(hello.size());
            hello.writeTo(o);
            o.flush();
            await().atMost(WAIT).until(() -> server.readers().stream().anyMatch(s -> s.name().equals("stalled")));

            Running fast = new Running(new RelaySource(reader(server, "fast"), TableFilter.all()), new LogSourcePosition(0));
            assertThat(fast.receive(logged.size())).hasSize(logged.size());
            RelayServer.ReaderStatus stalledStatus = server.readers().stream().filter(s -> s.name().equals("stalled"))
                    .findFirst().orElseThrow();
            assertThat(stalledStatus.sent()).isLessThan(logged.size() / 2);
            long bytes = 0;
            for (Path seg : LogFiles.segments(log()).values()) bytes += Files.size(seg);
            assertThat(bytes).isGreaterThan(20 << 20);
            new DataInputStream(stalled.getInputStream()).readInt(); // it is still being served
        }
    }

    @Test
    void tlsWithASelfSignedCertificateTheReaderTrusts() throws Exception {
        List<Transaction> logged = capture(samples.stream(1, 60, 0));
        Path cert = tmp.resolve("cert.pem");
        Path key = tmp.resolve("key.pem");
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key.toString(),
                "-out", cert.toString(), "-days", "2", "-subj", "/CN=relay", "-addext",
                "subjectAltName=DNS:localhost,IP:127.0.0.1").redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(output).isZero();
        RelayServer server = serve(RelayServer.Options.plain("127.0.0.1", 0, "relay", "s3cret").withTls(cert, key));

        Running r = new Running(new RelaySource(reader(server, "tls").withTls(cert), TableFilter.all()), new LogSourcePosition(0));
        assertSameAll(r.receive(logged.size()), Pipelines.asRead(logged, c -> true));

        RelaySource untrusting = new RelaySource(reader(server, "untrusting").withTls(null), TableFilter.all());
        assertThatThrownBy(() -> untrusting.run(new LogSourcePosition(0), new TransactionQueue(1 << 20)))
                .isInstanceOf(ConfigException.class).hasMessageContaining("The TLS handshake with the relay server");
        RelaySource plain = new RelaySource(reader(server, "plain"), TableFilter.all());
        assertThatThrownBy(() -> plain.run(new LogSourcePosition(0), new TransactionQueue(1 << 20)))
                .isInstanceOf(IOException.class);
    }

    @Test
    void aDownstreamJobSurvivesServerRestartsAndAcknowledgesWhatItSaved() throws Exception {
        List<Transaction> logged = capture(samples.stream(1, 300, 11));
        RelayServer server = serve();
        int port = server.port();
        Path state = tmp.resolve("downstream");
        Pipelines.CollectingSink target = new Pipelines.CollectingSink();
        try (FilePositionStore store = new FilePositionStore(state)) {
            Pipeline.Stats stats = new Pipeline.Stats();
            // like a job, a new source for every attempt
            JobRunner runner = new JobRunner(() -> new Pipeline(
                    new RelaySource(RelaySource.Options.plain("127.0.0.1", port, "relay", "s3cret", "down"), ORDERS_ONLY), target, new Router(Routes.NONE), store, 16L << 20, 100,
                    Duration.ofMinutes(10), stats), Duration.ofMillis(200));
            Future<?> run = pool.submit(() -> {
                runner.run();
                return null;
            });
            await().atMost(WAIT).until(() -> committed(stats) >= 150);
            server.close();
            List<Transaction> more = capture(samples.stream(301, 100, 0));
            server = serve(RelayServer.Options.plain("127.0.0.1", port, "relay", "s3cret"));
            await().atMost(WAIT).until(() -> committed(stats) == 400);
            runner.stop();
            run.get(30, TimeUnit.SECONDS);
            List<Transaction> all = new ArrayList<>(logged);
            all.addAll(more);
            assertSameAll(target.applied, Pipelines.reachingASink(Pipelines.asRead(all, ORDERS)));
        }
        assertThat(LogReaders.list(log())).singleElement().satisfies(r -> {
            assertThat(r.name()).isEqualTo("down");
            assertThat(r.seqno()).isBetween(150L, 400L);
        });
    }

    @Test
    void closingTheServerReturnsOnlyOnceEachReadersLastAcknowledgementIsRecorded() throws Exception {
        List<Transaction> logged = capture(samples.stream(1, 300, 0));
        long last = logged.get(logged.size() - 1).seq();
        RelayServer server = serve();
        Path state = tmp.resolve("downstream");
        try (FilePositionStore store = new FilePositionStore(state)) {
            Pipeline.Stats stats = new Pipeline.Stats();
            JobRunner runner = new JobRunner(() -> new Pipeline(
                    new RelaySource(RelaySource.Options.plain("127.0.0.1", server.port(), "relay", "s3cret", "down"),
                            TableFilter.all()), new Pipelines.CollectingSink(), new Router(Routes.NONE), store, 16L << 20, 100,
                    Duration.ofMinutes(10), stats), Duration.ofMillis(200));
            Future<?> run = pool.submit(() -> {
                runner.run();
                return null;
            });
            // the server records acknowledgements at most every second while a reader is connected, and the last one
            // when it goes: close() must not return before that
            await().atMost(WAIT).until(() -> server.readers().stream().anyMatch(r -> r.acknowledged() == last));
            server.close();
            assertThat(LogReaders.list(log())).singleElement().satisfies(r -> assertThat(r.seqno()).isEqualTo(last));
            runner.stop();
            run.get(30, TimeUnit.SECONDS);
        }
    }

    private static long committed(Pipeline.Stats stats) {
        return stats.committed instanceof LogSourcePosition p ? p.seqno() : -1;
    }
}
