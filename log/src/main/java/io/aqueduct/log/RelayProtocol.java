package io.aqueduct.log;

/**
 * The relay server's wire protocol over TCP (optionally TLS). Every message is a frame: length (4 bytes, big-endian,
 * counting what follows), type (1), body. Strings are {@link java.io.DataOutput#writeUTF} strings.
 *
 * <pre>
 * reader → server  HELLO     magic "AQRP" (4), version (2), reader name, user, password,
 *                            next seqno (8; {@link #PROBE} only asks for the log's bounds), epoch of the seqno before it (8; -1 unknown),
 *                            the reader's tables.include and tables.exclude patterns (each: count (2), strings),
 *                            mirror (1): 1 for a {@link RelayMirror}, which copies the log record by record
 *                  ACK       seqno (8): the reader has committed everything up to it
 * server → reader  WELCOME   epoch of the log's newest record (8; -1 none), first seqno (8), next seqno to be written (8)
 *                  REFUSED   retryable (1), reason
 *                  RECORDS   one or more of: codec id (1), a record exactly as stored in its segment ({@link RecordFormat});
 *                            then the CRC32C (4) of all of them, which covers the codec ids (outside the records' own CRCs)
 *                  HEARTBEAT next seqno to be written (8), server time in epoch millis (8)
 *                  SELECTIONS to a mirror only: the whole content of the log's {@link LogSelections} file, sent before
 *                            the first RECORDS and again, before any further RECORDS, whenever it changed
 *                  ERROR     retryable (1), message; the server closes the connection after it (also when the
 *                            capture job's selection changed so that the reader would get partial tables)
 * </pre>
 *
 * A reader sends HELLO, then the server answers WELCOME and streams RECORDS from the seqno asked for, whole
 * transactions only, with a HEARTBEAT when it has had nothing to send for a heartbeat interval; or it answers REFUSED
 * and closes. The reader answers each HEARTBEAT with an ACK, so either side finds a dead peer by its silence. A mirror
 * takes every table, and is never stopped for its selection: it gets the selection history instead and keeps it with
 * its copy, whose readers are checked against it.
 */
final class RelayProtocol {
    static final int MAGIC = 0x41515250;
    static final int VERSION = 4;
    static final long PROBE = Long.MIN_VALUE;

    static final byte HELLO = 1;
    static final byte WELCOME = 2;
    static final byte REFUSED = 3;
    static final byte RECORDS = 4;
    static final byte HEARTBEAT = 5;
    static final byte ACK = 6;
    static final byte ERROR = 7;
    static final byte SELECTIONS = 8;

    /** Largest frame a reader sends (a HELLO with long names). */
    static final int MAX_READER_FRAME = 64 * 1024;
    /** RECORDS frames are cut after about this many bytes; a bigger record travels alone. */
    static final int BATCH_BYTES = 1024 * 1024;

    private RelayProtocol() {}
}
