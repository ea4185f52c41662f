package io.aqueduct.log;

import io.aqueduct.core.config.ConfigException;
import io.aqueduct.core.filter.TableFilter;
import io.aqueduct.core.model.Position;
import io.aqueduct.core.model.TableSchema;
import io.aqueduct.core.model.Transaction;
import io.aqueduct.core.pipeline.Source;
import io.aqueduct.core.pipeline.TransactionQueue;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A job's source reading a relay log from a {@link RelayServer}. Every received record's length, CRC32C and seqno
 * continuity are checked; damage on the way, a dropped connection or a silent server are I/O failures, which the job
 * runner retries from the last committed seqno. What the server refuses for good (wrong password, a diverged history,
 * a position the log no longer holds) ends the job with the server's reason. Each position the job saves is
 * acknowledged to the server, which keeps the log for this reader until then.
 */
public final class RelaySource implements Source {
    private static final Logger LOG = LoggerFactory.getLogger(RelaySource.class);
    private static final int MAX_FRAME = RecordFormat.MAX_PAYLOAD + 64 * 1024;
    /** How often the reader acknowledges, whether or not its job saved anything new: the server's sign of life. */
    private static final long KEEPALIVE_MS = 1000;
    /** The first frame comes from a peer not yet known to be a relay server: small (WELCOME or REFUSED). */
    private static final int MAX_HANDSHAKE_FRAME = 64 * 1024;

    /**
     * @param trustCert a PEM certificate (or chain) to trust, for a server with a self-signed certificate; null for the
     *                  JVM's trusted authorities
     * @param timeout   how long the server may stay silent before the connection counts as dead
     */
    public record Options(String host, int port, String user, String password, boolean tls, Path trustCert,
                          String readerName, Duration timeout) {
        /** Without the password, which must not reach logs. */
        @Override
        public String toString() {
            return "RelaySource.Options[" + host + ":" + port + ", user=" + user + ", password=***" + (tls ? ", tls" : "")
                    + ", reader=" + readerName + "]";
        }

        public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

        public Options {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(password, "password");
            Objects.requireNonNull(readerName, "readerName");
        }

        public static Options plain(String host, int port, String user, String password, String readerName) {
            return new Options(host, port, user, password, false, null, readerName, DEFAULT_TIMEOUT);
        }

        public Options withTls(Path trust) {
            return new Options(host, port, user, password, true, trust, readerName, timeout);
        }

        String address() {
            return host + ":" + port;
        }
    }

    private final Options options;
    private final TableFilter filter;
    private final SSLSocketFactory tlsSockets;
    private volatile Socket socket;
    private volatile DataOutputStream out;
    private volatile boolean closed;

    public RelaySource(Options options, TableFilter filter) {
        this.options = Objects.requireNonNull(options, "options");
        this.filter = Objects.requireNonNull(filter, "filter");
        this.tlsSockets = options.tls() ? sslSockets(options.trustCert()) : null;
    }

    @Override
    public Position parsePosition(String json) {
        return LogSourcePosition.parse(json);
    }

    /**
     * The seqnos the server's log holds: {@code [first, next)}, the next being the one a writer gives the next
     * transaction; both 0 when the log has no segment yet. Logs in as this reader, so it also checks the login.
     */
    public long[] bounds() throws IOException {
        try (Session s = connect(RelayProtocol.PROBE, -1, false)) {
            return new long[] {s.first, s.end};
        }
    }

    /**
     * The beginning of the server's log: the position before its first seqno ({@code {"seqno": 0}} when it is empty).
     *
     * @throws ConfigException when the log no longer begins at seqno 1 ({@link LogSource#trimmed})
     */
    @Override
    public LogSourcePosition resolveStart() throws IOException {
        long[] b = bounds();
        if (b[0] == 0 && b[1] == 0) return new LogSourcePosition(0);
        if (b[0] > 1) throw LogSource.trimmed("served by " + options.address(), b[0]);
        return new LogSourcePosition(b[0] - 1);
    }

