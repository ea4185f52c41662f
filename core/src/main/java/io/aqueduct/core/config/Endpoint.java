package io.aqueduct.core.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Where a source or target is and how to reach it: a database server with a login, or a relay log directory. Keys that
 * only some types use are null or 0 when absent.
 *
 * @param serverId  the replica id a MySQL source registers with (0 when not a MySQL source)
 * @param database  the PostgreSQL database of a postgres target
 * @param start     where a source starts when no position is stored (null for targets)
 * @param path      the relay log directory of a {@code log} target or a {@code relay} source, resolved against the job
 *                  file's folder (null for database endpoints)
 * @param log       how a {@code log} target writes (null for every other type)
 * @param tls       how a {@code relay} source reading a relay server uses TLS (null: plain TCP, and every other type)
 */
public record Endpoint(
        String type,
        String host,
        int port,
        String user,
        String password,
        String database,
        long serverId,
        StartPosition start,
        Path path,
        LogOptions log,
        Tls tls) {
    /** Without the password, which must not reach logs. */
    @Override
    public String toString() {
        return "Endpoint[type=" + type + ", address=" + address() + ", user=" + user
                + (password == null || password.isEmpty() ? "" : ", password=***") + "]";
    }

    /** A database endpoint (MySQL, PostgreSQL). */
    public Endpoint(String type, String host, int port, String user, String password, String database, long serverId,
                    StartPosition start) {
        this(type, host, port, user, password, database, serverId, start, null, null, null);
    }

    /** A {@code log} target: the relay log written into {@code path}. */
    public static Endpoint logTarget(Path path, LogOptions options) {
        return new Endpoint("log", null, 0, null, null, null, 0, null, path, options, null);
    }

    /** A {@code relay} source: the relay log read from {@code path}, from its beginning. */
    public static Endpoint relaySource(Path path) {
        return new Endpoint("relay", null, 0, null, null, null, 0, new StartPosition.Earliest(), path, null, null);
    }

    /** A {@code relay} source: the relay log served by a relay server, from its beginning. */
    public static Endpoint relayServer(String host, int port, String user, String password, Tls tls) {
        return new Endpoint("relay", host, port, user, password, null, 0, new StartPosition.Earliest(), null, null, tls);
    }

    /**
     * TLS to a relay server.
     *
     * @param trust a PEM certificate to trust (a self-signed server's own), or null for the JVM's trusted authorities
     */
    public record Tls(Path trust) {}

    /**
     * A relay server a capture job runs next to the log it writes, like {@code aqueduct log serve}.
     *
     * @param tlsCert PEM certificate, or null for plain TCP
     * @param tlsKey  its PEM (PKCS#8) private key
     */
    public record Serve(String host, int port, String user, String password, Path tlsCert, Path tlsKey) {
        /** Without the password, which must not reach logs. */
        @Override
        public String toString() {
            return "Serve[" + host + ":" + port + ", user=" + user + ", password=***" + (tlsCert != null ? ", tls" : "") + "]";
        }
}

    /**
     * How long a relay log keeps transactions that every registered reader has acknowledged.
     *
     * @param maxAge   segments whose newest transaction is older are deleted (null: no age limit)
     * @param maxBytes the oldest segments are deleted while the log is bigger (0: no size limit)
     */
    public record Retention(Duration maxAge, long maxBytes) {
        public static final Retention KEEP_ALL = new Retention(null, 0);

        public boolean keepsAll() {
            return maxAge == null && maxBytes == 0;
        }
    }

    /** host:port for messages, or the path of a relay log. */
    public String address() {
        return path != null ? path.toString() : host + ":" + port;
    }

    /** Whether this endpoint is a relay log directory rather than a database server. */
    public boolean isLog() {
        return path != null;
    }

    /**
     * How a capture job writes its relay log.
     *
     * @param codec        payload compression of new segments: {@code lz4}, {@code zstd} or {@code none}
     * @param segmentBytes a new segment file is started at the first transaction boundary past this size
     * @param blockBytes   consecutive small transactions are compressed together in records of up to this many raw
     *                     bytes; 0 gives each transaction its own record
     * @param fsync        {@code batch} (one fsync per applied batch, with group commit) or {@code every-record}
     *                     (an fsync after every transaction as well)
     * @param retention    what the log deletes once every registered reader has it
     * @param serve        a relay server to run next to the writer, or null
     */
    public record LogOptions(String codec, long segmentBytes, int blockBytes, String fsync, Retention retention, Serve serve) {
        public static final List<String> CODECS = List.of("lz4", "zstd", "none");
        public static final List<String> FSYNC_POLICIES = List.of("batch", "every-record");
        /** The log module's smallest segment: room for a header and some records. */
        public static final long MIN_SEGMENT_BYTES = 1024;
        /** Largest block: a reader decompresses a whole block to read any of its transactions. */
        public static final int MAX_BLOCK_BYTES = 16 << 20;
        public static final LogOptions DEFAULTS = new LogOptions("lz4", 128L << 20, 64 << 10, "batch", Retention.KEEP_ALL, null);

        public LogOptions {
            if (!CODECS.contains(codec)) throw new IllegalArgumentException("codec must be one of " + CODECS + ": " + codec);
            if (!FSYNC_POLICIES.contains(fsync)) {
                throw new IllegalArgumentException("fsync must be one of " + FSYNC_POLICIES + ": " + fsync);
            }
            if (segmentBytes < MIN_SEGMENT_BYTES) {
                throw new IllegalArgumentException("segmentBytes must be at least " + MIN_SEGMENT_BYTES + ": " + segmentBytes);
            }
            if (blockBytes < 0 || blockBytes > MAX_BLOCK_BYTES) {
                throw new IllegalArgumentException("blockBytes must be between 0 and " + MAX_BLOCK_BYTES + ": " + blockBytes);
            }
        }
    }
}
