package io.aqueduct.log;

import static io.aqueduct.log.SameTransaction.assertSame;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aqueduct.core.model.Change;
import io.aqueduct.core.model.Column;
import io.aqueduct.core.model.Ddl;
import io.aqueduct.core.model.RowChange;
import io.aqueduct.core.model.TableId;
import io.aqueduct.core.model.TableSchema;
import io.aqueduct.core.model.Transaction;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class TransactionCodecTest {
    private static final TableSchema ANY = new TableSchema(new TableId("db", "values"),
            List.of(Samples.column("v", Types.OTHER, "any", true, false)), List.of(), TableSchema.KeyKind.NONE);

    private final TransactionCodec codec = new TransactionCodec();

    private static Transaction tx(List<Change> changes) {
        return new Transaction(42, "0-1-42", "1", Samples.START_MILLIS, new Samples.BinlogPosition("mysql-bin.000003", 1234),
                changes, 0, true);
    }

    private static Transaction oneValueEach(Object... values) {
        List<Change> changes = new ArrayList<>();
        for (Object v : values) changes.add(new RowChange(ANY, RowChange.Op.INSERT, null, new Object[] {v}));
        return tx(changes);
    }

    private Transaction roundTrip(Transaction t) {
        Transaction back = codec.decode(codec.encode(t));
        assertSame(back, t);
        return back;
    }

    @Test
    void integersAndDecimalsKeepTypeAndScale() {
        Transaction back = roundTrip(oneValueEach(
                0L, -1L, Long.MIN_VALUE, Long.MAX_VALUE,
                new BigInteger("18446744073709551615"), BigInteger.ZERO, BigInteger.TWO.pow(300).negate(),
                new BigDecimal("1.50"), new BigDecimal("1.5"), new BigDecimal("-0.000"), new BigDecimal("1E+5"),
                new BigDecimal("12345678901234567890123456789012345.123456789012345678901234567890"),
                new BigDecimal(BigInteger.valueOf(Long.MIN_VALUE), 3), new BigDecimal(BigInteger.valueOf(Long.MAX_VALUE).add(BigInteger.ONE), 0)));
        BigDecimal oneFifty = (BigDecimal) ((RowChange) back.changes().get(7)).after()[0];
        assertThat(oneFifty.scale()).isEqualTo(2);
        assertThat(((RowChange) back.changes().get(10)).after()[0]).hasToString("1E+5");
    }

    @Test
    void floatsAndDoublesKeepTheirBits() {
        float quietNanWithPayload = Float.intBitsToFloat(0x7fc00123);
        double doubleNanWithPayload = Double.longBitsToDouble(0x7ff8000000000abcL);
        Transaction back = roundTrip(oneValueEach(
                Float.NaN, -0.0f, 0.0f, Float.MIN_VALUE, Float.MAX_VALUE, Float.NEGATIVE_INFINITY, quietNanWithPayload,
                Double.NaN, -0.0, Double.MIN_VALUE, Double.POSITIVE_INFINITY, doubleNanWithPayload, 0.1));
        Object negativeZero = ((RowChange) back.changes().get(1)).after()[0];
        assertThat(negativeZero).isInstanceOf(Float.class);
        assertThat(Float.floatToRawIntBits((Float) negativeZero)).isEqualTo(0x80000000);
        assertThat(Double.doubleToRawLongBits((Double) ((RowChange) back.changes().get(11)).after()[0])).isEqualTo(0x7ff8000000000abcL);
    }

    @Test
    void temporalValuesKeepNanosSignAndRange() {
        roundTrip(oneValueEach(
                LocalDate.of(2024, 2, 29), LocalDate.MIN, LocalDate.MAX, LocalDate.EPOCH,
                LocalDateTime.of(2024, 2, 29, 23, 59, 59, 123_456_789), LocalDateTime.MIN, LocalDateTime.MAX,
                LocalDateTime.of(1969, 12, 31, 23, 59, 59, 999_999_999),
                Instant.ofEpochSecond(1_700_000_000L, 999_999_999), Instant.ofEpochSecond(-1, 1), Instant.MIN, Instant.MAX,
                Duration.ofHours(-838).minusMinutes(59).minusSeconds(59), Duration.ofHours(838).plusMinutes(59).plusSeconds(59),
                Duration.ofHours(25), Duration.ofNanos(-1), Duration.ofSeconds(-1, 500_000_000), Duration.ZERO,
                "0000-00-00", "2024-00-00 00:00:00"));
    }

    @Test
    void stringsAndBytesKeepEmptyApartFromNull() {
        Transaction back = roundTrip(oneValueEach(
                "", null, "plain ascii", "Zoë Łukasz 日本語 😀", "\u0000nul inside", "lone \uD800 high", "lone \uDC00 low",
                "\uDC00\uD800 reversed pair", new byte[0], new byte[] {0, -1, 127, -128}, "x".repeat(100_000)));
        assertThat(((RowChange) back.changes().get(0)).after()[0]).isEqualTo("");
        assertThat(((RowChange) back.changes().get(1)).after()[0]).isNull();
        assertThat(((RowChange) back.changes().get(8)).after()[0]).isEqualTo(new byte[0]);
    }

    @Test
    void rowChangesOfEveryKindAndWidth() {
        TableSchema orders = Samples.ORDERS;
        Object[] row = {1L, "alice", new BigDecimal("9.99"), 1.5, 2.5f, LocalDateTime.of(2024, 1, 1, 0, 0), null, null, null,
            null, null, "note"};
        roundTrip(tx(List.of(
                new RowChange(orders, RowChange.Op.INSERT, null, row),
                new RowChange(orders, RowChange.Op.UPDATE, row, row.clone()),
                new RowChange(orders, RowChange.Op.DELETE, row, null),
                new RowChange(Samples.CUSTOMERS, RowChange.Op.INSERT, null, new Object[] {"a@example.com", null, "new"}),
                new RowChange(ANY, RowChange.Op.INSERT, null, new Object[0]))));
    }

    @Test
    void ddlWithAndWithoutTables() {
        roundTrip(tx(List.of(
                new Ddl("shop", "CREATE DATABASE x", null, null),
                new Ddl("", "ALTER TABLE shop.orders ADD COLUMN y int", Samples.ORDERS.id(), null),
                new Ddl("shop", "CREATE TABLE customers (...)", Samples.CUSTOMERS.id(), Samples.CUSTOMERS),
                new Ddl("shop", "ALTER TABLE orders DROP COLUMN y", null, Samples.ORDERS),
                new Ddl(null, "", null, null))));
    }

    @Test
    void transactionFieldsIncludingNullsAndFragments() {
        roundTrip(new Transaction(0, null, null, Long.MIN_VALUE, null, List.of(), 0, true));
        roundTrip(new Transaction(Long.MAX_VALUE, "", "", Long.MAX_VALUE, null, List.of(), 7, false));
        Transaction back = roundTrip(new Transaction(5, "gtid", "node-a", -1, new Samples.BinlogPosition("f", 9), List.of(), 3, true));
        assertThat(back.position()).isEqualTo(new LoggedPosition("{\"file\":\"f\",\"pos\":9}"));
        assertThat(back.isWhole()).isFalse();
    }

    @Test
    void eachSchemaIsWrittenOncePerRecordAndSharedOnDecode() {
        TableSchema copy = new TableSchema(Samples.ORDERS.id(), Samples.ORDERS.columns(), Samples.ORDERS.keyColumns(),
                Samples.ORDERS.keyKind());
        List<Change> changes = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            Object[] row = new Object[Samples.ORDERS.columns().size()];
            row[0] = (long) i;
            changes.add(new RowChange(i % 2 == 0 ? Samples.ORDERS : copy, RowChange.Op.INSERT, null, row));
            changes.add(new RowChange(Samples.CUSTOMERS, RowChange.Op.DELETE, new Object[] {"c" + i, null, "gone"}, null));
        }
        changes.add(new Ddl("shop", "ALTER TABLE orders ...", Samples.ORDERS.id(), copy));
        Transaction t = tx(changes);
        byte[] encoded = codec.encode(t);

        assertThat(occurrences(encoded, "decimal(12,2)")).isEqualTo(1);
        assertThat(occurrences(encoded, "enum('new','active','gone')")).isEqualTo(1);
        Transaction back = codec.decode(encoded);
        assertSame(back, t);
        RowChange first = (RowChange) back.changes().get(0);
        RowChange third = (RowChange) back.changes().get(2);
        assertThat(third.schema()).isSameAs(first.schema());
        assertThat(((Ddl) back.changes().get(1000)).newTable()).isSameAs(first.schema());
        // a later record with the same shape gets the same instance, which is how the apply engine spots shape changes
        assertThat(((RowChange) codec.decode(encoded).changes().get(0)).schema()).isSameAs(first.schema());
    }

    @Test
    void transactionsOfOneBlockShareTheSchemasTheEarlierOnesDefined() {
        Transaction first = tx(List.of(new RowChange(Samples.ORDERS, RowChange.Op.DELETE, order(1), null)));
        Transaction second = tx(List.of(new RowChange(Samples.ORDERS, RowChange.Op.DELETE, order(2), null)));
        byte[] a = copy(codec.encodeToBuffer(first, first.seq(), false));
        byte[] alone = copy(codec.encodeToBuffer(second, second.seq(), false));
        byte[] b = copy(codec.encodeToBuffer(second, second.seq(), true));
        assertThat(occurrences(a, "decimal(12,2)")).isOne();
        assertThat(occurrences(b, "decimal(12,2)")).as("the schema is not written again").isZero();
        assertThat(b.length).isLessThan(alone.length / 2);

        // decoded in order, the second finds the schema the first defined; on its own it cannot be decoded
        assertSame(codec.decode(a, 0, a.length, null, false), first);
        Transaction back = codec.decode(b, 0, b.length, null, true);
        assertThat(back.changes()).hasSize(1);
        assertThat(((RowChange) back.changes().get(0)).schema()).isEqualTo(Samples.ORDERS);
        // (its reference 0 then reads as a new schema defined right there: the row's bytes are no schema)
        assertThatThrownBy(() -> codec.decode(b, 0, b.length, null, false)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at payload byte");
        // passing over the first with no rows decoded still keeps its schema for the second
        codec.decode(a, 0, a.length, TransactionCodec.NO_ROWS, false);
        assertThat(codec.decode(b, 0, b.length, null, true).changes()).hasSize(1);
    }

    private static Object[] order(long id) {
        Object[] row = new Object[Samples.ORDERS.columns().size()];
        row[0] = id;
        return row;
    }

    private static byte[] copy(BinaryWriter w) {
        return Arrays.copyOf(w.array(), w.length());
    }

    @Test
    void unknownValueTagIsReportedWithItsOffset() {
        byte[] encoded = codec.encode(oneValueEach((Object) null));
        // the payload ends with that row: its length (1), then the value's tag
        assertThat(encoded[encoded.length - 1]).isEqualTo((byte) TransactionCodec.TAG_NULL);
        encoded[encoded.length - 1] = 99;
        assertThatThrownBy(() -> codec.decode(encoded))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown value type tag 99 at payload byte " + (encoded.length - 1));
    }

    @Test
    void malformedPayloadsFailClearly() {
        byte[] encoded = codec.encode(tx(List.of(new RowChange(Samples.CUSTOMERS, RowChange.Op.INSERT, null,
                new Object[] {"a@example.com", "alice", "new"}))));
        assertThatThrownBy(() -> codec.decode(Arrays.copyOf(encoded, encoded.length - 3)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exceeds the");
        byte[] trailing = Arrays.copyOf(encoded, encoded.length + 1);
        assertThatThrownBy(() -> codec.decode(trailing))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("trailing bytes");
        assertThatThrownBy(() -> codec.decode(new byte[0]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("payload ends early");
    }

    @Test
    void valuesOfOtherTypesAreRefusedNamingTheColumn() {
        Transaction t = tx(List.of(new RowChange(Samples.CUSTOMERS, RowChange.Op.INSERT, null, new Object[] {"a", 7, "new"})));
        assertThatThrownBy(() -> codec.encode(t))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("java.lang.Integer")
                .hasMessageContaining("shop.customers.name");
    }

    @Test
    void columnAttributesSurvive() {
        TableSchema s = new TableSchema(new TableId("d", "t"), List.of(
                new Column("k", Types.BIGINT, "bigint unsigned", false, true, 20, 0, null, List.of()),
                new Column("s", Types.VARCHAR, "set('a','b')", true, false, -1, 6, "latin1", List.of("a", "b", ""))),
                List.of("k"), TableSchema.KeyKind.PRIMARY);
        roundTrip(tx(List.of(new RowChange(s, RowChange.Op.INSERT, null, new Object[] {BigInteger.ONE, "a,b"}))));
    }

    private static int occurrences(byte[] haystack, String needle) {
        byte[] n = needle.getBytes(StandardCharsets.UTF_8);
        int count = 0;
        for (int i = 0; i + n.length <= haystack.length; i++) {
            if (Arrays.equals(haystack, i, i + n.length, n, 0, n.length)) count++;
        }
        return count;
    }
}
