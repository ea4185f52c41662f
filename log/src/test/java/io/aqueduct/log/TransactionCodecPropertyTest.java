package io.aqueduct.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.aqueduct.core.model.Change;
import io.aqueduct.core.model.Column;
import io.aqueduct.core.model.Ddl;
import io.aqueduct.core.model.RowChange;
import io.aqueduct.core.model.TableId;
import io.aqueduct.core.model.TableSchema;
import io.aqueduct.core.model.Transaction;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/** Encoding and decoding are exact inverses, on random transactions over random schemas with every value type. */
class TransactionCodecPropertyTest {
    private static final BigInteger HUGE = BigInteger.TWO.pow(200);

    private final TransactionCodec codec = new TransactionCodec();

    // edge values (MIN/MAX, NaN, -0.0, empty strings) have their own examples in TransactionCodecTest; mixing jqwik's
    // edge cases into these nested generators makes the run about eight times slower
    @Property(tries = 2000, edgeCases = EdgeCasesMode.NONE)
    void decodeInvertsEncode(@ForAll("transactions") Transaction t) {
        byte[] encoded = codec.encode(t);
        Transaction back = codec.decode(encoded);
        assertThat(SameTransaction.differences(t, back)).isEmpty();
        // and the encoding is canonical: what comes back encodes to the same bytes
        assertThat(codec.encode(back)).isEqualTo(encoded);
    }

    /** Skipping the rows of some tables gives exactly the transaction without those row changes. */
    @Property(tries = 1000, edgeCases = EdgeCasesMode.NONE)
    void decodingWithATableFilterLeavesOutExactlyThoseRows(@ForAll("transactions") Transaction t, @ForAll long seed) {
        java.util.Random random = new java.util.Random(seed);
        java.util.Map<io.aqueduct.core.model.TableId, Boolean> keep = new java.util.HashMap<>();
        java.util.function.Predicate<io.aqueduct.core.model.TableSchema> rowsOf =
                s -> keep.computeIfAbsent(s.id(), id -> random.nextBoolean());
        byte[] encoded = codec.encode(t);
        Transaction filtered = codec.decode(encoded, 0, encoded.length, rowsOf);
        java.util.List<io.aqueduct.core.model.Change> expected = t.changes().stream()
                .filter(c -> !(c instanceof io.aqueduct.core.model.RowChange rc) || keep.get(rc.schema().id()))
                .toList();
        Transaction want = new Transaction(t.seq(), t.id(), t.origin(), t.commitTime(), t.position(), expected, t.fragment(),
                t.last());
        assertThat(SameTransaction.differences(want, filtered)).isEmpty();
    }

    @Provide
    Arbitrary<Transaction> transactions() {
        return schema().list().ofMinSize(1).ofMaxSize(4).flatMap(schemas -> Combinators.combine(
                Arbitraries.longs(),
                text().injectNull(0.1),
                text().injectNull(0.1),
                Arbitraries.longs(),
                text().injectNull(0.2),
                change(schemas).list().ofMaxSize(12),
                Arbitraries.integers().between(0, Integer.MAX_VALUE),
                Arbitraries.of(true, false)
        ).as((seq, id, origin, time, position, changes, fragment, last) -> new Transaction(seq, id, origin, time,
                position == null ? null : new LoggedPosition(position), changes, fragment, last)));
    }

    private static Arbitrary<String> text() {
        return Arbitraries.oneOf(Arbitraries.strings().all().ofMaxLength(12), Arbitraries.strings().alpha().ofMaxLength(12));
    }

    private static Arbitrary<TableSchema> schema() {
        Arbitrary<Column> column = Combinators.combine(
                text(),
                Arbitraries.integers(),
                text(),
                Arbitraries.of(true, false),
                Arbitraries.of(true, false),
                Arbitraries.integers(),
                Arbitraries.integers(),
                Combinators.combine(text().injectNull(0.5), text().list().ofMaxSize(3)).as(Tuple::of)
        ).as((name, jdbcType, typeName, nullable, unsigned, length, scale, rest) ->
                new Column(name, jdbcType, typeName, nullable, unsigned, length, scale, rest.get1(), rest.get2()));
        return Combinators.combine(text(), text(), column.list().ofMaxSize(6), Arbitraries.of(TableSchema.KeyKind.class))
                .flatAs((db, table, columns, kind) -> {
                    List<String> names = columns.stream().map(Column::name).distinct().toList();
                    return Arbitraries.subsetOf(names).map(keys ->
                            new TableSchema(new TableId(db, table), columns, new ArrayList<>(keys), kind));
                });
    }

    private static Arbitrary<Change> change(List<TableSchema> schemas) {
        // now and then an equal schema held by another instance, which must still be written once
        Arbitrary<TableSchema> schema = Combinators.combine(Arbitraries.of(schemas), Arbitraries.integers().between(0, 4))
                .as((s, copy) -> copy == 0 ? new TableSchema(s.id(), s.columns(), s.keyColumns(), s.keyKind()) : s);
        Arbitrary<Change> row = schema.flatMap(s -> Combinators.combine(
                Arbitraries.of(RowChange.Op.class), row(s.columns().size()), row(s.columns().size())
        ).as((op, before, after) -> new RowChange(s, op, op == RowChange.Op.INSERT ? null : before,
                op == RowChange.Op.DELETE ? null : after)));
        Arbitrary<Change> ddl = Combinators.combine(
                text().injectNull(0.1),
                text(),
                Combinators.combine(text(), text()).as(TableId::new).injectNull(0.5),
                schema.injectNull(0.5)
        ).as(Ddl::new);
        return Arbitraries.frequencyOf(Tuple.of(6, row), Tuple.of(1, ddl));
    }

    private static Arbitrary<Object[]> row(int columns) {
        return value().array(Object[].class).ofSize(columns);
    }

    private static Arbitrary<Object> value() {
        Arbitrary<LocalDate> date = Arbitraries.longs().between(LocalDate.MIN.toEpochDay(), LocalDate.MAX.toEpochDay())
                .map(LocalDate::ofEpochDay);
        Arbitrary<Integer> nanos = Arbitraries.integers().between(0, 999_999_999);
        return Arbitraries.<Object>oneOf(
                Arbitraries.longs(),
                Arbitraries.bigIntegers().between(HUGE.negate(), HUGE),
                Combinators.combine(Arbitraries.bigIntegers().between(HUGE.negate(), HUGE), Arbitraries.integers().between(-400, 400))
                        .as(BigDecimal::new),
                Combinators.combine(Arbitraries.longs(), Arbitraries.integers().between(-20, 40)).as(BigDecimal::valueOf),
                Arbitraries.integers().map(Float::intBitsToFloat),
                Arbitraries.longs().map(Double::longBitsToDouble),
                Arbitraries.of(Float.NaN, -0.0f, Double.NaN, -0.0),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(24),
                date,
                Combinators.combine(date, Arbitraries.longs().between(0, LocalTime.MAX.toNanoOfDay()))
                        .as((d, n) -> LocalDateTime.of(d, LocalTime.ofNanoOfDay(n))),
                Combinators.combine(Arbitraries.longs().between(Instant.MIN.getEpochSecond(), Instant.MAX.getEpochSecond()), nanos)
                        .as((s, n) -> Instant.ofEpochSecond(s, n)),
                Combinators.combine(Arbitraries.longs(), nanos).as((s, n) -> Duration.ofSeconds(s, n)),
                text()
        ).injectNull(0.1);
    }
}
