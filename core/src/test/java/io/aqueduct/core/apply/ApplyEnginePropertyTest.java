package io.aqueduct.core.apply;

import static io.aqueduct.core.fixtures.Tx.ddl;
import static io.aqueduct.core.fixtures.Tx.delete;
import static io.aqueduct.core.fixtures.Tx.fragment;
import static io.aqueduct.core.fixtures.Tx.insert;
import static io.aqueduct.core.fixtures.Tx.keyed;
import static io.aqueduct.core.fixtures.Tx.keyless;
import static io.aqueduct.core.fixtures.Tx.row;
import static io.aqueduct.core.fixtures.Tx.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.aqueduct.core.fixtures.RecordingListener;
import io.aqueduct.core.fixtures.RecordingListener.Report;
import io.aqueduct.core.fixtures.RecordingSink;
import io.aqueduct.core.fixtures.RecordingSink.Batch;
import io.aqueduct.core.fixtures.Tx;
import io.aqueduct.core.model.Change;
import io.aqueduct.core.model.RowChange;
import io.aqueduct.core.model.TableId;
import io.aqueduct.core.model.TableSchema;
import io.aqueduct.core.model.Transaction;
import io.aqueduct.core.model.Values;
import io.aqueduct.core.fixtures.SeqPosition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;

/**
 * Thousands of random transactions over a small key space (two keyed tables with 8 keys each and one keyless table),
 * with the odd empty transaction, DDL, fragmented transaction, new table shape and key range (a snapshot chunk: rows
 * of keys no other range has, which transactions before and after it touch too), applied on 4 lanes by a sink that
 * randomly dawdles. Checks every promise the engine makes to sinks and to the position listener.
 */
class ApplyEnginePropertyTest {
    private static final int LANES = 4;
    private static final TableSchema[] TABLES = {
        keyed("db", "a", "id", "v"), keyed("db", "b", "id", "v"), keyless("db", "c", "x", "v")
    };

    /**
     * kind: 0 insert k1, 1 update k1 in place, 2 update moving k1 to k2, 3 delete k1. Keys 0-7 are the table's own;
     * 8-11 stand for a key of a key range: of the latest one of the table for 8 and 10, of the next one for 9 and 11.
     */
    record Op(int table, int kind, int k1, int k2) {}

    /**
     * type: 0 rows, 1 empty, 2 DDL, 3 fragmented, 4 rows with a new shape of their first table, 5 a key range of the
     * first op's table (of table a when that is the keyless one), one row per op.
     */
    record Spec(int type, List<Op> ops) {}

    @Provide
    Arbitrary<List<Spec>> streams() {
        Arbitrary<Integer> key = Arbitraries.integers().between(0, 11);
        Arbitrary<Op> op = Combinators.combine(Arbitraries.integers().between(0, 2), Arbitraries.integers().between(0, 3), key, key)
                .as(Op::new);
        Arbitrary<Integer> type = Arbitraries.frequency(
                Tuple.of(80, 0), Tuple.of(4, 1), Tuple.of(2, 2), Tuple.of(4, 3), Tuple.of(2, 4), Tuple.of(8, 5));
        Arbitrary<Spec> spec = Combinators.combine(type, op.list().ofMinSize(1).ofMaxSize(6)).as(Spec::new);
        return spec.list().ofMinSize(1000).ofMaxSize(3000);
    }

