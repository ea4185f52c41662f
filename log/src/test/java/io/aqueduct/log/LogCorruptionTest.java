package io.aqueduct.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.aqueduct.core.model.Transaction;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class LogCorruptionTest {
    @TempDir
    Path dir;

    /**
     * Where one record sits, how many transactions (fragments counted each) come before it in the whole log, and how
     * many it holds.
     */
    record Located(Path file, long offset, int size, int recordsBefore, int count) {}

    @ParameterizedTest
    @EnumSource(value = Codec.class, names = {"NONE", "LZ4"})
    void aFlippedByteAnywhereInARecordStopsTheReaderThere(Codec codec) throws IOException {
        List<Transaction> records = new Samples(30).stream(1, 120, 10);
        Logs.write(dir, Logs.options(codec, 8 * 1024), records);
        List<Located> all = locateAll(records);
        assertThat(all).as("blocks and single records").anyMatch(l -> l.count() > 1).anyMatch(l -> l.count() == 1);

        // a block in the middle of a segment, the last record of a segment, and the log's very last record
        Located middle = all.subList(all.size() / 2, all.size()).stream().filter(l -> l.count() > 1).findFirst().orElseThrow();
        Located endOfSegment = all.stream().filter(l -> !l.file().equals(all.get(0).file())).findFirst()
                .map(l -> all.get(l.recordsBefore() - 1)).orElseThrow();
        Located last = all.get(all.size() - 1);
        for (Located target : List.of(middle, endOfSegment, last)) {
            for (int i = 0; i < target.size(); i++) {
                long at = target.offset() + i;
                flip(target.file(), at);
                try {
                    assertReaderStopsAt(target.file(), target.offset(), records.subList(0, target.recordsBefore()), "byte " + at);
                } finally {
                    flip(target.file(), at);
                }
            }
        }
        SameTransaction.assertSameAll(Logs.readAll(dir), records);
    }

    @Test
    void aSegmentOfAnEarlierFormatIsRefusedWithWhatToDo() throws IOException {
        Logs.write(dir, Logs.options(Codec.LZ4, 1 << 20), new Samples(33).stream(1, 5, 0));
        Path segment = LogFiles.segments(dir).firstEntry().getValue();
        // version 1 in a header whose CRC is right: what an earlier Aqueduct wrote
        try (FileChannel c = FileChannel.open(segment, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer h = ByteBuffer.allocate(SegmentHeader.SIZE);
            c.read(h, 0);
            h.putShort(4, (short) 1);
            java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
            crc.update(h.array(), 0, 40);
            h.putInt(40, (int) crc.getValue());
            h.rewind();
            c.write(h, 0);
        }
        String expected = "segment format version 1 is not supported; this build reads version " + SegmentHeader.VERSION
                + ": the log was written by an earlier Aqueduct";
        try (LogReader r = LogReader.open(dir)) {
            assertThatThrownBy(r::next).isInstanceOf(LogCorruptException.class).hasMessageContaining(expected)
                    .hasMessageContaining("capture again");
        }
        assertThatThrownBy(() -> LogWriter.open(dir, Logs.options(Codec.LZ4, 1 << 20))).isInstanceOf(LogCorruptException.class)
                .hasMessageContaining(expected);
    }

    @Test
    void aFlippedByteInASegmentHeaderStopsTheReaderThere() throws IOException {
        List<Transaction> records = new Samples(31).stream(1, 120, 10);
        Logs.write(dir, Logs.options(Codec.LZ4, 8 * 1024), records);
        List<Located> all = locateAll(records);
        TreeMap<Long, Path> segments = LogFiles.segments(dir);
        Map.Entry<Long, Path> second = segments.higherEntry(segments.firstKey());
        int before = all.stream().filter(l -> l.file().equals(second.getValue())).findFirst().orElseThrow().recordsBefore();

        for (int i = 0; i < SegmentHeader.SIZE; i++) {
            flip(second.getValue(), i);
            try {
                LogCorruptException e = readUntilCorrupt(records.subList(0, before), "header byte " + i);
                assertThat(e.file()).isEqualTo(second.getValue());
                assertThat(e.offset()).isBetween(0L, (long) SegmentHeader.SIZE - 1);
                assertThat(e.getMessage()).startsWith(second.getValue() + " at byte " + e.offset() + ": ");
            } finally {
                flip(second.getValue(), i);
            }
        }
    }

    @Test
    void aWriterRefusesALastSegmentDamagedBeforeItsTail() throws IOException {
        List<Transaction> records = new Samples(32).stream(1, 40, 0);
        Logs.write(dir, Logs.options(Codec.LZ4, 1 << 20).withBlockBytes(4096), records);
        Located victim = locateAll(records).get(1);
        flip(victim.file(), victim.offset() + RecordFormat.HEADER_SIZE + 1);

        assertThatThrownBy(() -> LogWriter.open(dir, Logs.options(Codec.LZ4, 1 << 20)))
                .isInstanceOf(LogCorruptException.class)
                .hasMessage(victim.file() + " at byte " + victim.offset() + ": record CRC32C mismatch: stored 0x%08x, computed 0x%08x",
                        storedCrc(victim), computedCrc(victim));
        // the directory is not left locked by the failed open
        flip(victim.file(), victim.offset() + RecordFormat.HEADER_SIZE + 1);
        LogWriter.open(dir, Logs.options(Codec.LZ4, 1 << 20)).close();
    }

    private void assertReaderStopsAt(Path file, long offset, List<Transaction> before, String what) throws IOException {
        LogCorruptException e = readUntilCorrupt(before, what);
        assertThat(e.file()).as(what).isEqualTo(file);
        assertThat(e.offset()).as(what).isEqualTo(offset);
        assertThat(e.getMessage()).as(what).startsWith(file + " at byte " + offset + ": ");
    }

    /** Reads from the start, checks that exactly {@code before} came back, and that the reader then keeps failing. */
    private LogCorruptException readUntilCorrupt(List<Transaction> before, String what) throws IOException {
        List<Transaction> got = new ArrayList<>();
        try (LogReader r = LogReader.open(dir)) {
            try {
                for (Transaction t = r.next(); t != null; t = r.next()) got.add(t);
                fail("no corruption reported for a flipped " + what + "; read " + got.size() + " records");
                return null;
            } catch (LogCorruptException e) {
                SameTransaction.assertSameAll(got, before);
                LogCorruptException again = org.junit.jupiter.api.Assertions.assertThrows(LogCorruptException.class, r::next);
                assertThat(again.getMessage()).isEqualTo(e.getMessage());
                return e;
            }
        }
    }

    /** The records of the log written from {@code records} (transactions and fragments, in log order). */
    private List<Located> locateAll(List<Transaction> records) throws IOException {
        List<Located> out = new ArrayList<>();
        int before = 0;
        for (Path p : LogFiles.segments(dir).values()) {
            try (SegmentFile f = SegmentFile.open(p)) {
                for (long o = SegmentHeader.SIZE; f.frame(o) == SegmentFile.Frame.COMPLETE; o += f.size()) {
                    Transaction first = records.get(before);
                    assertThat(first.seq()).isEqualTo(f.seqno());
                    assertThat(first.fragment()).isEqualTo(f.fragment());
                    out.add(new Located(p, o, f.size(), before, f.count()));
                    before += f.count();
                }
            }
        }
        assertThat(before).isEqualTo(records.size());
        return out;
    }

    private static int storedCrc(Located l) throws IOException {
        try (SegmentFile f = SegmentFile.open(l.file())) {
            f.frame(l.offset());
            return f.storedCrc();
        }
    }

    private static int computedCrc(Located l) throws IOException {
        try (SegmentFile f = SegmentFile.open(l.file())) {
            f.frame(l.offset());
            f.load();
            return f.computedCrc();
        }
    }

    static void flip(Path file, long at) throws IOException {
        try (FileChannel c = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            c.read(b, at);
            b.put(0, (byte) (b.get(0) ^ 0x5A));
            b.rewind();
            c.write(b, at);
        }
    }
}
