package io.aqueduct.log;

import io.aqueduct.core.model.Change;
import io.aqueduct.core.model.Column;
import io.aqueduct.core.model.Ddl;
import io.aqueduct.core.model.RowChange;
import io.aqueduct.core.model.TableId;
import io.aqueduct.core.model.TableSchema;
import io.aqueduct.core.model.Transaction;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The compact binary form of one {@link Transaction} or fragment, the payload of a log record. {@code decode(encode(t))}
 * gives back every field of {@code t} exactly: value types, BigDecimal scales, float and double bits (NaN payloads and
 * -0.0 included), nanoseconds, empty strings apart from null. The position comes back as a {@link LoggedPosition}
 * holding the original's JSON.
 *
 * <p>Layout (varint = unsigned LEB128, zigzag = signed varint, string = nullable string, see {@link BinaryWriter}):
 * zigzag seq, zigzag fragment, byte last, zigzag commitTime, string id, string origin, string position JSON,
 * varint change count, then the changes. A change starts with a kind byte (0 insert, 1 update, 2 delete, 3 DDL). Row
 * changes carry a schema reference and their rows (before, after, as the kind has them), each row as a varint length
 * and tagged values. A schema reference is a varint index into the schema dictionary; the index one past the
 * dictionary's end introduces a new schema, written in full right there behind its varint byte length. The dictionary
 * starts empty with each record: so every distinct schema appears once per record, however many rows and transactions
 * use it, and a transaction in a block can refer to a schema an earlier transaction of the block defined. Such a
 * transaction is decoded after the ones before it in its record ({@code continueDictionary}); on its own, each
 * transaction is encoded and decoded with a dictionary of its own.
 *
 * <p>Both directions cache schemas: the encoder keeps each schema instance's bytes, the decoder the schema decoded
 * from given bytes, so that a record of a few rows does not pay for its schema's columns each time, and equal schemas
 * decode to one instance.
 *
 * <p>Not thread-safe: it reuses its buffers. Use one per thread.
 */
public final class TransactionCodec {
    static final int KIND_INSERT = 0;
    static final int KIND_UPDATE = 1;
    static final int KIND_DELETE = 2;
    static final int KIND_DDL = 3;

    static final int TAG_NULL = 0;
    static final int TAG_LONG = 1;
    static final int TAG_STRING = 2;
    static final int TAG_BYTES = 3;
    static final int TAG_DECIMAL = 4;
    static final int TAG_DECIMAL_BIG = 5;
    static final int TAG_BIG_INTEGER = 6;
    static final int TAG_FLOAT = 7;
    static final int TAG_DOUBLE = 8;
    static final int TAG_DATE = 9;
    static final int TAG_DATETIME = 10;
    static final int TAG_TIMESTAMP = 11;
    static final int TAG_TIME = 12;

    private static final int DDL_HAS_TABLE = 1;
    private static final int DDL_HAS_NEW_TABLE = 2;
    private static final int COLUMN_NULLABLE = 1;
    private static final int COLUMN_UNSIGNED = 2;
    private static final TableSchema.KeyKind[] KEY_KINDS = TableSchema.KeyKind.values();
    /** Bound of both schema caches, so that a log with endless schema changes cannot grow them forever. */
    private static final int MAX_CACHED_SCHEMAS = 4096;

    /** Decodes no table's rows: for passing over a transaction while keeping the schemas it defines. */
    static final Predicate<TableSchema> NO_ROWS = s -> false;

    private final BinaryWriter out = new BinaryWriter(8192);
    private final BinaryReader in = new BinaryReader();
    private final Map<TableSchema, Integer> written = new IdentityHashMap<>();
    private final List<TableSchema> dictionary = new ArrayList<>();
    private final BinaryWriter schemaOut = new BinaryWriter(1024);
    private final Map<TableSchema, byte[]> encodedSchemas = new IdentityHashMap<>();
    /** Keyed by the encoded bytes: equal schemas encode alike. */
    private final Map<ByteBuffer, TableSchema> decodedSchemas = new HashMap<>();
    /** The schemas decoded or found last, with their encodings, checked before {@link #decodedSchemas}. */
    private static final int RECENT = 4;
    private final byte[][] recentBytes = new byte[RECENT][];
    private final TableSchema[] recentSchemas = new TableSchema[RECENT];
    private int recentNext;

