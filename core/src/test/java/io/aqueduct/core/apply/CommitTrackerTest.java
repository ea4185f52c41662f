package io.aqueduct.core.apply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aqueduct.core.fixtures.SeqPosition;
import io.aqueduct.core.model.Position;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class CommitTrackerTest {
    record Report(Position position, long commitTime, long transactions, long rows) {
        long seq() {
            return SeqPosition.seqOf(position);
        }
    }

    private final List<Report> reports = new ArrayList<>();
    private final CommitTracker tracker = new CommitTracker((p, t, n, r) -> reports.add(new Report(p, t, n, r)));

    private void register(long seq, int rows) {
        tracker.register(seq, new SeqPosition(seq), seq * 1000, rows);
    }

    @Test
    void inOrderCompletionReportsEachTransaction() {
        register(1, 2);
        register(2, 3);
        assertThat(reports).isEmpty();
        tracker.done(1);
        assertThat(reports).containsExactly(new Report(new SeqPosition(1), 1000, 1, 2));
        tracker.done(2);
        assertThat(reports).last().isEqualTo(new Report(new SeqPosition(2), 2000, 1, 3));
        assertThat(tracker.pendingCount()).isZero();
    }

    @Test
    void positionWaitsForTheOldestUncommittedTransaction() {
        register(1, 1);
        register(2, 2);
        register(3, 4);
        tracker.done(3);
        tracker.done(2);
        assertThat(reports).as("nothing passes transaction 1 while it is open").isEmpty();
        assertThat(tracker.pendingCount()).isEqualTo(3);
        tracker.done(1);
        assertThat(reports).containsExactly(new Report(new SeqPosition(3), 3000, 3, 7));
        assertThat(tracker.pendingCount()).isZero();
    }

    @Test
    void aGapStopsTheReportAtTheGap() {
        for (int i = 1; i <= 5; i++) register(i, 1);
        tracker.done(1);
        tracker.done(2);
        tracker.done(4);
        assertThat(reports).extracting(Report::seq).containsExactly(1L, 2L);
        tracker.done(3);
        assertThat(reports).last().isEqualTo(new Report(new SeqPosition(4), 4000, 2, 2));
        assertThat(tracker.pendingCount()).isEqualTo(1);
    }

    @Test
    void registeringLaterTransactionsDoesNotReport() {
        register(1, 1);
        tracker.done(1);
        register(2, 1);
        register(3, 1);
        assertThat(reports).hasSize(1);
    }

    @Test
    void doneOfAnUnknownTransactionFails() {
        register(1, 1);
        assertThatThrownBy(() -> tracker.done(9)).isInstanceOf(IllegalStateException.class).hasMessageContaining("9");
    }

    @Test
    void doneTwiceFails() {
        register(1, 1);
        register(2, 1);
        tracker.done(1);
        assertThatThrownBy(() -> tracker.done(1)).isInstanceOf(IllegalStateException.class);
    }

    /** Whatever order lanes finish in, each report is the longest committed prefix, and all of them add up. */
    @Property(tries = 200)
    void anyCompletionOrderGivesTheCommittedPrefix(@ForAll @IntRange(min = 1, max = 60) int n, @ForAll long seed) {
        List<Report> got = new ArrayList<>();
        CommitTracker t = new CommitTracker((p, c, x, r) -> got.add(new Report(p, c, x, r)));
        for (long s = 1; s <= n; s++) t.register(s, new SeqPosition(s), s, (int) s);
        List<Long> order = new ArrayList<>();
        for (long s = 1; s <= n; s++) order.add(s);
        Collections.shuffle(order, new Random(seed));
        boolean[] done = new boolean[n + 2];
        long lastReported = 0;
        for (long s : order) {
            int before = got.size();
            t.done(s);
            done[(int) s] = true;
            long prefix = 0;
            while (prefix + 1 <= n && done[(int) prefix + 1]) prefix++;
            if (prefix > lastReported) {
                assertThat(got).hasSize(before + 1);
                Report r = got.get(got.size() - 1);
                assertThat(r.seq()).isEqualTo(prefix);
                assertThat(r.commitTime()).isEqualTo(prefix);
                assertThat(r.transactions()).isEqualTo(prefix - lastReported);
                long rows = 0;
                for (long k = lastReported + 1; k <= prefix; k++) rows += k;
                assertThat(r.rows()).isEqualTo(rows);
                lastReported = prefix;
            } else {
                assertThat(got).hasSize(before);
            }
        }
        assertThat(lastReported).isEqualTo(n);
        assertThat(got.stream().mapToLong(Report::transactions).sum()).isEqualTo(n);
        assertThat(t.pendingCount()).isZero();
    }
}