    @Override
    public void run(Position from, TransactionQueue queue) throws Exception {
        LogSourcePosition start = from == null ? resolveStart()
                : from instanceof LogSourcePosition p ? p : LogSourcePosition.parse(from.toJson());
        Map<TableSchema, Boolean> selected = new IdentityHashMap<>();
        synchronized (this) {
            // what the job applied before this run: acknowledged at once, and as the keep-alive until it saves more
            acknowledged = Math.max(acknowledged, start.seqno());
        }
        ScheduledExecutorService keepAlive = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "relay-keepalive");
            t.setDaemon(true);
            return t;
        });
        try (Session s = connect(start.next(), start.seqno() >= 0 ? start.epoch() : -1, false);
             FramedRecordDecoder decoder = new FramedRecordDecoder(options.address(), start.next(),
                     t -> selected.computeIfAbsent(t, x -> filter.test(x.id())))) {
            LOG.info("Reading the relay log at {} from seqno {}", options.address(), start.next());
            // acknowledgements tell the server this reader is alive, also while the job is slow to take transactions
            keepAlive.scheduleWithFixedDelay(() -> acknowledge(-1), KEEPALIVE_MS, KEEPALIVE_MS, TimeUnit.MILLISECONDS);
            while (!closed) {
                ByteBuffer b = s.readFrame();
                byte type = b.get();
                if (type == RelayProtocol.RECORDS) {
                    decoder.checkFrame(b);
                    while (b.hasRemaining()) {
                        Codec codec = decoder.nextCodec(b);
                        for (Transaction t : decoder.decode(codec, b, 4 + b.getInt(b.position()))) {
                            if (!queue.put(LogSource.select(t, filter, selected, decoder.lastEpoch()))) return;
                        }
                    }
                } else if (type == RelayProtocol.ERROR) {
                    throw refusal(b);
                } else if (type != RelayProtocol.HEARTBEAT) {
                    throw new IOException("relay server " + options.address() + " sent an unexpected message of type " + type);
                }
            }
        } finally {
            keepAlive.shutdownNow();
            socket = null;
            out = null;
        }
    }

    /** Acknowledges the saved seqno to the server, which keeps the log for this reader until then. */
    @Override
    public void saved(Position position) {
        if (position instanceof LogSourcePosition p) acknowledge(p.seqno());
    }

    private long acknowledged = -1;

    /** Tells the server this reader has committed everything up to {@code seqno}; -1 repeats the last one. */
    synchronized void acknowledge(long seqno) {
        if (seqno >= 0) acknowledged = seqno;
        DataOutputStream o = out;
        if (o == null || acknowledged < 0) return;
        try {
            o.writeInt(9);
            o.writeByte(RelayProtocol.ACK);
            o.writeLong(acknowledged);
            o.flush();
        } catch (IOException e) {
            // the reading side finds the broken connection and the job reconnects
            LOG.debug("cannot acknowledge seqno {} to {}: {}", acknowledged, options.address(), e.toString());
        }
    }

    /** The selected tables cannot be listed without reading the whole log over the network: none are reported. */
    @Override
    public List<TableSchema> tables() {
        return List.of();
    }

    @Override
    public void close() {
        closed = true;
        Socket s = socket;
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    /** An open, welcomed connection. */
    final class Session implements AutoCloseable {
        final Socket socket;
        final DataInputStream in;
        long epoch;
        long first;
        long end;

        Session(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 256 * 1024));
        }

        private ByteBuffer frame = ByteBuffer.allocate(RelayProtocol.BATCH_BYTES + 64 * 1024);

        /** The next frame, valid until the next call. */
        ByteBuffer readFrame() throws IOException {
            return readFrame(MAX_FRAME);
        }

        ByteBuffer readFrame(int max) throws IOException {
            int length;
            try {
                length = in.readInt();
            } catch (SocketTimeoutException e) {
                throw new IOException("the relay server " + options.address() + " sent nothing for "
                        + options.timeout().toSeconds() + " s", e);
            } catch (EOFException e) {
                throw new IOException("the relay server " + options.address() + " closed the connection", e);
            }
            if (length < 1 || length > max) {
                if (max < MAX_FRAME) throw notARelayServer("a first message of " + length + " bytes");
                throw new IOException("relay stream from " + options.address() + " is malformed (frame of " + length + " bytes)");
            }
            // frames are decoded before the next one is read: one buffer, grown to the largest frame
            if (frame.capacity() < length) frame = ByteBuffer.allocate(Math.max(length, 2 * frame.capacity()));
            in.readFully(frame.array(), 0, length);
            return frame.clear().limit(length);
        }

        @Override
        public void close() throws IOException {
            socket.close();
            synchronized (RelaySource.this) {
                // acknowledgements no longer go to this connection
                if (RelaySource.this.socket == socket) {
                    RelaySource.this.socket = null;
                    out = null;
                }
            }
        }
    }

    /**
     * Logs in and asks for the log from seqno {@code next}, whose predecessor has {@code epoch} (-1 unknown); as a
     * {@link RelayMirror} when {@code mirror}. The welcomed session is this source's connection, which
     * {@link #acknowledge} writes to and {@link #close} closes.
     */
    Session connect(long next, long epoch, boolean mirror) throws IOException {
        Socket plain = new Socket();
        Session s;
        try {
            plain.setTcpNoDelay(true);
            plain.setReceiveBufferSize(1 << 20);
            plain.connect(new InetSocketAddress(options.host(), options.port()), (int) options.timeout().toMillis());
            plain.setSoTimeout((int) options.timeout().toMillis());
            Socket sock = plain;
            if (tlsSockets != null) {
                SSLSocket tls = (SSLSocket) tlsSockets.createSocket(plain, options.host(), options.port(), true);
                SSLParameters p = tls.getSSLParameters();
                p.setEndpointIdentificationAlgorithm("HTTPS");
                tls.setSSLParameters(p);
                try {
                    tls.startHandshake();
                } catch (javax.net.ssl.SSLException e) {
                    if (!untrusted(e)) {
                        // the server went away during the handshake, or does not speak TLS: retried
                        throw new IOException("the TLS handshake with the relay server " + options.address() + " broke off ("
                                + e.getMessage() + "); does the server run with --tls-cert?", e);
                    }
                    throw new ConfigException("The TLS handshake with the relay server " + options.address() + " failed: "
                            + e.getMessage() + ". Give the reader the server's certificate (source.tls.trust in a job file, "
                            + "--tls-trust of log mirror; its names must include the host " + options.host() + "), or a "
                            + "certificate signed by an authority the JVM trusts.", e);
                }
                sock = tls;
            }
            s = new Session(sock);
            DataOutputStream o = new DataOutputStream(new BufferedOutputStream(sock.getOutputStream()));
            java.io.ByteArrayOutputStream hello = new java.io.ByteArrayOutputStream();
            DataOutputStream h = new DataOutputStream(hello);
            h.writeByte(RelayProtocol.HELLO);
            h.writeInt(RelayProtocol.MAGIC);
            h.writeShort(RelayProtocol.VERSION);
            h.writeUTF(options.readerName());
            h.writeUTF(options.user());
            h.writeUTF(options.password());
            h.writeLong(next);
            h.writeLong(epoch);
            for (List<String> patterns : List.of(filter.include(), filter.exclude())) {
                h.writeShort(patterns.size());
                for (String p : patterns) h.writeUTF(p);
            }
            h.writeBoolean(mirror);
            o.writeInt(hello.size());
            hello.writeTo(o);
            o.flush();
            ByteBuffer b = s.readFrame(MAX_HANDSHAKE_FRAME);
            byte type = b.get();
            if (type == RelayProtocol.REFUSED || type == RelayProtocol.ERROR) throw refusal(b);
            if (type != RelayProtocol.WELCOME || b.remaining() != 24) throw notARelayServer("message type " + type);
            s.epoch = b.getLong();
            s.first = b.getLong();
            s.end = b.getLong();
            this.socket = sock;
            this.out = o;
        } catch (java.net.ConnectException | java.net.UnknownHostException e) {
            plain.close();
            throw new ConfigException("Cannot reach the relay server at " + options.address() + ": " + e.getMessage()
                    + ". Check the host and port (source.host and source.port in a job file, --host and --port of log mirror), "
                    + "and that `aqueduct log serve` runs there.", e, true);
        } catch (IOException | RuntimeException e) {
            plain.close();
            if (e instanceof EOFException || e.getCause() instanceof EOFException) {
                throw new IOException("the relay server " + options.address() + " closed the connection during the handshake"
                        + (tlsSockets == null ? " (does it expect TLS? then set source.tls)" : ""), e);
            }
            throw e;
        }
        acknowledge(-1);
        return s;
    }

    /** Whether a failed handshake failed on the server's certificate, rather than on a connection that broke. */
    private static boolean untrusted(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.security.cert.CertificateException
                    || t instanceof java.security.GeneralSecurityException) {
                return true;
            }
        }
        return false;
    }

    private ConfigException notARelayServer(String what) {
        return new ConfigException("The peer at " + options.address() + " is not an Aqueduct relay server (it answered with "
                + what + "). Check the host and port (source.host and source.port in a job file, --host and --port of log "
                + "mirror).");
    }

    ConfigException refusal(ByteBuffer b) throws IOException {
        boolean retryable = b.get() != 0;
        String reason = new DataInputStream(new ByteArrayInputStream(b.array(), b.position(), b.remaining())).readUTF();
        return new ConfigException("The relay server " + options.address() + " refused this reader: " + reason + ".", null,
                retryable);
    }

    private static SSLSocketFactory sslSockets(Path trustCert) {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            if (trustCert == null) {
                ctx.init(null, null, null);
            } else {
                KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
                ks.load(null, null);
                try (InputStream in = Files.newInputStream(trustCert)) {
                    int i = 0;
                    for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                        ks.setCertificateEntry("relay-" + i++, c);
                    }
                    if (i == 0) throw new IOException("no certificate in the file");
                }
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(ks);
                ctx.init(null, tmf.getTrustManagers(), null);
            }
            return ctx.getSocketFactory();
        } catch (Exception e) {
            throw new ConfigException("source.tls.trust: cannot read a PEM certificate from " + trustCert + ": " + e.getMessage()
                    + ". Give the relay server's certificate file (the --tls-cert it runs with).", e);
        }
    }
}