    /** Encodes into a new array. */
    public byte[] encode(Transaction t) {
        BinaryWriter w = encodeToBuffer(t, t.seq(), false);
        return Arrays.copyOf(w.array(), w.length());
    }

    /**
     * Encodes into this codec's own buffer, valid until the next call, with {@code seqno} in place of the transaction's
     * own {@link Transaction#seq()}. With {@code continueDictionary}, the schema dictionary of the transactions encoded
     * since the last one without it goes on, so that the schemas they defined are referred to rather than written
     * again: for the transactions of one block, in order.
     *
     * @throws IllegalArgumentException when a row holds a value of a type outside {@link io.aqueduct.core.model.Values}
     */
    BinaryWriter encodeToBuffer(Transaction t, long seqno, boolean continueDictionary) {
        out.reset();
        if (!continueDictionary) {
            written.clear();
            dictionary.clear();
        }
        out.writeZigZag(seqno);
        out.writeZigZag(t.fragment());
        out.writeByte(t.last() ? 1 : 0);
        out.writeZigZag(t.commitTime());
        out.writeString(t.id());
        out.writeString(t.origin());
        out.writeString(t.position() == null ? null : t.position().toJson());
        List<Change> changes = t.changes();
        out.writeVarLong(changes.size());
        TableSchema lastSchema = null;
        int lastRef = -1;
        for (Change c : changes) {
            if (c instanceof RowChange rc) {
                out.writeByte(switch (rc.op()) {
                    case INSERT -> KIND_INSERT;
                    case UPDATE -> KIND_UPDATE;
                    case DELETE -> KIND_DELETE;
                });
                // consecutive rows of one table are the common case: skip the map lookup for them
                if (rc.schema() == lastSchema) out.writeVarLong(lastRef);
                else lastRef = writeSchemaRef(lastSchema = rc.schema());
                if (rc.before() != null) writeRow(rc.before(), rc.schema());
                if (rc.after() != null) writeRow(rc.after(), rc.schema());
            } else {
                Ddl d = (Ddl) c;
                out.writeByte(KIND_DDL);
                out.writeString(d.schema());
                out.writeString(d.sql());
                out.writeByte((d.table() != null ? DDL_HAS_TABLE : 0) | (d.newTable() != null ? DDL_HAS_NEW_TABLE : 0));
                if (d.table() != null) writeTableId(out, d.table());
                if (d.newTable() != null) writeSchemaRef(d.newTable());
            }
        }
        return out;
    }

    /** Decodes a whole array. */
    public Transaction decode(byte[] bytes) {
        return decode(bytes, 0, bytes.length);
    }

    /**
     * Decodes {@code bytes[offset, offset+length)}, which must hold exactly one encoded transaction.
     *
     * @throws IllegalArgumentException when the bytes are not a valid encoding (unknown tag, truncated, trailing bytes)
     */
    public Transaction decode(byte[] bytes, int offset, int length) {
        return decode(bytes, offset, length, null);
    }

    /**
     * Like {@link #decode(byte[], int, int)}, but leaves out the row changes of tables {@code rowsOf} does not accept,
     * moving past their values without building them: a reader that selects a few of the log's tables pays little for
     * the others. DDL is always decoded. Null accepts every table.
     */
    public Transaction decode(byte[] bytes, int offset, int length, Predicate<TableSchema> rowsOf) {
        return decode(bytes, offset, length, rowsOf, false);
    }

