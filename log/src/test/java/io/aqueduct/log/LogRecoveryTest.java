package io.aqueduct.log;

import static io.aqueduct.log.SameTransaction.assertSameAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aqueduct.core.model.Transaction;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogRecoveryTest {
    private static final long LAST = 12;

    @TempDir
    Path dir;

    private final Samples samples = new Samples(40);

    /** Transactions 1..LAST, the last one in three fragments, all in one segment. */
    private List<Transaction> writeLog(Path d, long segmentBytes) throws IOException {
        List<Transaction> records = new ArrayList<>(samples.stream(1, (int) LAST - 1, 4));
        records.addAll(samples.fragments(LAST, 3));
        Logs.write(d, Logs.options(Codec.LZ4, segmentBytes), records);
        return records;
    }

    @Test
    void aTailCutAnywhereInsideTheLastTransactionIsTruncatedAndAppendsContinue() throws IOException {
        Path original = dir.resolve("original");
        List<Transaction> records = writeLog(original, 1 << 20);
        byte[] bytes = Files.readAllBytes(LogFiles.segmentPath(original, 1));
        long lastStart = startOf(LogFiles.segmentPath(original, 1), LAST);
        long lastRecordStart = startOf(LogFiles.segmentPath(original, 1), LAST, 2);
        List<Transaction> kept = records.subList(0, records.size() - 3);
        List<Transaction> replacement = List.of(samples.transaction(LAST), samples.transaction(LAST + 1));
        List<Transaction> expected = new ArrayList<>(kept);
        expected.addAll(replacement);

        // every offset inside the last record, and a few hundred in the fragments before it
        TreeSet<Integer> cuts = new TreeSet<>();
        for (int cut = (int) lastRecordStart; cut < bytes.length; cut++) cuts.add(cut);
        Random random = new Random(41);
        while (cuts.size() < bytes.length - lastRecordStart + 300) cuts.add((int) lastStart + random.nextInt((int) (lastRecordStart - lastStart)));
        cuts.add((int) lastStart);
        assertThat(bytes.length - lastRecordStart).as("bytes of the last record").isGreaterThan(100);

        Path d = Files.createDirectory(dir.resolve("cut"));
        Path file = LogFiles.segmentPath(d, 1);
        for (int cut : cuts) {
            Files.write(file, Arrays.copyOf(bytes, cut));
            try (LogWriter w = LogWriter.open(d, Logs.options(Codec.LZ4, 1 << 20))) {
                assertThat(w.lastSeqno()).as("cut at %d", cut).isEqualTo(LAST - 1);
                assertThat(w.durableSeqno()).isEqualTo(LAST - 1);
                assertThat(Files.size(file)).as("cut at %d", cut).isEqualTo(lastStart);
                for (Transaction t : replacement) w.append(t);
            }
            assertSameAll(Logs.readAll(d), expected);
        }
    }

    @Test
    void anUncutLogKeepsEverything() throws IOException {
        List<Transaction> records = writeLog(dir, 1 << 20);
        long size = Files.size(LogFiles.segmentPath(dir, 1));
        try (LogWriter w = LogWriter.open(dir, Logs.options(Codec.LZ4, 1 << 20))) {
            assertThat(w.lastSeqno()).isEqualTo(LAST);
        }
        assertThat(Files.size(LogFiles.segmentPath(dir, 1))).isEqualTo(size);
        assertSameAll(Logs.readAll(dir), records);
    }

    @Test
    void zerosLeftAfterTheTailAreTruncated() throws IOException {
        List<Transaction> records = writeLog(dir, 1 << 20);
        Path file = LogFiles.segmentPath(dir, 1);
        byte[] bytes = Files.readAllBytes(file);
        long lastStart = startOf(file, LAST);
        long secondFragment = lastStart + recordSize(file, lastStart);

        // whole records, then zeros: everything is kept
        Files.write(file, Arrays.copyOf(bytes, bytes.length + 4096));
        try (LogWriter w = LogWriter.open(dir, Logs.options(Codec.LZ4, 1 << 20))) {
            assertThat(w.lastSeqno()).isEqualTo(LAST);
        }
        assertThat(Files.size(file)).isEqualTo(bytes.length);

        // zeros from the second fragment of the last transaction on: that transaction is dropped
        byte[] torn = bytes.clone();
        Arrays.fill(torn, (int) secondFragment, torn.length, (byte) 0);
        Files.write(file, torn);
        try (LogWriter w = LogWriter.open(dir, Logs.options(Codec.LZ4, 1 << 20))) {
            assertThat(w.lastSeqno()).isEqualTo(LAST - 1);
        }
        assertThat(Files.size(file)).isEqualTo(lastStart);
        assertSameAll(Logs.readAll(dir), records.subList(0, records.size() - 3));
    }

    @Test
    void aWholeLengthRecordWithZerosInsideIsDamageNotATornTail() throws IOException {
        writeLog(dir, 1 << 20);
        Path file = LogFiles.segmentPath(dir, 1);
        byte[] bytes = Files.readAllBytes(file);
        long lastStart = startOf(file, LAST);
        // the file keeps its length: filesystems here grow a file only with the data written, so this is no crash
        Arrays.fill(bytes, (int) lastStart + 60, bytes.length, (byte) 0);
        Files.write(file, bytes);

        assertThatThrownBy(() -> LogWriter.open(dir, Logs.options(Codec.LZ4, 1 << 20)))
                .isInstanceOf(LogCorruptException.class)
                .hasMessageStartingWith(file + " at byte " + lastStart + ": record CRC32C mismatch");
    }

    @Test
    void aTransactionWithoutItsLastFragmentIsCutWhenTheLogIsReopened() throws IOException {
        List<Transaction> whole = samples.stream(1, 5, 0);
        List<Transaction> frags = samples.fragments(6, 4);
        try (LogWriter w = LogWriter.open(dir, Logs.options(Codec.ZSTD, 1 << 20))) {
            for (Transaction t : whole) w.append(t);
            for (Transaction t : frags.subList(0, 3)) w.append(t);
            assertThat(w.lastSeqno()).isEqualTo(5);
        }
        try (LogWriter w = LogWriter.open(dir, Logs.options(Codec.ZSTD, 1 << 20))) {
            assertThat(w.lastSeqno()).isEqualTo(5);
            for (Transaction t : frags) w.append(t);
        }
        List<Transaction> expected = new ArrayList<>(whole);
        expected.addAll(frags);
        assertSameAll(Logs.readAll(dir), expected);
    }

    @Test
    void fragmentsCutOffDoNotCountForTheLogsEpoch() throws IOException {
        Logs.write(dir, Logs.options(Codec.LZ4, 1 << 20), samples.stream(1, 5, 0));
        // a writer of a newer epoch starts a fragmented transaction and stops before its last fragment
        try (LogWriter w = LogWriter.open(dir, Logs.options(Codec.LZ4, 1 << 20).withEpoch(Logs.EPOCH + 1))) {
            for (Transaction t : samples.fragments(6, 4).subList(0, 2)) w.append(t);
        }
        // what is left is of the old epoch only: a writer of that epoch may go on, and a copy takes it as its own
        try (LogWriter w = LogWriter.openCopy(dir, Logs.options(Codec.LZ4, 1 << 20))) {
            assertThat(w.lastSeqno()).isEqualTo(5);
            assertThat(w.epoch()).isEqualTo(Logs.EPOCH);
        }
        try (LogWriter w = LogWriter.open(dir, Logs.options(Codec.LZ4, 1 << 20))) {
            w.append(samples.transaction(6));
        }
        assertThat(Logs.readAll(dir)).hasSize(6).allMatch(t -> t.isWhole());
    }

    @Test
    void aNewSegmentHoldingOnlyATornTransactionIsRemoved() throws IOException {
        List<Transaction> whole = samples.stream(1, (int) LAST - 1, 4);
        Logs.write(dir, Logs.options(Codec.LZ4, 1 << 20), whole);
        // another codec makes the writer start a new segment for the next transaction
        Logs.write(dir, Logs.options(Codec.ZSTD, 1 << 20), samples.fragments(LAST, 3));
        TreeMap<Long, Path> segments = LogFiles.segments(dir);
        assertThat(segments.keySet()).containsExactly(1L, LAST);
        Path last = segments.lastEntry().getValue();
        byte[] bytes = Files.readAllBytes(last);
        Files.write(last, Arrays.copyOf(bytes, bytes.length - 10));
        // and a segment that was being created when the crash came
        Files.write(dir.resolve(LogFiles.segmentName(LAST + 1) + ".tmp"), new byte[7]);

        try (LogWriter w = LogWriter.open(dir, Logs.options(Codec.LZ4, 1 << 20))) {
            assertThat(w.lastSeqno()).isEqualTo(LAST - 1);
            assertThat(Files.exists(last)).isFalse();
            try (var files = Files.list(dir)) {
                assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
            }
            w.append(samples.transaction(LAST));
        }
        List<Transaction> read = Logs.readAll(dir);
        assertSameAll(read.subList(0, read.size() - 1), whole);
        assertThat(read.get(read.size() - 1).seq()).isEqualTo(LAST);
        assertThat(LogFiles.segments(dir).keySet()).containsExactly(1L);
    }

    @Test
    void emptyDirectoryStartsAtTheFirstAppendedSeqno() throws IOException {
        try (LogWriter w = LogWriter.open(dir, Logs.options(Codec.LZ4, 1 << 20))) {
            assertThat(w.lastSeqno()).isEqualTo(-1);
            assertThat(w.durableSeqno()).isEqualTo(-1);
            w.append(samples.transaction(500));
        }
        assertThat(LogFiles.segments(dir).keySet()).containsExactly(500L);
        assertThat(Logs.readAll(dir)).extracting(Transaction::seq).containsExactly(500L);
    }

    private static long startOf(Path segment, long seq) throws IOException {
        return startOf(segment, seq, 0);
    }

    private static long startOf(Path segment, long seq, int fragment) throws IOException {
        try (SegmentFile f = SegmentFile.open(segment)) {
            for (long o = SegmentHeader.SIZE; f.frame(o) == SegmentFile.Frame.COMPLETE; o += f.size()) {
                if (f.seqno() == seq && f.fragment() == fragment) return o;
            }
        }
        throw new AssertionError("seqno " + seq + " fragment " + fragment + " not in " + segment);
    }

    private static int recordSize(Path segment, long offset) throws IOException {
        try (SegmentFile f = SegmentFile.open(segment)) {
            assertThat(f.frame(offset)).isEqualTo(SegmentFile.Frame.COMPLETE);
            return f.size();
        }
    }

}
