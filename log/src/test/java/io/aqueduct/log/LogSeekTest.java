package io.aqueduct.log;

import static io.aqueduct.log.SameTransaction.assertSameAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aqueduct.core.model.Transaction;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
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

    private Transaction firstAtOrAfter(long t) {
        for (Transaction tx : records) if (tx.fragment() == 0 && tx.commitTime() >= t) return tx;
        return null;
    }
}
