package io.aqueduct.core.model;

import static io.aqueduct.core.fixtures.Tx.insert;
import static io.aqueduct.core.fixtures.Tx.keyed;
import static io.aqueduct.core.fixtures.Tx.keyless;
import static io.aqueduct.core.fixtures.Tx.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aqueduct.core.fixtures.SeqPosition;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TransactionTest {
    private static final TableSchema T = keyed("db", "t", "id", "v");

    @Test
    void aKeyRangeWeighsAndCountsWhatTheSameInsertsWeighAsAnyTransaction() {
        List<Object[]> rows = List.of(row(1L, "a"), row(2L, null), row(3L, "a longer value"));
        long measured = 0;
        List<Change> inserts = new ArrayList<>();
        for (Object[] r : rows) {
            measured += Values.sizeEstimate(r);
            inserts.add(insert(T, r));
        }
        Transaction range = Transaction.keyRange("r", 5, T, rows, measured);
        Transaction plain = new Transaction(0, "p", "", 5, null, inserts, 0, true);
        assertThat(range.sizeEstimate()).isEqualTo(plain.sizeEstimate());
        assertThat(range.rowCount()).isEqualTo(3);
        assertThat(range.keyRange()).isTrue();
        assertThat(plain.keyRange()).isFalse();
        assertThat(range.isWhole()).isTrue();
        assertThat(range.hasDdl()).isFalse();
        assertThat(range.changes()).allSatisfy(c -> assertThat(((RowChange) c).op()).isEqualTo(RowChange.Op.INSERT));
        assertThat(range.changes().stream().map(c -> ((RowChange) c).after()).toList()).isEqualTo(rows);
    }

    @Test
    void numberingAKeyRangeKeepsItAKeyRange() {
        Transaction range = Transaction.keyRange("r", 5, T, List.<Object[]>of(row(1L, "a")), 100).numbered(7, new SeqPosition(7));
        assertThat(range.keyRange()).isTrue();
        assertThat(range.seq()).isEqualTo(7);
        assertThat(range.position()).isEqualTo(new SeqPosition(7));
        assertThat(range.withPosition(new SeqPosition(8)).keyRange()).isTrue();
    }

    @Test
    void aTableWithoutAKeyHasNoKeyRanges() {
        assertThatThrownBy(() -> Transaction.keyRange("r", 5, keyless("db", "k", "x"), List.<Object[]>of(row(1L)), 10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("db.k");
    }
}