    /**
     * Like {@link #decode(byte[], int, int, Predicate)}; with {@code continueDictionary}, the schema dictionary of the
     * transactions decoded since the last one without it goes on: for the transactions of one record, each decoded (or
     * at least decoded with {@link #NO_ROWS}) after the ones before it.
     */
    Transaction decode(byte[] bytes, int offset, int length, Predicate<TableSchema> rowsOf, boolean continueDictionary) {
        BinaryReader r = in;
        r.reset(bytes, offset, length);
        if (!continueDictionary) dictionary.clear();
        long seq = r.readZigZag();
        int fragment = r.readZigZagInt();
        boolean last = readBoolean(r);
        long commitTime = r.readZigZag();
        String id = r.readString();
        String origin = r.readString();
        String positionJson = r.readString();
        int count = r.readCount();
        List<Change> changes = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int kind = r.readByte();
            switch (kind) {
                case KIND_INSERT, KIND_UPDATE, KIND_DELETE -> {
                    TableSchema s = readSchemaRef(r);
                    int rows = kind == KIND_UPDATE ? 2 : 1;
                    if (rowsOf != null && !rowsOf.test(s)) {
                        for (int k = 0; k < rows; k++) skipRow(r);
                    } else if (kind == KIND_INSERT) {
                        changes.add(new RowChange(s, RowChange.Op.INSERT, null, readRow(r)));
                    } else if (kind == KIND_UPDATE) {
                        Object[] before = readRow(r);
                        changes.add(new RowChange(s, RowChange.Op.UPDATE, before, readRow(r)));
                    } else {
                        changes.add(new RowChange(s, RowChange.Op.DELETE, readRow(r), null));
                    }
                }
                case KIND_DDL -> changes.add(readDdl(r));
                default -> throw r.malformedAt(r.offset() - 1, "unknown change kind " + kind);
            }
        }
        if (!r.atEnd()) throw r.malformed("trailing bytes after the last change");
        return new Transaction(seq, id, origin, commitTime, positionJson == null ? null : new LoggedPosition(positionJson),
                changes, fragment, last);
    }

    /**
     * Decodes only what comes before the changes, and their count: enough to tell transactions apart without paying
     * for their rows.
     *
     * @throws IllegalArgumentException when those bytes are not a valid encoding
     */
    RecordHead decodeHead(byte[] bytes, int offset, int length) {
        BinaryReader r = in;
        r.reset(bytes, offset, length);
        long seq = r.readZigZag();
        int fragment = r.readZigZagInt();
        boolean last = readBoolean(r);
        long commitTime = r.readZigZag();
        String id = r.readString();
        String origin = r.readString();
        String positionJson = r.readString();
        int count = r.readCount();
        return new RecordHead(seq, fragment, last, commitTime, id, origin, positionJson, count);
    }

    private int writeSchemaRef(TableSchema s) {
        Integer ref = written.get(s);
        if (ref == null) {
            // an equal schema held by another instance still goes into the dictionary only once
            for (int i = 0; i < dictionary.size() && ref == null; i++) if (dictionary.get(i).equals(s)) ref = i;
            if (ref != null) written.put(s, ref);
        }
        if (ref != null) {
            out.writeVarLong(ref);
            return ref;
        }
        int index = dictionary.size();
        dictionary.add(s);
        written.put(s, index);
        out.writeVarLong(index);
        out.writeBytes(encodedSchema(s));
        return index;
    }

    private byte[] encodedSchema(TableSchema s) {
        byte[] bytes = encodedSchemas.get(s);
        if (bytes == null) {
            schemaOut.reset();
            writeSchema(schemaOut, s);
            bytes = Arrays.copyOf(schemaOut.array(), schemaOut.length());
            if (encodedSchemas.size() >= MAX_CACHED_SCHEMAS) encodedSchemas.clear();
            encodedSchemas.put(s, bytes);
        }
        return bytes;
    }

    private static void writeSchema(BinaryWriter out, TableSchema s) {
        writeTableId(out, s.id());
        out.writeVarLong(s.columns().size());
        for (Column c : s.columns()) {
            out.writeString(c.name());
            out.writeZigZag(c.jdbcType());
            out.writeString(c.typeName());
            out.writeByte((c.nullable() ? COLUMN_NULLABLE : 0) | (c.unsigned() ? COLUMN_UNSIGNED : 0));
            out.writeZigZag(c.length());
            out.writeZigZag(c.scale());
            out.writeString(c.charset());
            out.writeVarLong(c.elements().size());
            for (String e : c.elements()) out.writeString(e);
        }
        out.writeVarLong(s.keyColumns().size());
        for (String k : s.keyColumns()) out.writeString(k);
        out.writeByte(s.keyKind().ordinal());
    }

    private static void writeTableId(BinaryWriter out, TableId id) {
        out.writeString(id.schema());
        out.writeString(id.table());
    }

    private void writeRow(Object[] row, TableSchema schema) {
        BinaryWriter w = out;
        w.writeVarLong(row.length);
        for (int i = 0; i < row.length; i++) {
            Object v = row[i];
            if (v == null) {
                w.writeByte(TAG_NULL);
            } else if (v instanceof Long l) {
                w.writeByte(TAG_LONG);
                w.writeZigZag(l);
            } else if (v instanceof String s) {
                w.writeByte(TAG_STRING);
                w.writeString(s);
            } else if (v instanceof byte[] b) {
                w.writeByte(TAG_BYTES);
                w.writeBytes(b);
            } else if (v instanceof BigDecimal d) {
                BigInteger unscaled = d.unscaledValue();
                if (unscaled.bitLength() < 64) {
                    w.writeByte(TAG_DECIMAL);
                    w.writeZigZag(d.scale());
                    w.writeZigZag(unscaled.longValue());
                } else {
                    w.writeByte(TAG_DECIMAL_BIG);
                    w.writeZigZag(d.scale());
                    w.writeBytes(unscaled.toByteArray());
                }
            } else if (v instanceof LocalDateTime t) {
                w.writeByte(TAG_DATETIME);
                w.writeZigZag(t.toEpochSecond(ZoneOffset.UTC));
                w.writeVarLong(t.getNano());
            } else if (v instanceof Instant t) {
                w.writeByte(TAG_TIMESTAMP);
                w.writeZigZag(t.getEpochSecond());
                w.writeVarLong(t.getNano());
            } else if (v instanceof LocalDate d) {
                w.writeByte(TAG_DATE);
                w.writeZigZag(d.toEpochDay());
            } else if (v instanceof Double d) {
                w.writeByte(TAG_DOUBLE);
                w.writeLong(Double.doubleToRawLongBits(d));
            } else if (v instanceof Float f) {
                w.writeByte(TAG_FLOAT);
                w.writeInt(Float.floatToRawIntBits(f));
            } else if (v instanceof BigInteger b) {
                w.writeByte(TAG_BIG_INTEGER);
                w.writeBytes(b.toByteArray());
            } else if (v instanceof Duration d) {
                w.writeByte(TAG_TIME);
                w.writeZigZag(d.getSeconds());
                w.writeVarLong(d.getNano());
            } else {
                String column = i < schema.columns().size() ? schema.columns().get(i).name() : "#" + i;
                throw new IllegalArgumentException("cannot log a " + v.getClass().getName() + " value in " + schema.id()
                        + "." + column + ": row values must be of the types listed in io.aqueduct.core.model.Values");
            }
        }
    }

    private TableSchema readSchemaRef(BinaryReader r) {
        long ref = r.readVarLong();
        if (ref >= 0 && ref < dictionary.size()) return dictionary.get((int) ref);
        if (ref != dictionary.size()) {
            throw r.malformed("schema reference " + ref + " but only " + dictionary.size() + " schemas defined");
        }
        int length = r.readCount();
        int end = r.offset() + length;
        // one instance per shape across records, which is also how downstream code tells shape changes apart; the
        // shape of the record before is compared first, since consecutive records mostly change the same tables
        TableSchema s = null;
        for (int i = 0; i < RECENT && s == null; i++) {
            if (recentBytes[i] != null && recentBytes[i].length == length && r.startsWith(recentBytes[i])) s = recentSchemas[i];
        }
        if (s != null) {
            r.skip(length);
            return remember(s);
        }
        ByteBuffer key = ByteBuffer.wrap(r.copy(length));
        s = decodedSchemas.get(key);
        if (s != null) {
            r.skip(length);
        } else {
            s = readSchema(r);
            if (r.offset() != end) throw r.malformed("schema ends " + (r.offset() - end) + " bytes off its length");
            if (decodedSchemas.size() >= MAX_CACHED_SCHEMAS) decodedSchemas.clear();
            decodedSchemas.put(key, s);
        }
        recentBytes[recentNext] = key.array();
        recentSchemas[recentNext] = s;
        recentNext = (recentNext + 1) % RECENT;
        return remember(s);
    }

    private TableSchema remember(TableSchema s) {
        dictionary.add(s);
        return s;
    }

    private TableSchema readSchema(BinaryReader r) {
        TableId id = readTableId(r);
        int columnCount = r.readCount();
        List<Column> columns = new ArrayList<>(columnCount);
        for (int i = 0; i < columnCount; i++) {
            String name = r.readString();
            int jdbcType = r.readZigZagInt();
            String typeName = r.readString();
            int flags = r.readByte();
            int length = r.readZigZagInt();
            int scale = r.readZigZagInt();
            String charset = r.readString();
            int elementCount = r.readCount();
            List<String> elements = new ArrayList<>(elementCount);
            for (int e = 0; e < elementCount; e++) elements.add(r.readString());
            columns.add(new Column(name, jdbcType, typeName, (flags & COLUMN_NULLABLE) != 0,
                    (flags & COLUMN_UNSIGNED) != 0, length, scale, charset, elements));
        }
        int keyCount = r.readCount();
        List<String> keys = new ArrayList<>(keyCount);
        for (int i = 0; i < keyCount; i++) keys.add(r.readString());
        int kind = r.readByte();
        if (kind >= KEY_KINDS.length) throw r.malformedAt(r.offset() - 1, "unknown key kind " + kind);
        return new TableSchema(id, columns, keys, KEY_KINDS[kind]);
    }

    private static TableId readTableId(BinaryReader r) {
        return new TableId(r.readString(), r.readString());
    }

    private Ddl readDdl(BinaryReader r) {
        String schema = r.readString();
        String sql = r.readString();
        int flags = r.readByte();
        if ((flags & ~(DDL_HAS_TABLE | DDL_HAS_NEW_TABLE)) != 0) throw r.malformedAt(r.offset() - 1, "unknown DDL flags " + flags);
        TableId table = (flags & DDL_HAS_TABLE) != 0 ? readTableId(r) : null;
        TableSchema newTable = (flags & DDL_HAS_NEW_TABLE) != 0 ? readSchemaRef(r) : null;
        return new Ddl(schema, sql, table, newTable);
    }

    private static Object[] readRow(BinaryReader r) {
        int n = r.readCount();
        Object[] row = new Object[n];
        for (int i = 0; i < n; i++) {
            int tag = r.readByte();
            row[i] = switch (tag) {
                case TAG_NULL -> null;
                case TAG_LONG -> r.readZigZag();
                case TAG_STRING -> r.readString();
                case TAG_BYTES -> r.readBytes();
                case TAG_DECIMAL -> {
                    int scale = r.readZigZagInt();
                    yield BigDecimal.valueOf(r.readZigZag(), scale);
                }
                case TAG_DECIMAL_BIG -> {
                    int scale = r.readZigZagInt();
                    yield new BigDecimal(bigInteger(r), scale);
                }
                case TAG_BIG_INTEGER -> bigInteger(r);
                case TAG_FLOAT -> Float.intBitsToFloat(r.readInt());
                case TAG_DOUBLE -> Double.longBitsToDouble(r.readLong());
                case TAG_DATE -> LocalDate.ofEpochDay(r.readZigZag());
                case TAG_DATETIME -> {
                    long seconds = r.readZigZag();
                    yield LocalDateTime.ofEpochSecond(seconds, nanos(r), ZoneOffset.UTC);
                }
                case TAG_TIMESTAMP -> {
                    long seconds = r.readZigZag();
                    yield Instant.ofEpochSecond(seconds, nanos(r));
                }
                case TAG_TIME -> {
                    long seconds = r.readZigZag();
                    yield Duration.ofSeconds(seconds, nanos(r));
                }
                default -> throw r.malformedAt(r.offset() - 1, "unknown value type tag " + tag);
            };
        }
        return row;
    }

    /** Moves past a row as {@link #readRow} reads it, checking tags and lengths but building no values. */
    private static void skipRow(BinaryReader r) {
        int n = r.readCount();
        for (int i = 0; i < n; i++) {
            int tag = r.readByte();
            switch (tag) {
                case TAG_NULL -> { }
                case TAG_LONG, TAG_DATE -> r.readVarLong();
                case TAG_STRING -> r.skipString();
                case TAG_BYTES, TAG_BIG_INTEGER -> r.skipBytes();
                case TAG_DECIMAL -> {
                    r.readZigZagInt();
                    r.readVarLong();
                }
                case TAG_DECIMAL_BIG -> {
                    r.readZigZagInt();
                    r.skipBytes();
                }
                case TAG_FLOAT -> r.skip(4);
                case TAG_DOUBLE -> r.skip(8);
                case TAG_DATETIME, TAG_TIMESTAMP, TAG_TIME -> {
                    r.readVarLong();
                    nanos(r);
                }
                default -> throw r.malformedAt(r.offset() - 1, "unknown value type tag " + tag);
            }
        }
    }

    private static BigInteger bigInteger(BinaryReader r) {
        byte[] b = r.readBytes();
        if (b.length == 0) throw r.malformed("empty integer");
        return new BigInteger(b);
    }

    private static int nanos(BinaryReader r) {
        long n = r.readVarLong();
        if (n > 999_999_999) throw r.malformed("nanosecond field " + n);
        return (int) n;
    }

    private static boolean readBoolean(BinaryReader r) {
        int b = r.readByte();
        if (b > 1) throw r.malformedAt(r.offset() - 1, "flag byte " + b);
        return b == 1;
    }
}
