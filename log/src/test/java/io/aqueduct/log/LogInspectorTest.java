package io.aqueduct.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aqueduct.core.model.Transaction;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogInspectorTest {
    @TempDir
    Path dir;

    @Test
    void aWalkVisitsEveryRecordInOrderAndSaysHowTheLogEnds() throws IOException {
        List<Transaction> records = new Samples(50).stream(1, 80, 7);
        Logs.write(dir, Logs.options(Codec.ZSTD, 4096), records);
        try (LogInspector in = LogInspector.open(dir)) {
            List<LogInspector.Segment> segments = in.segments();
            assertThat(segments).extracting(LogInspector.Segment::baseSeqno).containsExactlyElementsOf(LogFiles.segments(dir).keySet());
            assertThat(segments).allSatisfy(s -> assertThat(s.codec()).isEqualTo(Codec.ZSTD));

            List<Transaction> decoded = new ArrayList<>();
            List<LogInspector.Record> heads = new ArrayList<>();
            LogInspector.End end = in.walk(Long.MIN_VALUE, true, (r, t) -> decoded.add(t) && heads.add(r));
            SameTransaction.assertSameAll(decoded, records);
            assertThat(end.nextSeqno()).isEqualTo(81);
            assertThat(end.tail()).isEqualTo(LogInspector.Tail.CLEAN);
            assertThat(end.tailOffset()).isEqualTo(Files.size(end.tailFile()));
            assertThat(heads.get(0).offset()).isEqualTo(SegmentHeader.SIZE);

            // a block of transactions comes as one call per transaction, with the same record
            List<LogInspector.Record> distinct = heads.stream().distinct().toList();
            assertThat(distinct).as("blocks").anyMatch(r -> r.count() > 1);
            assertThat(distinct.stream().mapToInt(LogInspector.Record::count).sum()).isEqualTo(decoded.size());

            // a record's payload: its transactions, each after its varint length, the first decodable alone
            LogInspector.Record block = distinct.stream().filter(r -> r.count() > 1).findFirst().orElseThrow();
            byte[] payload = in.payload(block);
            assertThat(payload).hasSize(block.rawLength());
            RecordPayload p = new RecordPayload();
            p.reset(payload, payload.length, block.seqno(), block.count(), block.fragment(), block.last(), block.commitTime());
            TransactionCodec codec = new TransactionCodec();
            List<Transaction> inBlock = new ArrayList<>();
            while (p.hasNext()) {
                p.next();
                inBlock.add(p.decode(codec, null));
            }
            SameTransaction.assertSameAll(inBlock, decoded.stream().filter(t -> t.seq() >= block.seqno() && t.seq() <= block.lastSeqno()).toList());

            // from a seqno: the record that holds it on, without decoding, one call per record
            List<LogInspector.Record> from = new ArrayList<>();
            in.walk(50, false, (r, t) -> t == null && from.add(r));
            assertThat(from).isEqualTo(distinct.stream().filter(r -> r.lastSeqno() >= 50).toList());
            assertThat(from.get(0).seqno()).isLessThanOrEqualTo(50);

            // index entries are where a reader seeking by seqno lands
            for (LogInspector.Segment s : segments) {
                for (LogInspector.IndexEntry e : in.index(s, 512)) {
                    LogInspector.Record r = heads.stream().filter(h -> h.seqno() == e.seqno() && h.fragment() == 0).findFirst().orElseThrow();
                    assertThat(r.file()).isEqualTo(s.file());
                    assertThat(r.offset()).isEqualTo(e.offset());
                    assertThat(r.commitTime()).isEqualTo(e.commitTime());
                }
            }
        }
    }

    @Test
    void anUnfinishedTransactionAndATornRecordAreTailsNotDamage() throws IOException {
        List<Transaction> records = new Samples(51).stream(1, 20, 0);
        List<Transaction> frags = new Samples(52).fragments(21, 3);
        List<Transaction> all = new ArrayList<>(records);
        all.addAll(frags.subList(0, 2));
        Logs.write(dir, Logs.options(Codec.LZ4, 1 << 20), all);
        Path seg = LogFiles.segments(dir).lastEntry().getValue();
        try (LogInspector in = LogInspector.open(dir)) {
            int[] n = {0};
            LogInspector.End end = in.walk(0, true, (r, t) -> ++n[0] > 0);
            assertThat(n[0]).isEqualTo(22);
            assertThat(end.tail()).isEqualTo(LogInspector.Tail.UNFINISHED_TRANSACTION);
            assertThat(end.nextSeqno()).isEqualTo(21);

            long size = Files.size(seg);
            try (var ch = java.nio.channels.FileChannel.open(seg, java.nio.file.StandardOpenOption.WRITE)) {
                ch.truncate(size - 3);
            }
            end = in.walk(0, true, (r, t) -> true);
            assertThat(end.tail()).isEqualTo(LogInspector.Tail.INCOMPLETE_RECORD);
        }
    }

    @Test
    void aMissingMiddleSegmentIsDamage() throws IOException {
        Logs.write(dir, Logs.options(Codec.LZ4, 2048), new Samples(53).stream(1, 60, 0));
        List<Path> files = new ArrayList<>(LogFiles.segments(dir).values());
        Files.delete(files.get(2));
        try (LogInspector in = LogInspector.open(dir)) {
            assertThatThrownBy(() -> in.walk(0, false, (r, t) -> true)).isInstanceOf(LogCorruptException.class)
                    .satisfies(e -> assertThat(((LogCorruptException) e).file()).isEqualTo(files.get(3)))
                    .hasMessageContaining("should start at seqno");
        }
    }
}