    @Property(tries = 12, shrinking = ShrinkingMode.OFF)
    void engineKeepsOrderIsolationAndPositionPromises(@ForAll("streams") List<Spec> specs,
                                                     @ForAll @IntRange(min = 1, max = 40) int batchRows,
                                                     @ForAll @IntRange(min = 200, max = 20_000) int queueBytes) {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> check(specs, batchRows, queueBytes));
    }

    private static Object[] rowOf(TableSchema s, long key, String value) {
        return row(key, value);
    }

    /** The {@code i}-th key of a table's {@code range}-th key range: ranges of a table never share a key. */
    private static long rangeKey(int range, int i) {
        return 100 + 10L * range + i;
    }

    /** An op's key (see {@link Op}), given how many key ranges its table has so far. */
    private static long key(int k, int ranges) {
        if (k < 8) return k;
        int range = k % 2 == 0 ? Math.max(0, ranges - 1) : ranges;
        return rangeKey(range, (k - 8) / 2);
    }

    private static List<Transaction> build(List<Spec> specs) {
        List<Transaction> out = new ArrayList<>();
        TableSchema[] current = TABLES.clone();
        int[] ranges = new int[TABLES.length]; // key ranges built so far, per table
        long seq = 0;
        for (Spec spec : specs) {
            seq++;
            if (spec.type() == 1) {
                out.add(Tx.tx(seq));
                continue;
            }
            if (spec.type() == 2) {
                out.add(Tx.tx(seq, ddl("db", "ALTER TABLE a ADD c int", new TableId("db", "a"))));
                continue;
            }
            if (spec.type() == 4) {
                int t = spec.ops().get(0).table();
                TableSchema s = current[t];
                current[t] = new TableSchema(s.id(), s.columns(), s.keyColumns(), s.keyKind()); // same shape, new instance
            }
            if (spec.type() == 5) {
                int t = spec.ops().get(0).table() == 2 ? 0 : spec.ops().get(0).table();
                int range = ranges[t]++;
                List<Object[]> rows = new ArrayList<>();
                long size = 0;
                for (int i = 0; i < spec.ops().size(); i++) {
                    rows.add(rowOf(current[t], rangeKey(range, i), "r" + seq + "." + i));
                    size += Values.sizeEstimate(rows.get(i));
                }
                out.add(Transaction.keyRange("range-" + seq, seq * 1000, current[t], rows, size).numbered(seq, new SeqPosition(seq)));
                continue;
            }
            List<Change> changes = new ArrayList<>();
            for (int i = 0; i < spec.ops().size(); i++) {
                Op op = spec.ops().get(i);
                TableSchema s = current[op.table()];
                String v = "s" + seq + "." + i;
                long k1 = key(op.k1(), ranges[op.table()]);
                long k2 = key(op.k2(), ranges[op.table()]);
                changes.add(switch (op.kind()) {
                    case 0 -> insert(s, rowOf(s, k1, v));
                    case 1 -> update(s, rowOf(s, k1, "old"), rowOf(s, k1, v));
                    case 2 -> update(s, rowOf(s, k1, "old"), rowOf(s, k2, v));
                    default -> delete(s, rowOf(s, k1, "old"));
                });
            }
            if (spec.type() == 3 && changes.size() > 1) {
                int frags = changes.size() / 2 + changes.size() % 2;
                for (int f = 0; f < frags; f++) {
                    List<Change> part = changes.subList(2 * f, Math.min(changes.size(), 2 * f + 2));
                    out.add(fragment(seq, f, f == frags - 1, part.toArray(new Change[0])));
                }
            } else {
                out.add(Tx.tx(seq, changes));
            }
        }
        return out;
    }

    private static void check(List<Spec> specs, int batchRows, int queueBytes) throws Exception {
        List<Transaction> txs = build(specs);
        AtomicLong clock = new AtomicLong();
        RecordingListener listener = new RecordingListener(clock);
        RecordingSink sink = new RecordingSink(LANES, clock).gate((lane, batch) -> {
            int r = ThreadLocalRandom.current().nextInt(10);
            if (r == 0) {
                long until = System.nanoTime() + 200_000;
                while (System.nanoTime() < until) Thread.onSpinWait();
            } else if (r < 3) {
                Thread.yield();
            }
        });
        try (ApplyEngine engine = new ApplyEngine(sink, batchRows, queueBytes, listener)) {
            for (Transaction t : txs) engine.submit(t);
            engine.flush();
            engine.checkFailure();
        }

        // no key was ever held by two lanes at once (the sink fails the batch, so this is also caught above)
        assertThat(sink.violations()).isEmpty();

        // changes to each key arrive in submission order
        Map<String, List<String>> expected = new TreeMap<>();
        for (Transaction t : txs) {
            for (int i = 0; i < t.changes().size(); i++) {
                if (t.changes().get(i) instanceof RowChange rc) {
                    for (String k : RecordingSink.keysOf(rc)) {
                        expected.computeIfAbsent(k, x -> new ArrayList<>()).add(t.seq() + "/" + t.fragment() + "/" + i);
                    }
                }
            }
        }
        assertThat(sink.keyOrder()).isEqualTo(expected);

        // every non-empty transaction (or fragment) is applied exactly once, whole
        Map<Transaction, Integer> seen = new IdentityHashMap<>();
        for (Transaction t : sink.applied()) seen.merge(t, 1, Integer::sum);
        for (Transaction t : txs) {
            int times = seen.getOrDefault(t, 0);
            if (t.changes().isEmpty() && t.isWhole()) assertThat(times).as("empty tx %s", t.seq()).isZero();
            else assertThat(times).as("tx %s#%s applied", t.seq(), t.fragment()).isEqualTo(1);
        }
        assertThat(seen).hasSize((int) txs.stream().filter(t -> !(t.changes().isEmpty() && t.isWhole())).count());

        // lanes get transactions in source order; merged batches hold whole row transactions only;
        // DDL, fragments and new shapes run alone on lane 0 with every other lane idle
        Map<Transaction, Boolean> alone = new IdentityHashMap<>();
        Map<TableId, TableSchema> shapes = new HashMap<>();
        for (Transaction t : txs) {
            boolean newShape = false;
            for (Change c : t.changes()) {
                if (c instanceof RowChange rc) {
                    TableSchema prev = shapes.put(rc.table(), rc.schema());
                    if (prev != null && prev != rc.schema()) newShape = true;
                }
            }
            if (!t.isWhole() || t.hasDdl() || newShape) alone.put(t, true);
        }
        for (int lane = 0; lane < LANES; lane++) {
            long last = -1;
            int lastFrag = -1;
            for (Batch b : sink.batches(lane).stream().sorted(Comparator.comparingLong(Batch::startTick)).toList()) {
                if (b.txs().size() > 1) {
                    assertThat(b.txs()).allSatisfy(t -> {
                        assertThat(t.isWhole()).isTrue();
                        assertThat(t.hasDdl()).isFalse();
                    });
                }
                for (Transaction t : b.txs()) {
                    assertThat(t.seq() > last || (t.seq() == last && t.fragment() == lastFrag + 1))
                            .as("lane %s order at %s", lane, b).isTrue();
                    last = t.seq();
                    lastFrag = t.fragment();
                    if (alone.containsKey(t)) {
                        assertThat(b.lane()).as("%s on lane 0", b).isZero();
                        assertThat(b.txs()).as("%s alone", b).hasSize(1);
                        assertThat(b.othersActiveAtStart()).as("%s with other lanes idle", b).isZero();
                    }
                }
                if (b.txs().size() > 1) {
                    int rowsBeforeLast = b.rows() - b.txs().get(b.txs().size() - 1).rowCount();
                    assertThat(rowsBeforeLast).as("a batch stops growing at batchRows: %s", b).isLessThan(batchRows);
                }
            }
        }

        // the committed position only moves forward, never past an uncommitted transaction, and ends at the last one
        long lastSeq = txs.get(txs.size() - 1).seq();
        List<Report> reports = listener.reports();
        assertThat(reports).isNotEmpty();
        assertThat(reports).allSatisfy(r -> assertThat(r.position()).isNotNull());
        assertThat(reports.stream().map(Report::seq).toList()).isSortedAccordingTo(Comparator.naturalOrder()).doesNotHaveDuplicates();
        assertThat(reports.get(reports.size() - 1).seq()).isEqualTo(lastSeq);
        assertThat(listener.totalTransactions()).isEqualTo(lastSeq);
        long[] endOf = new long[(int) lastSeq + 1];
        for (Batch b : sink.batches()) for (Transaction t : b.txs()) endOf[(int) t.seq()] = Math.max(endOf[(int) t.seq()], b.endTick());
        long[] prefixMax = new long[endOf.length];
        for (int s = 1; s < endOf.length; s++) prefixMax[s] = Math.max(prefixMax[s - 1], endOf[s]);
        for (Report r : reports) {
            assertThat(prefixMax[(int) r.seq()]).as("everything up to %s was committed before it was reported", r.seq())
                    .isLessThan(r.tick());
        }
    }
}
