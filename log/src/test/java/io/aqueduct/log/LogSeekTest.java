package io.aqueduct.log;

import static io.aqueduct.log.SameTransaction.assertSameAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aqueduct.core.model.Transaction;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogSeekTest {
    private static final long FIRST = 1000;
    private static final int COUNT = 3000;

    @TempDir
    Path dir;
    private List<Transaction> records;

    @BeforeEach
    void writeLog() throws IOException {
        // every 9th transaction in fragments; small segments and a small index interval so that seeks cross both
        records = new Samples(20).stream(FIRST, COUNT, 9);
        Logs.write(dir, Logs.options(Codec.LZ4, 64 * 1024), records);
        assertThat(LogFiles.segments(dir)).hasSizeGreaterThan(10);
        assertThat(Logs.blocks(dir)).as("records holding several transactions, for seeks to land inside").isGreaterThan(10);
    }

    @Test
    void seekBySeqnoLandsOnTheTransactionsFirstRecord() throws IOException {
        Random random = new Random(1);
        try (LogReader r = LogReader.open(dir, 4096)) {
            for (int i = 0; i < 300; i++) {
                long seq = FIRST + random.nextInt(COUNT);
                r.seekToSeqno(seq);
                List<Transaction> expected = Logs.from(records, seq);
                Transaction first = r.next();
                assertThat(first.seq()).isEqualTo(seq);
                assertThat(first.fragment()).isZero();
                SameTransaction.assertSame(first, expected.get(0));
                SameTransaction.assertSame(r.next(), expected.get(1));
            }
            // at every segment boundary too, and then all the way to the end
            for (long base : LogFiles.segments(dir).keySet()) {
                r.seekToSeqno(base);
                assertThat(r.next().seq()).isEqualTo(base);
            }
            r.seekToSeqno(FIRST + 17);
            assertSameAll(Logs.drain(r), Logs.from(records, FIRST + 17));
        }
    }

    @Test
    void seekBySeqnoOutsideTheLogIsRefused() throws IOException {
        try (LogReader r = LogReader.open(dir)) {
            assertThatThrownBy(() -> r.seekToSeqno(FIRST - 1)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("before the start").hasMessageContaining("begins at " + FIRST);
            assertThatThrownBy(() -> r.seekToSeqno(FIRST + COUNT + 1)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("after the end").hasMessageContaining("next seqno is " + (FIRST + COUNT));
            // the next seqno to come is a valid place to wait at
            r.seekToSeqno(FIRST + COUNT);
            assertThat(r.next()).isNull();
        }
        Path empty = Files.createDirectory(dir.resolve("empty"));
        try (LogReader r = LogReader.open(empty)) {
            assertThatThrownBy(() -> r.seekToSeqno(1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is empty");
        }
    }

    @Test
    void seekToTheEndThenAppendedTransactionsArrive() throws IOException {
        Samples samples = new Samples(21);
        try (LogReader r = LogReader.open(dir)) {
            r.seekToSeqno(FIRST + COUNT);
            assertThat(r.next()).isNull();
            List<Transaction> more = samples.stream(FIRST + COUNT, 5, 2);
            Logs.write(dir, Logs.options(Codec.LZ4, 64 * 1024), more);
            assertSameAll(Logs.drain(r), more);
        }
    }

    @Test
    void seekByTimeFindsTheFirstTransactionAtOrAfterIt() throws IOException {
        Random random = new Random(2);
        try (LogReader r = LogReader.open(dir, 4096)) {
            for (int i = 0; i < 300; i++) {
                long t = Samples.START_MILLIS + (FIRST - 5 + random.nextInt(COUNT + 10)) * 1000L + random.nextInt(2000) - 1000;
                r.seekToTime(t);
                Transaction expected = firstAtOrAfter(t);
                Transaction got = r.next();
                if (expected == null) {
                    assertThat(got).as("seek to %d", t).isNull();
                } else {
                    assertThat(got).as("seek to %d", t).isNotNull();
                    SameTransaction.assertSame(got, expected);
                }
            }
            r.seekToTime(Long.MIN_VALUE);
            assertSameAll(Logs.drain(r), records);
        }
    }

    @Test
    void commitTimesReallyGoBackNowAndThen() {
        // otherwise the time seek test would not show that the index copes with it
        long backSteps = 0;
        for (int i = 1; i < records.size(); i++) {
            if (records.get(i).commitTime() < records.get(i - 1).commitTime()) backSteps++;
        }
        assertThat(backSteps).isGreaterThan(50);
    }

    // ------------------------------------------------------------------------------------------ by source position

    private static final Pattern POS = Pattern.compile("\"pos\":(\\d+)");
    /** Orders {@link Samples.BinlogPosition}s (all in one binlog file here) by their offset. */
    private static final Comparator<String> BY_POS = Comparator.comparingLong(LogSeekTest::pos);

    private static long pos(String json) {
        Matcher m = POS.matcher(json);
        if (!m.find()) throw new IllegalArgumentException("not a sample position: " + json);
        return Long.parseLong(m.group(1));
    }

    private static String at(long pos) {
        return new Samples.BinlogPosition("mysql-bin.000001", pos).toJson();
    }

    /** The offset of transaction {@code seq}'s position in {@link Samples}. */
    private static long posOf(long seq) {
        return 4 + 100 * seq;
    }

    @Test
    void seekBySourcePositionLandsOnTheFirstTransactionAtOrAfterIt() throws IOException {
        Random random = new Random(3);
        try (LogReader r = LogReader.open(dir, 4096)) {
            for (int i = 0; i < 300; i++) {
                long seq = FIRST + random.nextInt(COUNT);
                // exactly a transaction's position
                r.seekToSourcePosition(at(posOf(seq)), BY_POS);
                assertStartsAt(r, seq);
                // between the one before it and it
                r.seekToSourcePosition(at(posOf(seq) - 1 - random.nextInt(99)), BY_POS);
                assertStartsAt(r, seq);
            }
            // before the first transaction: the whole log
            r.seekToSourcePosition(at(0), BY_POS);
            assertSameAll(Logs.drain(r), records);
            r.seekToSourcePosition(at(posOf(FIRST)), BY_POS);
            assertSameAll(Logs.drain(r), records);
        }
    }

    @Test
    void seekBySourcePositionToATransactionInFragmentsLandsOnItsFirstFragment() throws IOException {
        try (LogReader r = LogReader.open(dir, 4096)) {
            int seen = 0;
            for (long seq = FIRST + 9 - FIRST % 9; seq < FIRST + COUNT; seq += 9 * 17) {
                List<Transaction> expected = Logs.from(records, seq);
                assertThat(expected.get(0).last()).as("seqno %d comes in fragments", seq).isFalse();
                assertThat(expected.get(0).position()).isNull();
                r.seekToSourcePosition(at(posOf(seq)), BY_POS);
                assertStartsAt(r, seq);
                r.seekToSourcePosition(at(posOf(seq) - 50), BY_POS);
                assertStartsAt(r, seq);
                // just after it: the transaction after it, not its last fragment
                r.seekToSourcePosition(at(posOf(seq) + 1), BY_POS);
                assertStartsAt(r, seq + 1);
                seen++;
            }
            assertThat(seen).isGreaterThan(10);
        }
    }

    @Test
    void seekBySourcePositionAcrossSegmentsReadsFewRecords() throws IOException {
        AtomicInteger comparisons = new AtomicInteger();
        Comparator<String> counting = (a, b) -> {
            comparisons.incrementAndGet();
            return BY_POS.compare(a, b);
        };
        try (LogReader r = LogReader.open(dir, 4096)) {
            List<Long> bases = new ArrayList<>(LogFiles.segments(dir).keySet());
            assertThat(bases).hasSizeGreaterThan(10);
            for (long base : bases) {
                // a segment's first transaction, the one before it (the previous segment's last), and one just after
                for (long seq : new long[] {base, base - 1, base + 1}) {
                    if (seq < FIRST || seq >= FIRST + COUNT) continue;
                    comparisons.set(0);
                    r.seekToSourcePosition(at(posOf(seq)), counting);
                    assertStartsAt(r, seq);
                    // binary searches over segments and index entries, then a few heads: far from all 3000
                    assertThat(comparisons.get()).as("comparisons to find seqno %d", seq).isLessThan(60);
                }
            }
        }
    }

    @Test
    void seekBySourcePositionAfterTheLastWaitsAtTheEndForMore() throws IOException {
        try (LogReader r = LogReader.open(dir)) {
            r.seekToSourcePosition(at(posOf(FIRST + COUNT)), BY_POS);
            assertThat(r.next()).isNull();
            assertThat(r.lastWholeSeqno()).isEqualTo(FIRST + COUNT - 1);
            List<Transaction> more = new Samples(22).stream(FIRST + COUNT, 5, 2);
            Logs.write(dir, Logs.options(Codec.LZ4, 64 * 1024), more);
            assertSameAll(Logs.drain(r), more);

            // far after the last: the same place
            r.seekToSourcePosition(at(Long.MAX_VALUE), BY_POS);
            assertThat(r.next()).isNull();
            assertThat(r.lastWholeSeqno()).isEqualTo(FIRST + COUNT + 4);
            // and one of the new transactions is found like the others
            r.seekToSourcePosition(at(posOf(FIRST + COUNT + 3) - 7), BY_POS);
            assertSameAll(Logs.drain(r), Logs.from(more, FIRST + COUNT + 3));
        }
    }

    @Test
    void seekBySourcePositionWaitsAtTheStartOfATransactionWhoseLastFragmentIsToCome() throws IOException {
        long next = FIRST + COUNT;
        List<Transaction> fragments = new Samples(23).fragments(next, 3);
        try (LogWriter w = LogWriter.open(dir, Logs.options(Codec.LZ4, 64 * 1024)); LogReader r = LogReader.open(dir)) {
            w.append(fragments.get(0));
            w.append(fragments.get(1));
            w.flush();
            // its position is not in the log yet: the reader stands before its first fragment, after the last whole one
            r.seekToSourcePosition(at(posOf(next)), BY_POS);
            assertThat(r.lastWholeSeqno()).isEqualTo(next - 1);
            w.append(fragments.get(2));
            w.flush();
            assertSameAll(Logs.drain(r), fragments);
        }
    }

    @Test
    void seekBySourcePositionPassesOverTransactionsWithoutOne() throws IOException {
        Path small = Files.createDirectory(dir.resolve("without"));
        Samples samples = new Samples(24);
        List<Transaction> txs = new ArrayList<>();
        for (long seq = 1; seq <= 200; seq++) {
            Transaction t = samples.transaction(seq);
            // every third has no position
            txs.add(seq % 3 == 0 ? new Transaction(seq, t.id(), t.origin(), t.commitTime(), null, t.changes(), 0, true) : t);
        }
        Logs.write(small, Logs.options(Codec.NONE, 8 * 1024), txs);
        assertThat(LogFiles.segments(small)).hasSizeGreaterThan(5);
        try (LogReader r = LogReader.open(small, 1024)) {
            for (long seq = 1; seq <= 200; seq++) {
                r.seekToSourcePosition(at(posOf(seq)), BY_POS);
                long expected = seq % 3 == 0 ? seq + 1 : seq;
                Transaction got = r.next();
                assertThat(got.seq()).as("seek to the position of seqno %d", seq).isEqualTo(expected);
            }
        }
    }

    @Test
    void seekBySourcePositionInAnEmptyLogIsRefused() throws IOException {
        Path empty = Files.createDirectory(dir.resolve("empty"));
        try (LogReader r = LogReader.open(empty)) {
            assertThatThrownBy(() -> r.seekToSourcePosition(at(4), BY_POS)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("is empty");
        }
    }

    private void assertStartsAt(LogReader r, long seq) throws IOException {
        List<Transaction> expected = Logs.from(records, seq);
        Transaction first = r.next();
        assertThat(first).as("the record after seeking to seqno %d's position", seq).isNotNull();
        assertThat(first.seq()).isEqualTo(seq);
        assertThat(first.fragment()).isZero();
        SameTransaction.assertSame(first, expected.get(0));
        if (expected.size() > 1) SameTransaction.assertSame(r.next(), expected.get(1));
    }

    private Transaction firstAtOrAfter(long t) {
        for (Transaction tx : records) if (tx.fragment() == 0 && tx.commitTime() >= t) return tx;
        return null;
    }
}
