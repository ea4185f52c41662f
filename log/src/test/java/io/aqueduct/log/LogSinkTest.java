package io.aqueduct.log;

import static io.aqueduct.log.SameTransaction.assertSameAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aqueduct.core.config.ConfigException;
import io.aqueduct.core.model.Transaction;
import io.aqueduct.core.pipeline.FilePositionStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogSinkTest {
    @TempDir
    Path tmp;

    private final Samples samples = new Samples(60);

    private Path log() {
        return tmp.resolve("relay");
    }

    private LogSink sink() {
        return new LogSink(log(), Logs.options(Codec.LZ4, 64 * 1024));
    }

    /** With 16 KiB segments: 600 sample transactions make about ten. */
    private LogSink small() {
        return new LogSink(log(), Logs.options(Codec.LZ4, 16 * 1024));
    }

    /** Runs a capture job to the end of its source's transactions, from the stored position. */
    private void capture(List<Transaction> sourceTransactions, Path state) throws Exception {
        try (FilePositionStore store = new FilePositionStore(state)) {
            Pipelines.pipeline(new Pipelines.ListSource(sourceTransactions), sink(), store).run();
        }
    }

    private static void storePosition(Path state, Transaction t) {
        try (FilePositionStore store = new FilePositionStore(state)) {
            store.save(t.position().toJson());
        }
    }

    private static String storedPosition(Path state) {
        try (FilePositionStore store = new FilePositionStore(state)) {
            return store.load().orElseThrow();
        }
    }

    /** 100 transactions: fragments among the first 30 and the last 40, only whole ones in 31..60, some of them empty. */
    private List<Transaction> sourceTransactions() {
        List<Transaction> out = new ArrayList<>(samples.stream(1, 30, 7));
        for (Transaction t : samples.stream(31, 30, 0)) {
            out.add(t.id().equals("gtid-45") || t.id().equals("gtid-50") ? empty(t) : t);
        }
        out.addAll(samples.stream(61, 40, 9));
        return out;
    }

    private static Transaction empty(Transaction t) {
        return new Transaction(t.seq(), t.id(), t.origin(), t.commitTime(), t.position(), List.of(), 0, true);
    }

    /** The index of the last record of the source transaction with that id. */
    private static int indexOf(List<Transaction> transactions, String id) {
        for (int i = transactions.size() - 1; i >= 0; i--) if (transactions.get(i).id().equals(id)) return i;
        throw new IllegalArgumentException(id);
    }

    @Test
    void retentionDeletesOldSegmentsButKeepsWhatARegisteredReaderNeeds() throws Exception {
        java.nio.file.Files.createDirectories(log());
        LogReaders.acknowledge(log(), "slow", 150, "test");
        LogSink sink = small().retention(new LogRetention.Policy(null, 20 * 1024));
        sink.open();
        try {
            sink.apply(0, samples.stream(1, 600, 0));
        } finally {
            sink.close();
        }
        // retention runs when the sink opens and then once a minute: open again to run it now
        LogSink again = small().retention(new LogRetention.Policy(null, 20 * 1024));
        again.open();
        again.close();
        long first = LogFiles.segments(log()).firstKey();
        assertThat(first).as("older segments deleted").isGreaterThan(1).isLessThanOrEqualTo(151);
        List<Transaction> left = Logs.readAll(log());
        assertThat(left.get(0).seq()).isEqualTo(first);
        assertThat(left.get(left.size() - 1).seq()).isEqualTo(600);

        // once the reader has moved on, the size limit holds
        LogReaders.acknowledge(log(), "slow", 600, "test");
        LogSink last = small().retention(new LogRetention.Policy(null, 20 * 1024));
        last.open();
        last.close();
        long bytes = 0;
        for (Path seg : LogFiles.segments(log()).values()) bytes += java.nio.file.Files.size(seg);
        assertThat(bytes).isLessThanOrEqualTo(20 * 1024 + 16 * 1024 + 4096);
        assertThat(LogFiles.segments(log()).firstKey()).isGreaterThan(first);
    }

    @Test
    void theSinkNumbersTheLogFromOneWhateverTheSourceNumbers() throws Exception {
        List<Transaction> source = sourceTransactions();
        Path state = tmp.resolve("state");
        capture(source, state);
        assertSameAll(Logs.readAll(log()), Pipelines.numbered(Pipelines.reachingASink(source), 1));
        assertThat(storedPosition(state)).isEqualTo(source.get(source.size() - 1).position().toJson());
    }

    @Test
    void aCaptureJobRestartedFromAnOlderPositionLogsNothingTwice() throws Exception {
        List<Transaction> source = sourceTransactions();
        Path state = tmp.resolve("state");
        capture(source.subList(0, indexOf(source, "gtid-60") + 1), state);
        // a crash after the log held up to 60, before the capture job saved a position past 40
        storePosition(state, source.get(indexOf(source, "gtid-40")));
        capture(source, state);
        assertSameAll(Logs.readAll(log()), Pipelines.numbered(Pipelines.reachingASink(source), 1));
        assertThat(storedPosition(state)).isEqualTo(source.get(source.size() - 1).position().toJson());
    }

    @Test
    void aRestartFromTheEndOrFromAnEmptyTransactionLogsNothingTwice() throws Exception {
        List<Transaction> source = sourceTransactions();
        Path state = tmp.resolve("state");
        // stops cleanly right after transaction 45, which has no changes and so is not in the log
        int empty = indexOf(source, "gtid-45");
        assertThat(source.get(empty).changes()).isEmpty();
        capture(source.subList(0, empty + 1), state);
        assertThat(storedPosition(state)).isEqualTo(source.get(empty).position().toJson());
        capture(source.subList(0, indexOf(source, "gtid-55") + 1), state);
        // a crash: the log holds up to 55, the saved position is that of the empty transaction 50
        storePosition(state, source.get(indexOf(source, "gtid-50")));
        capture(source, state);
        assertSameAll(Logs.readAll(log()), Pipelines.numbered(Pipelines.reachingASink(source), 1));
    }

    @Test
    void fragmentedTransactionsAmongTheResentOnesAreSkippedToo() throws Exception {
        List<Transaction> all = new ArrayList<>(samples.stream(1, 10, 0));
        all.addAll(samples.fragments(11, 3));
        all.addAll(samples.stream(12, 10, 0));
        LogSink sink = sink();
        sink.open();
        for (Transaction t : all.subList(0, all.size() - 5)) sink.apply(0, List.of(t));
        sink.close();

        // the capture job resumes after transaction 8 and sends 9 to 21, one record per batch as the engine does
        sink = sink();
        sink.open();
        for (Transaction t : all.subList(8, all.size())) sink.apply(0, List.of(t));
        sink.close();
        assertSameAll(Logs.readAll(log()), Pipelines.numbered(all, 1));
    }

    @Test
    void aResentTransactionWhoseLaterFragmentDiffersIsLoggedWholeAgain() throws Exception {
        List<Transaction> before = samples.stream(1, 10, 0);
        List<Transaction> big = samples.fragments(11, 3);
        List<Transaction> after = samples.stream(12, 5, 0);
        List<Transaction> logged = new ArrayList<>(before);
        logged.addAll(big);
        logged.addAll(after);
        LogSink sink = sink();
        sink.open();
        for (Transaction t : logged) sink.apply(0, List.of(t));
        sink.close();

        // sent again from 9 on, but transaction 11 now comes in four fragments: the first two as before, then others
        Transaction third = big.get(2);
        List<Transaction> resent = new ArrayList<>(before.subList(8, 10));
        resent.addAll(big.subList(0, 2));
        resent.add(new Transaction(0, third.id(), third.origin(), third.commitTime(), null, third.changes().subList(0, 1), 2, false));
        resent.add(new Transaction(0, third.id(), third.origin(), third.commitTime(), third.position(),
                third.changes().subList(1, third.changes().size()), 3, true));
        resent.addAll(after);
        sink = sink();
        sink.open();
        for (Transaction t : resent) sink.apply(0, List.of(t));
        sink.close();

        List<Transaction> expected = new ArrayList<>(logged);
        expected.addAll(resent.subList(2, resent.size()));
        assertSameAll(Logs.readAll(log()), Pipelines.numbered(expected, 1));
    }

    @Test
    void aResentTransactionThatDiffersFromTheLogIsAppendedWithEverythingAfterIt() throws Exception {
        List<Transaction> all = samples.stream(1, 20, 0);
        LogSink sink = sink();
        sink.open();
        sink.apply(0, all.subList(0, 15));
        sink.close();

        // after a restart the capture job sends 11 and 12 again, then a transaction 13 read anew (another commit time)
        Transaction t13 = all.get(12);
        Transaction reread = new Transaction(0, t13.id(), t13.origin(), t13.commitTime() + 1, t13.position(), t13.changes(), 0, true);
        List<Transaction> resent = new ArrayList<>(all.subList(10, 12));
        resent.add(reread);
        resent.addAll(all.subList(13, 20));
        sink = sink();
        sink.open();
        sink.apply(0, resent);
        assertThat(sink.lastSeqno()).isEqualTo(15 + 8);
        sink.close();

        List<Transaction> expected = new ArrayList<>(all.subList(0, 15));
        expected.addAll(resent.subList(2, resent.size()));
        assertSameAll(Logs.readAll(log()), Pipelines.numbered(expected, 1));
    }

    @Test
    void aRestartedSinkGivenTheLogsLastTransactionFirstSkipsJustThat() throws Exception {
        List<Transaction> all = samples.stream(1, 6, 0);
        LogSink sink = sink();
        sink.open();
        sink.apply(0, all.subList(0, 4));
        sink.close();
        sink = sink();
        sink.open();
        sink.apply(0, all.subList(3, 6));
        sink.close();
        assertSameAll(Logs.readAll(log()), Pipelines.numbered(all, 1));
    }

    @Test
    void appliedBatchesAreInTheLogWhenApplyReturns() throws Exception {
        List<Transaction> all = samples.stream(1, 50, 10);
        LogSink sink = new LogSink(log(), LogWriterOptions.defaults());
        sink.open();
        try {
            sink.apply(0, all.subList(0, 20));
            assertSameAll(Logs.readAll(log()), Pipelines.numbered(all.subList(0, 20), 1));
            sink.apply(0, all.subList(20, all.size()));
            assertSameAll(Logs.readAll(log()), Pipelines.numbered(all, 1));
        } finally {
            sink.close();
        }
    }

    @Test
    void oneLogHasOneWriter() throws Exception {
        LogSink first = sink();
        first.open();
        LogSink second = sink();
        try {
            assertThatThrownBy(second::open).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("being written by another job").hasMessageContaining(log().toString());
        } finally {
            second.close();
            first.close();
        }
    }
}
