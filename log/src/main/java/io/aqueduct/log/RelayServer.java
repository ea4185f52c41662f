package io.aqueduct.log;

import io.aqueduct.core.config.ConfigException;
import io.aqueduct.core.filter.TableFilter;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a relay log directory over TCP ({@link RelayProtocol}) to any number of readers, each at its own pace: every
 * reader has its own thread reading the log, which waits while that reader's connection has more than a few MiB
 * unsent, so a slow reader holds back only itself. Readers log in with the server's user and password, optionally
 * over TLS. Each reader's acknowledged seqno is kept in the log's reader registry ({@link LogReaders}), so retention
 * does not delete what it still needs, and listed every {@link Options#statusEvery()} in the server's log.
 */
public final class RelayServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RelayServer.class);
    private static final int LOW_WATER = 1 << 20;
    private static final int HIGH_WATER = 4 << 20;
    /** How often a reader's acknowledged seqno is written to the registry, at most (it syncs files). */
    private static final long ACK_SAVE_MS = 1000;
    /** How long {@link #close()} waits for the readers' threads to record their last acknowledgements and end. */
    private static final long STREAMERS_JOIN_MS = 5000;

    /**
     * @param host          the address to listen on ({@code 0.0.0.0} for all)
     * @param port          the port, 0 for any free one
     * @param tlsCert       PEM certificate chain, or null for plain TCP
     * @param tlsKey        PEM PKCS#8 private key of the certificate
     * @param heartbeat     how long the server stays silent at most: with nothing to send, it sends a heartbeat
     * @param readerTimeout how long a reader may stay silent before its connection is dropped (readers acknowledge
     *                      every second)
     * @param statusEvery   how often the readers are listed in the log
     */
    public record Options(String host, int port, String user, String password, Path tlsCert, Path tlsKey,
                          Duration heartbeat, Duration readerTimeout, Duration statusEvery) {
        public static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(2);
        public static final Duration DEFAULT_READER_TIMEOUT = Duration.ofSeconds(15);
        public static final Duration DEFAULT_STATUS_EVERY = Duration.ofSeconds(30);

        public Options {
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(password, "password");
            if ((tlsCert == null) != (tlsKey == null)) throw new IllegalArgumentException("TLS needs both a certificate and a key");
        }

        public static Options plain(String host, int port, String user, String password) {
            return new Options(host, port, user, password, null, null, DEFAULT_HEARTBEAT, DEFAULT_READER_TIMEOUT,
                    DEFAULT_STATUS_EVERY);
        }

        public Options withTls(Path cert, Path key) {
            return new Options(host, port, user, password, cert, key, heartbeat, readerTimeout, statusEvery);
        }

        public Options withHeartbeat(Duration d) {
            return new Options(host, port, user, password, tlsCert, tlsKey, d, readerTimeout, statusEvery);
        }

        public Options withReaderTimeout(Duration d) {
            return new Options(host, port, user, password, tlsCert, tlsKey, heartbeat, d, statusEvery);
        }

        /** Without the password, which must not reach logs. */
        @Override
        public String toString() {
            return "RelayServer.Options[" + host + ":" + port + ", user=" + user + ", password=***"
                    + (tlsCert != null ? ", tls" : "") + "]";
        }
    }

    /** One connected reader as the server sees it. */
    public record ReaderStatus(String name, String address, long acknowledged, long sent, long logEnd, Instant connected) {
        /** Transactions in the log the reader has not acknowledged. */
        public long lag() {
            return Math.max(0, logEnd - 1 - acknowledged);
        }
    }

    private final Path dir;
    private final Options options;
    private final SslContext ssl;
    private final Map<Channel, Connection> connections = new ConcurrentHashMap<>();
    /** The readers' streaming threads, until they end: {@link #close()} waits for them, as they write the registry. */
    private final Set<Thread> streamers = ConcurrentHashMap.newKeySet();
    private EventLoopGroup boss;
    private EventLoopGroup workers;
    private Channel listener;
    private volatile boolean closed;

    public RelayServer(Path dir, Options options) throws IOException {
        this.dir = Objects.requireNonNull(dir, "dir");
        this.options = options;
        if (!Files.isDirectory(dir)) {
            throw new ConfigException("There is no relay log directory " + dir + ". Start the capture "
                    + "job that writes it (target type log) first, or check the path.");
        }
        this.ssl = options.tlsCert() == null ? null : sslContext(options.tlsCert(), options.tlsKey());
    }

    private static SslContext sslContext(Path cert, Path key) {
        try {
            return SslContextBuilder.forServer(cert.toFile(), key.toFile()).build();
        } catch (Exception e) {
            throw new ConfigException("Cannot use the TLS certificate " + cert + " with the key " + key
                    + ": " + e.getMessage() + ". Give a PEM certificate and its PEM (PKCS#8) private key, for example made "
                    + "with: openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem -days 365 "
                    + "-subj /CN=relay -addext subjectAltName=DNS:localhost,IP:127.0.0.1", e);
        }
    }

    /** Starts listening; returns this server. */
    public RelayServer start() throws InterruptedException {
        boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        workers = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        long timeoutMs = options.readerTimeout().toMillis();
        ServerBootstrap b = new ServerBootstrap().group(boss, workers).channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                // pools buffers of a whole batch (BATCH_BYTES); Netty's default allocator makes and zeroes a new one each time
                .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(LOW_WATER, HIGH_WATER))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (ssl != null) ch.pipeline().addLast(ssl.newHandler(ch.alloc()));
                        ch.pipeline().addLast(new ReadTimeoutHandler(timeoutMs, TimeUnit.MILLISECONDS));
                        ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(RelayProtocol.MAX_READER_FRAME, 0, 4, 0, 4));
                        ch.pipeline().addLast(new Handler());
                    }
                });
        try {
            listener = b.bind(options.host(), options.port()).sync().channel();
        } catch (Exception e) {
            close();
            throw new ConfigException("The relay server cannot listen on " + options.host() + ":"
                    + options.port() + ": " + e.getMessage() + ". Choose another --port, or stop what listens there.", e);
        }
        long every = options.statusEvery().toMillis();
        boss.scheduleAtFixedRate(this::logReaders, every, every, TimeUnit.MILLISECONDS);
        LOG.info("Relay server for {} listening on {}:{}{}", dir, options.host(), port(), ssl != null ? " (TLS)" : "");
        return this;
    }

    /** The port listened on. */
    public int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** The readers connected now, by name. */
    public List<ReaderStatus> readers() {
        List<ReaderStatus> out = new ArrayList<>();
        for (Connection c : connections.values()) if (c.name != null) out.add(c.status());
        out.sort(Comparator.comparing(ReaderStatus::name));
        return out;
    }

    private void logReaders() {
        List<ReaderStatus> rs = readers();
        if (rs.isEmpty()) {
            LOG.info("relay readers: none connected");
            return;
        }
        for (ReaderStatus r : rs) {
            LOG.info("relay reader {} from {}: acknowledged seqno {}, sent up to {}, lag {} transaction(s)", r.name(),
                    r.address(), r.acknowledged(), r.sent(), r.lag());
        }
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        for (Connection c : connections.values()) c.stop();
        if (listener != null) listener.close().syncUninterruptibly();
        if (boss != null) boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        if (workers != null) workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STREAMERS_JOIN_MS);
        for (Thread t : streamers) {
            try {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (t.isAlive()) LOG.warn("relay server closed while {} still runs", t.getName());
        }
    }

    /** The server side of one connection: the protocol on the event loop, the streaming on its own thread. */
    private final class Handler extends SimpleChannelInboundHandler<ByteBuf> {
        private Connection connection;
        /** Set on the event loop at the first HELLO: any other HELLO, and anything after a refusal, closes. */
        private boolean greeted;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            connection = new Connection(ctx.channel());
            connections.put(ctx.channel(), connection);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) throws IOException {
            if (connection.refused) return; // closing
            byte type = frame.readByte();
            DataInputStream in = new DataInputStream(new ByteBufInputStream(frame));
            if (type == RelayProtocol.HELLO && !greeted) {
                greeted = true;
                connection.hello(in);
            } else if (type == RelayProtocol.ACK && connection.name != null) {
                connection.acked = in.readLong(); // recorded by the reader's own thread
            } else if (type != RelayProtocol.ACK) {
                connection.refuse(false, "unexpected message type " + type + "; is the reader an Aqueduct relay source "
                        + "of the same version?");
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            connection.wake();
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            connections.remove(ctx.channel());
            connection.stop();
            if (connection.name != null) {
                LOG.info("relay reader {} from {} disconnected at acknowledged seqno {}", connection.name, connection.address,
                        connection.acked);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (connection.name != null || !(cause instanceof IOException)) {
                LOG.warn("relay reader {} from {}: {}", connection.name == null ? "(not logged in)" : connection.name,
                        connection.address, cause.toString());
            }
            ctx.close();
        }
    }

    /** Why a reader is refused, and whether it may try again later. */
    private record Refused(String reason, boolean retryable) {}

    /** A record's refusal found while batching: what was batched before it is sent, then the refusal. */
    private static final class Refusal extends IOException {
        private static final long serialVersionUID = 1L;

        Refusal(String message) {
            super(message);
        }
    }

    private final class Connection {
        final Channel channel;
        final String address;
        final Instant connected = Instant.now();
        volatile String name;
        volatile long acked = -1;
        volatile long sent = -1;
        volatile long logEnd;
        volatile boolean refused;
        /** Another connection logged in under this reader's name: this one's acknowledgements no longer count. */
        volatile boolean superseded;
        private long ackSavedAt;
        private long ackSaved = Long.MIN_VALUE;
        private volatile boolean stopped;
        /** The RECORDS frames' CRC32C, on the reader's own thread. */
        private final CRC32C frameCrc = new CRC32C();

        Connection(Channel channel) {
            this.channel = channel;
            this.address = String.valueOf(channel.remoteAddress()).replaceFirst("^/", "");
        }

        ReaderStatus status() {
            return new ReaderStatus(name, address, acked, sent, Math.max(logEnd, sent + 1), connected);
        }

        void hello(DataInputStream in) throws IOException {
            if (in.readInt() != RelayProtocol.MAGIC) {
                refuse(false, "this is an Aqueduct relay server; the peer did not speak its protocol");
                return;
            }
            int version = in.readUnsignedShort();
            if (version != RelayProtocol.VERSION) {
                refuse(false, "the reader speaks relay protocol version " + version + ", this server "
                        + RelayProtocol.VERSION + "; run the same Aqueduct version on both");
                return;
            }
            String reader = in.readUTF();
            String user = in.readUTF();
            String password = in.readUTF();
            long next = in.readLong();
            long epoch = in.readLong();
            List<String> include = strings(in);
            List<String> exclude = strings(in);
            boolean mirror = in.readBoolean();
            if (!equal(user, options.user()) | !equal(password, options.password())) {
                LOG.warn("relay reader {} from {} refused: wrong user or password", reader, address);
                refuse(false, "wrong user or password for the relay server; check the user and password the reader gives "
                        + "(source.user and source.password in a job file, --user and --password-env of log mirror)");
                return;
            }
            if (!LogReaders.isValidName(reader)) {
                refuse(false, "the reader name '" + reader + "' is not a valid relay reader name (letters, digits, '.', '_' "
                        + "and '-', at most 100)");
                return;
            }
            TableFilter filter;
            try {
                filter = new TableFilter(include, exclude);
            } catch (RuntimeException e) {
                refuse(false, "the reader's table patterns are not valid regular expressions: " + e.getMessage());
                return;
            }
            // checked and answered on the reader's own thread: they read the log
            Thread streamer = new Thread(() -> stream(reader, next, epoch, filter, mirror), "relay-" + reader);
            streamer.setDaemon(true);
            streamers.add(streamer);
            streamer.start();
        }

        /**
         * Checks the reader's request and streams the log to it. A mirror's selection is not checked: it is sent the
         * selection history instead ({@link SelectionCopy}).
         */
        private void stream(String reader, long next, long epoch, TableFilter filter, boolean mirror) {
            try (LogReader log = LogReader.open(dir).wholeTransactionsOnly();
                 LogSource.SelectionWatch selections = mirror ? null : new LogSource.SelectionWatch(dir, next, filter)) {
                long[] bounds = bounds();
                if (next == RelayProtocol.PROBE) {
                    welcome(bounds);
                    return;
                }
                Refused refused = check(next, epoch, bounds);
                String selection = refused == null && selections != null ? selections.recheck() : null;
                if (selection != null) refused = new Refused(selection, false);
                if (refused != null && mirror && !refused.retryable()) {
                    refused = new Refused(refused.reason() + ". For a mirror, its copy of the log stands for the reader's "
                            + "target and position: move the mirror's directory away and start the mirror again", false);
                }
                if (refused != null) {
                    LOG.warn("relay reader {} from {} refused: {}", reader, address, refused.reason());
                    refuse(refused.retryable(), refused.reason());
                    return;
                }
                for (Connection other : connections.values()) {
                    if (other != this && reader.equals(other.name)) {
                        LOG.info("relay reader {} logged in again from {}; closing its connection from {}", reader, address,
                                other.address);
                        other.superseded = true;
                        other.channel.close();
                    }
                }
                name = reader;
                acked = next - 1;
                sent = next - 1;
                logEnd = bounds[1];
                welcome(bounds);
                LOG.info("relay {} {} from {} connected, reading from seqno {}", mirror ? "mirror" : "reader", reader, address,
                        next);
                streamFrom(log, next, selections, mirror ? new SelectionCopy() : null);
            } catch (LogCorruptException e) {
                LOG.error("relay reader {} from {}: {}", reader, address, e.getMessage());
                error(false, "the relay log on the server is damaged: " + e.getMessage());
            } catch (Exception e) {
                if (!stopped) {
                    LOG.warn("relay reader {} from {}: {}", reader, address, e.toString());
                    error(true, "the relay server failed while reading its log: " + e);
                }
            } finally {
                saveAck(true);
                streamers.remove(Thread.currentThread());
            }
        }

        /** The log's first seqno and the seqno it writes next, both 0 when it has no segment yet. */
        private long[] bounds() throws IOException {
            TreeMap<Long, Path> segments = LogFiles.segments(dir);
            if (segments.isEmpty()) return new long[] {0, 0, -1};
            try (LogReader r = LogReader.open(dir)) {
                long end = r.endSeqno();
                long epoch = end > segments.firstKey() ? r.epochOf(end - 1) : -1;
                return new long[] {segments.firstKey(), end, epoch};
            }
        }

        /** Why a reader that continues from seqno {@code next} is refused, or null. */
        private Refused check(long next, long epoch, long[] bounds) throws IOException {
            long first = bounds[0];
            long end = bounds[1];
            if (end == 0 && first == 0) {
                // no segment yet: a writer numbers from 1
                return next > 1 ? new Refused("this reader continues from seqno " + next + " but the relay log is empty; "
                        + "either the capture job has not written it again yet, or the log was created anew (then delete "
                        + "the reader job's position.json and copy its tables again)", true) : null;
            }
            if (next < first) {
                return new Refused("the relay log begins at seqno " + first + ", but this reader continues from seqno " + next
                        + ": the transactions between were purged. Copy the reader's tables again, then write {\"seqno\": "
                        + (first - 1) + "} into its position.json", false);
            }
            if (next > end) {
                String recreated = LogSource.recreated(dir, next - 1, epoch);
                if (recreated != null) return new Refused(recreated, false);
                return new Refused("this reader continues from seqno " + next + ", after the end of the relay log (next "
                        + "seqno " + end + "). Either the log lost its newest records in a machine crash (the capture job "
                        + "writes them again, and the reader retries until then) or the log was created anew, in which case "
                        + "delete the reader job's position.json and copy its tables again", true);
            }
            String diverged = epoch >= 0 && next - 1 >= first ? LogSource.divergence(dir, next - 1, epoch) : null;
            return diverged == null ? null : new Refused(diverged, false);
        }

        private boolean seek(LogReader log, long next) throws IOException {
            if (LogFiles.segments(dir).isEmpty()) return false;
            try {
                log.seekToSeqno(next);
                return true;
            } catch (IllegalArgumentException e) {
                return false; // not written yet, or the segments changed while seeking
            }
        }

        /**
         * Sends the log from seqno {@code next} until the connection ends: batches of records as they come, a heartbeat
         * when there has been nothing to send for a heartbeat interval (also while the log is still empty), and the
         * reader's acknowledgements recorded on the way. A reader is stopped where its selection would make it partial
         * ({@code selections}); a mirror gets the selection history before the records it covers ({@code copy}).
         */
        private void streamFrom(LogReader log, long next, LogSource.SelectionWatch selections, SelectionCopy copy)
                throws IOException, InterruptedException {
            long heartbeatMs = options.heartbeat().toMillis();
            long lastSend = System.currentTimeMillis();
            boolean positioned = false;
            while (!stopped && channel.isActive()) {
                saveAck(false);
                if (!positioned && !(positioned = seek(log, next))) {
                    lastSend = heartbeat(log, lastSend, heartbeatMs, false);
                    pause();
                    continue;
                }
                ByteBuf batch = channel.alloc().ioBuffer(RelayProtocol.BATCH_BYTES + 1024);
                batch.writeInt(0).writeByte(RelayProtocol.RECORDS);
                Exception failure = null;
                try {
                    while (batch.readableBytes() < RelayProtocol.BATCH_BYTES && log.nextFramed((codec, a, off, len) -> {
                        if (selections != null && RecordFormat.fragment(a, off) == 0) {
                            String refusal = selections.before(RecordFormat.lastSeqno(a, off));
                            if (refusal != null) throw new Refusal(refusal);
                        }
                        batch.writeByte(codec.id());
                        batch.writeBytes(a, off, len);
                    })) {
                        // batched
                    }
                } catch (IOException | RuntimeException e) {
                    failure = e; // what was read before it is sent first
                }
                boolean any = batch.readableBytes() > 5;
                if (any && copy != null) {
                    // the history is written before the records it covers: read after them, it covers them all (and
                    // with no records to send, there is nothing it has to cover yet)
                    try {
                        copy.sendIfChanged();
                    } catch (IOException | RuntimeException e) {
                        batch.release();
                        throw e;
                    }
                }
                if (any) {
                    frameCrc.reset();
                    frameCrc.update(batch.nioBuffer(5, batch.writerIndex() - 5));
                    batch.writeInt((int) frameCrc.getValue());
                    batch.setInt(0, batch.readableBytes() - 4);
                    awaitWritable();
                    sent = log.lastWholeSeqno();
                    channel.writeAndFlush(batch);
                    lastSend = System.currentTimeMillis();
                } else {
                    batch.release();
                }
                if (failure instanceof Refusal r) {
                    LOG.warn("relay reader {} from {} stopped: {}", name, address, r.getMessage());
                    error(false, r.getMessage());
                    return;
                }
                if (failure instanceof IOException e) throw e;
                if (failure != null) throw (RuntimeException) failure;
                if (any) continue;
                lastSend = heartbeat(log, lastSend, heartbeatMs, true);
                pause();
            }
        }

        /** Sends a heartbeat when nothing was sent for {@code heartbeatMs}; returns when something was sent last. */
        private long heartbeat(LogReader log, long lastSend, long heartbeatMs, boolean logExists) throws IOException {
            long now = System.currentTimeMillis();
            if (now - lastSend < heartbeatMs) return lastSend;
            if (logExists) logEnd = log.endSeqno();
            ByteBuf hb = channel.alloc().heapBuffer(21);
            hb.writeInt(17).writeByte(RelayProtocol.HEARTBEAT).writeLong(logEnd).writeLong(now);
            channel.writeAndFlush(hb);
            return now;
        }

        /** What a mirror was last sent of the log's selection history, which it is sent again when it changed. */
        private final class SelectionCopy {
            private final Path file = dir.resolve(LogSelections.FILE);
            private byte[] sent;

            void sendIfChanged() throws IOException {
                byte[] now;
                try {
                    now = Files.readAllBytes(file);
                } catch (java.nio.file.NoSuchFileException e) {
                    return;
                }
                if (java.util.Arrays.equals(now, sent)) return;
                ByteBuf b = channel.alloc().heapBuffer(5 + now.length);
                b.writeInt(1 + now.length).writeByte(RelayProtocol.SELECTIONS).writeBytes(now);
                channel.writeAndFlush(b);
                sent = now;
            }
        }

        private void welcome(long[] bounds) {
            ByteBuf b = channel.alloc().heapBuffer(29);
            b.writeInt(25).writeByte(RelayProtocol.WELCOME).writeLong(bounds[2]).writeLong(bounds[0]).writeLong(bounds[1]);
            channel.writeAndFlush(b);
        }

        /**
         * Records the reader's acknowledged seqno in the log's reader registry, at most every second unless
         * {@code last}; on the reader's own thread, since it syncs files.
         */
        private void saveAck(boolean last) {
            long seqno = acked;
            long now = System.currentTimeMillis();
            if (name == null || superseded || seqno < 0 || seqno == ackSaved || !last && now - ackSavedAt < ACK_SAVE_MS) return;
            try {
                LogReaders.acknowledge(dir, name, seqno, address + " via relay server");
                ackSaved = seqno;
                ackSavedAt = now;
            } catch (IOException e) {
                LOG.warn("cannot record relay reader {}'s acknowledged seqno {}: {}", name, seqno, e.toString());
            }
        }

        void refuse(boolean retryable, String reason) {
            refused = true;
            send(RelayProtocol.REFUSED, retryable, reason);
        }

        void error(boolean retryable, String message) {
            send(RelayProtocol.ERROR, retryable, message);
        }

        private void send(byte type, boolean retryable, String message) {
            ByteBuf b = channel.alloc().heapBuffer();
            try (DataOutputStream out = new DataOutputStream(new ByteBufOutputStream(b))) {
                out.writeInt(0);
                out.writeByte(type);
                out.writeBoolean(retryable);
                out.writeUTF(message.length() > 20_000 ? message.substring(0, 20_000) : message);
            } catch (IOException e) {
                throw new IllegalStateException(e); // writing to memory
            }
            b.setInt(0, b.readableBytes() - 4);
            channel.writeAndFlush(b).addListener(ChannelFutureListener.CLOSE);
        }

        private void awaitWritable() throws InterruptedException {
            synchronized (this) {
                while (!channel.isWritable() && channel.isActive() && !stopped) wait(100);
            }
        }

        private void pause() throws InterruptedException {
            synchronized (this) {
                if (!stopped) wait(20);
            }
        }

        synchronized void wake() {
            notifyAll();
        }

        /** The connection ended: the reader's thread records the last acknowledgement and ends. */
        void stop() {
            stopped = true;
            wake();
            if (closed) channel.close();
        }
    }

    private static List<String> strings(DataInputStream in) throws IOException {
        int n = in.readUnsignedShort();
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) out.add(in.readUTF());
        return out;
    }

    private static boolean equal(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}
