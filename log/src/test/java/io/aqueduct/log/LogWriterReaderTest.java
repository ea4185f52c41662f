package io.aqueduct.log;

import static io.aqueduct.log.SameTransaction.assertSameAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aqueduct.core.model.RowChange;
import io.aqueduct.core.model.TableSchema;
import io.aqueduct.core.model.Transaction;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class LogWriterReaderTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Codec.class)
    void everyCodecReadsBackWhatWasWritten(Codec codec) throws IOException {
        List<Transaction> records = new Samples(1).stream(1, 2000, 25);
        Logs.write(dir, Logs.options(codec, 256 * 1024), records);

        assertSameAll(Logs.readAll(dir), records);
        for (Path segment : LogFiles.segments(dir).values()) {
            try (SegmentFile f = SegmentFile.open(segment)) {
                assertThat(f.header().codec()).isEqualTo(codec);
                assertThat(f.header().epoch()).isEqualTo(1);
            }
        }
    }

    @Test
    void compressionShrinksRowData() throws IOException {
        List<Transaction> records = new Samples(2).stream(1, 3000, 0);
        Map<Codec, Long> sizes = new TreeMap<>();
        for (Codec codec : Codec.values()) {
            Path d = dir.resolve(codec.name());
            Logs.write(d, Logs.options(codec, LogWriterOptions.DEFAULT_SEGMENT_BYTES), records);
            sizes.put(codec, directorySize(d));
        }
        assertThat(sizes.get(Codec.LZ4)).isLessThan(sizes.get(Codec.NONE) * 9 / 10);
        assertThat(sizes.get(Codec.ZSTD)).isLessThan(sizes.get(Codec.LZ4));
    }

    @Test
    void rollsToNewSegmentsOnlyBetweenTransactions() throws IOException {
        Samples samples = new Samples(3);
        List<Transaction> records = new ArrayList<>();
        for (long s = 100; s < 400; s++) {
            // fragmented transactions bigger than a segment must still stay in one
            records.addAll(s % 10 == 0 ? samples.fragments(s, 12) : List.of(samples.transaction(s)));
        }
        Logs.write(dir, Logs.options(Codec.LZ4, 2048), records);

        TreeMap<Long, Path> segments = LogFiles.segments(dir);
        assertThat(segments).hasSizeGreaterThan(20);
        assertThat(segments.firstKey()).isEqualTo(100);
        long expectedBase = 100;
        for (Map.Entry<Long, Path> e : segments.entrySet()) {
            assertThat(e.getValue().getFileName()).hasToString(String.format("%020d.seg", e.getKey()));
            try (SegmentFile f = SegmentFile.open(e.getValue())) {
                assertThat(e.getKey()).isEqualTo(expectedBase);
                assertThat(f.header().baseSeqno()).isEqualTo(e.getKey());
                long offset = SegmentHeader.SIZE;
                boolean first = true;
                long lastSeq = -1;
                boolean lastWasLast = false;
                while (f.frame(offset) == SegmentFile.Frame.COMPLETE) {
                    if (first) assertThat(f.seqno()).isEqualTo(e.getKey());
                    if (first) assertThat(f.fragment()).isZero();
                    // a segment is only left behind once it has reached its size
                    if (!first && f.fragment() == 0) assertThat(offset).isLessThan(2048);
                    first = false;
                    lastSeq = f.lastSeqno();
                    lastWasLast = f.last();
                    offset += f.size();
                }
                assertThat(lastWasLast).as("segment %s ends after a whole transaction", e.getKey()).isTrue();
                assertThat(offset).isEqualTo(Files.size(e.getValue()));
                expectedBase = lastSeq + 1;
            }
        }
        assertSameAll(Logs.readAll(dir), records);
    }

    @Test
    void smallWholeTransactionsShareBlocksWhileFragmentsAndLargeOnesGoAlone() throws IOException {
        Samples samples = new Samples(9);
        List<Transaction> records = samples.stream(1, 400, 7);
        int blockBytes = 1024;
        Logs.write(dir, Logs.options(Codec.LZ4, 1 << 20).withBlockBytes(blockBytes), records);

        int transactions = 0;
        int blocks = 0;
        int largeAlone = 0;
        try (SegmentFile f = SegmentFile.open(LogFiles.segmentPath(dir, 1))) {
            for (long o = SegmentHeader.SIZE; f.frame(o) == SegmentFile.Frame.COMPLETE; o += f.size()) {
                assertThat(f.seqno()).isEqualTo(records.get(transactions).seq());
                if (f.count() > 1) {
                    blocks++;
                    assertThat(f.fragment()).isZero();
                    assertThat(f.last()).isTrue();
                    assertThat(f.rawLength()).as("a block stays within blockBytes").isLessThanOrEqualTo(blockBytes);
                } else if (f.fragment() == 0 && f.last() && f.rawLength() > blockBytes) {
                    largeAlone++;
                }
                for (int i = 0; i < f.count(); i++) {
                    Transaction t = records.get(transactions + i);
                    if (t.fragment() > 0 || !t.last()) assertThat(f.count()).as("a fragment is a record of its own").isOne();
                }
                transactions += f.count();
            }
        }
        assertThat(transactions).isEqualTo(records.size());
        assertThat(blocks).isGreaterThan(10);
        // a block writes each schema once: less than its transactions encoded alone, even in blocks this small
        long blockRaw = 0;
        long alone = 0;
        TransactionCodec tc = new TransactionCodec();
        try (SegmentFile f = SegmentFile.open(LogFiles.segmentPath(dir, 1))) {
            int i = 0;
            for (long o = SegmentHeader.SIZE; f.frame(o) == SegmentFile.Frame.COMPLETE; o += f.size()) {
                if (f.count() > 1) {
                    blockRaw += f.rawLength();
                    for (int k = 0; k < f.count(); k++) alone += tc.encode(records.get(i + k)).length + 2;
                }
                i += f.count();
            }
        }
        assertThat(blockRaw).isLessThan(alone * 85 / 100);
        assertThat(largeAlone).isPositive();
        assertSameAll(Logs.readAll(dir), records);

        // blockBytes 0: a record per transaction or fragment
        Path single = dir.resolve("single");
        Logs.write(single, Logs.options(Codec.LZ4, 1 << 20).withBlockBytes(0), records);
        int n = 0;
        try (SegmentFile f = SegmentFile.open(LogFiles.segmentPath(single, 1))) {
            for (long o = SegmentHeader.SIZE; f.frame(o) == SegmentFile.Frame.COMPLETE; o += f.size(), n++) {
                assertThat(f.count()).isOne();
            }
        }
        assertThat(n).isEqualTo(records.size());
        assertSameAll(Logs.readAll(single), records);
    }

    @Test
    void fragmentsComeBackInOrderAsSeparateRecords() throws IOException {
        Samples samples = new Samples(4);
        List<Transaction> records = new ArrayList<>(samples.fragments(7, 50));
        records.add(samples.transaction(8));
        records.addAll(samples.fragments(9, 2));
        Logs.write(dir, Logs.options(Codec.ZSTD, 4096), records);

        List<Transaction> read = Logs.readAll(dir);
        assertSameAll(read, records);
        assertThat(read.subList(0, 50)).extracting(Transaction::fragment).containsExactlyElementsOf(
                java.util.stream.IntStream.range(0, 50).boxed().toList());
        assertThat(read.subList(0, 50)).filteredOn(Transaction::last).hasSize(1);
        assertThat(read.get(49).position()).isEqualTo(new LoggedPosition(records.get(49).position().toJson()));
    }

    @Test
    void appendsMustContinueTheLog() throws IOException {
        Samples samples = new Samples(5);
        List<Transaction> frags = samples.fragments(11, 3);
        try (LogWriter w = LogWriter.open(dir, Logs.options(Codec.LZ4, 4096))) {
            assertThatThrownBy(() -> w.append(frags.get(1))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("starts with fragment 1");
            w.append(samples.transaction(10));
            assertThatThrownBy(() -> w.append(samples.transaction(12))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("expected seqno 11, got 12");
            assertThatThrownBy(() -> w.append(samples.transaction(10))).isInstanceOf(IllegalArgumentException.class);
            w.append(frags.get(0));
            assertThatThrownBy(() -> w.append(frags.get(2))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("expected fragment 1 of seqno 11, got seqno 11 fragment 2");
            assertThatThrownBy(() -> w.append(samples.transaction(12))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("expected fragment 1 of seqno 11, got seqno 12 fragment 0");
            w.append(frags.get(1));
            w.append(frags.get(2));
            assertThat(w.lastSeqno()).isEqualTo(11);
            // a value the log cannot store is refused before anything is written, and the writer goes on
            Transaction bad = new Transaction(12, "x", "1", 0, null, List.of(new RowChange(Samples.CUSTOMERS, RowChange.Op.INSERT,
                    null, new Object[] {"a", Boolean.TRUE, "new"})), 0, true);
            assertThatThrownBy(() -> w.append(bad)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Boolean");
            w.append(samples.transaction(12));
        }
        assertThat(Logs.readAll(dir)).extracting(Transaction::seq).containsExactly(10L, 11L, 11L, 11L, 12L);
    }

    @Test
    void aRefusedAppendInTheMiddleOfABlockLeavesNoTraceInTheTransactionsAfterIt() throws IOException {
        TableSchema orders = Samples.ORDERS;
        TableSchema customers = Samples.CUSTOMERS;
        Object[] customer = {"c@example.com", "Ann", "new"};
        Transaction a = new Transaction(1, "a", "1", 1000, null, List.of(new RowChange(orders, RowChange.Op.DELETE, order(1), null)), 0, true);
        // a new schema, then a value the log cannot store: refused after the schema went into the codec's dictionary
        Transaction bad = new Transaction(2, "bad", "1", 2000, null, List.of(new RowChange(customers, RowChange.Op.INSERT, null, customer),
                new RowChange(customers, RowChange.Op.INSERT, null, new Object[] {"d@example.com", Boolean.TRUE, "new"})), 0, true);
        Transaction b = new Transaction(2, "b", "1", 3000, null, List.of(new RowChange(customers, RowChange.Op.INSERT, null, customer)), 0, true);
        Transaction c = new Transaction(3, "c", "1", 4000, null, List.of(new RowChange(orders, RowChange.Op.DELETE, order(3), null),
                new RowChange(customers, RowChange.Op.DELETE, customer, null)), 0, true);
        Transaction d = new Transaction(4, "d", "1", 6000, null, List.of(new RowChange(customers, RowChange.Op.DELETE, customer, null),
                new RowChange(orders, RowChange.Op.DELETE, order(4), null)), 0, true);
        try (LogWriter w = LogWriter.open(dir, Logs.options(Codec.LZ4, 1 << 20))) {
            w.append(a);
            assertThatThrownBy(() -> w.append(bad)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Boolean");
            w.append(b);
            w.append(c);
            // and a refused fragment, which starts a dictionary of its own, between transactions of a block
            Transaction badFragment = new Transaction(4, "f", "1", 5000, null, List.of(new RowChange(customers, RowChange.Op.INSERT, null,
                    new Object[] {"e@example.com", Integer.valueOf(1), "new"})), 0, false);
            assertThatThrownBy(() -> w.append(badFragment)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Integer");
            w.append(d);
        }
        List<Transaction> read = Logs.readAll(dir);
        assertThat(read).extracting(Transaction::id).containsExactly("a", "b", "c", "d");
        assertSameAll(read, List.of(a, b, c, d));
        assertThat(read.get(3).changes()).extracting(ch -> ((RowChange) ch).schema().id()).containsExactly(customers.id(), orders.id());
        assertThat(Logs.blocks(dir)).as("they went into blocks").isPositive();
    }

    private static Object[] order(long id) {
        Object[] row = new Object[Samples.ORDERS.columns().size()];
        row[0] = id;
        return row;
    }

    @Test
    void aSeqnoGivenToAppendReplacesTheTransactionsOwn() throws IOException {
        Samples samples = new Samples(6);
        List<Transaction> records = new ArrayList<>(List.of(samples.transaction(0), samples.transaction(0)));
        records.addAll(samples.fragments(0, 2));
        try (LogWriter w = LogWriter.open(dir, Logs.options(Codec.LZ4, 4096))) {
            w.append(7, records.get(0));
            w.append(8, records.get(1));
            assertThatThrownBy(() -> w.append(8, records.get(2))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("expected seqno 9, got 8");
            w.append(9, records.get(2));
            w.append(9, records.get(3));
            assertThat(w.lastSeqno()).isEqualTo(9);
        }
        assertSameAll(Logs.readAll(dir), Pipelines.numbered(records, 7));
    }

    @Test
    void reopeningContinuesAfterTheLastTransaction() throws IOException {
        Samples samples = new Samples(6);
        List<Transaction> first = samples.stream(1, 50, 7);
        List<Transaction> second = samples.stream(51, 50, 7);
        Logs.write(dir, Logs.options(Codec.LZ4, 4096), first);
        try (LogWriter w = LogWriter.open(dir, Logs.options(Codec.LZ4, 4096))) {
            assertThat(w.lastSeqno()).isEqualTo(50);
            assertThat(w.durableSeqno()).isEqualTo(50);
            assertThatThrownBy(() -> w.append(samples.transaction(52))).isInstanceOf(IllegalArgumentException.class);
            for (Transaction t : second) w.append(t);
        }
        List<Transaction> all = new ArrayList<>(first);
        all.addAll(second);
        assertSameAll(Logs.readAll(dir), all);
    }

    @Test
    void reopeningWithAnotherCodecStartsANewSegment() throws IOException {
        Samples samples = new Samples(7);
        List<Transaction> first = samples.stream(1, 20, 0);
        List<Transaction> second = samples.stream(21, 20, 0);
        Logs.write(dir, Logs.options(Codec.LZ4, 1 << 20), first);
        Logs.write(dir, Logs.options(Codec.ZSTD, 1 << 20), second);

        assertThat(LogFiles.segments(dir).keySet()).containsExactly(1L, 21L);
        List<Transaction> all = new ArrayList<>(first);
        all.addAll(second);
        assertSameAll(Logs.readAll(dir), all);
    }

    @Test
    void anOlderEpochIsRefusedAndRecordsCarryTheirEpoch() throws IOException {
        Samples samples = new Samples(8);
        Logs.write(dir, Logs.options(Codec.LZ4, 1 << 20).withEpoch(5), samples.stream(1, 3, 0));
        assertThatThrownBy(() -> LogWriter.open(dir, Logs.options(Codec.LZ4, 1 << 20).withEpoch(4)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("epoch 4 is older than the relay log's epoch 5");
        Logs.write(dir, Logs.options(Codec.LZ4, 1 << 20).withEpoch(6), samples.stream(4, 1, 0));

        try (LogReader r = LogReader.open(dir)) {
            List<Long> epochs = new ArrayList<>();
            while (r.next() != null) epochs.add(r.lastEpoch());
            assertThat(epochs).containsExactly(5L, 5L, 5L, 6L);
        }
    }

    @Test
    void onlyOneWriterPerDirectory() throws IOException {
        try (LogWriter first = LogWriter.open(dir, Logs.options(Codec.NONE, 4096))) {
            assertThatThrownBy(() -> LogWriter.open(dir, Logs.options(Codec.NONE, 4096)))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("another writer");
            first.append(new Samples(12).transaction(1));
        }
        // once the first one is closed, the directory opens again, with what the first one wrote
        try (LogWriter again = LogWriter.open(dir, Logs.options(Codec.NONE, 4096))) {
            assertThat(again.lastSeqno()).isEqualTo(1);
        }
    }

    @Test
    void durableSeqnoFollowsTheFsyncPolicy() throws IOException {
        Samples samples = new Samples(9);
        try (LogWriter w = LogWriter.open(dir.resolve("every"), Logs.options(Codec.LZ4, 4096).withFsync(FsyncPolicy.everyRecord()))) {
            assertThat(w.durableSeqno()).isEqualTo(-1);
            List<Transaction> frags = samples.fragments(1, 3);
            w.append(frags.get(0));
            w.append(frags.get(1));
            // fragments are forced too, but the transaction is durable only with its last one
            assertThat(w.durableSeqno()).isEqualTo(-1);
            w.append(frags.get(2));
            assertThat(w.durableSeqno()).isEqualTo(1);
            for (long s = 2; s <= 20; s++) {
                w.append(samples.transaction(s));
                assertThat(w.durableSeqno()).isEqualTo(s);
            }
        }
        try (LogWriter w = LogWriter.open(dir.resolve("interval"), Logs.options(Codec.LZ4, 4096)
                .withFsync(FsyncPolicy.interval(Duration.ofMillis(5))))) {
            for (long s = 1; s <= 200; s++) w.append(samples.transaction(s));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> w.durableSeqno() == 200);
        }
        try (LogWriter w = LogWriter.open(dir.resolve("none"), Logs.options(Codec.LZ4, 1 << 20))) {
            for (long s = 1; s <= 10; s++) w.append(samples.transaction(s));
            assertThat(w.durableSeqno()).isEqualTo(-1);
            assertThat(w.sync()).isEqualTo(10);
            assertThat(w.durableSeqno()).isEqualTo(10);
        }
    }

    @Test
    void readerSeesAppendsOnlyOnceFlushed() throws IOException {
        Samples samples = new Samples(10);
        try (LogWriter w = LogWriter.open(dir, Logs.options(Codec.LZ4, 1 << 20)); LogReader r = LogReader.open(dir)) {
            assertThat(r.next()).isNull();
            w.append(samples.transaction(1));
            assertThat(r.next()).isNull();
            w.flush();
            assertThat(r.next().seq()).isEqualTo(1);
            assertThat(r.next()).isNull();
        }
    }

    @Test
    void closedWriterRefusesAppends() throws IOException {
        LogWriter w = LogWriter.open(dir, Logs.options(Codec.LZ4, 4096));
        w.close();
        w.close();
        assertThatThrownBy(() -> w.append(new Samples(11).transaction(1))).isInstanceOf(IllegalStateException.class);
    }

    private static long directorySize(Path d) throws IOException {
        try (var files = Files.list(d)) {
            return files.mapToLong(p -> p.toFile().length()).sum();
        }
    }
}
