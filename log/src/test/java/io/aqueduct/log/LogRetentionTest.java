package io.aqueduct.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.aqueduct.core.model.Transaction;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class LogRetentionTest {
    @TempDir
    Path dir;

    /** Whole transactions 1..n committed one second apart, without the samples' clock jitter. */
    static List<Transaction> transactions(int n) {
        Samples samples = new Samples(41);
        List<Transaction> out = new ArrayList<>();
        for (long seq = 1; seq <= n; seq++) {
            Transaction t = samples.transaction(seq);
            out.add(new Transaction(seq, t.id(), t.origin(), Samples.START_MILLIS + seq * 1000, t.position(), t.changes(), 0, true));
        }
        return out;
    }

    /** Writes 120 transactions into segments of about 4 KiB; returns the segments by base seqno. */
    private TreeMap<Long, Path> writeLog() throws IOException {
        Logs.write(dir, Logs.options(Codec.LZ4, 4096), transactions(120));
        TreeMap<Long, Path> segments = LogFiles.segments(dir);
        assertThat(segments).hasSizeGreaterThan(5);
        return segments;
    }

    private static List<Long> bases(TreeMap<Long, Path> segments) {
        return new ArrayList<>(segments.keySet());
    }

    private static long firstSeqnoRead(Path dir) throws IOException {
        try (LogReader r = LogReader.open(dir)) {
            return r.next().seq();
        }
    }

    @Test
    void purgeDeletesTheSegmentsWhollyBeforeTheSeqno() throws IOException {
        List<Long> bases = bases(writeLog());
        // up to the middle of the third segment: the first two go, the third holds seqnos still wanted
        long to = bases.get(2) + 1;
        LogRetention.Result r = LogRetention.purge(dir, to);
        assertThat(r.deleted()).extracting(LogRetention.Segment::firstSeqno).containsExactly(bases.get(0), bases.get(1));
        assertThat(r.deleted()).extracting(LogRetention.Segment::lastSeqno).containsExactly(bases.get(1) - 1, bases.get(2) - 1);
        assertThat(r.deletedBytes()).isPositive();
        assertThat(r.firstSeqno()).isEqualTo(bases.get(2));
        assertThat(r.heldBackBy()).isNull();
        assertThat(r.newestKept()).isFalse();
        assertThat(LogFiles.segments(dir).firstKey()).isEqualTo(bases.get(2));
        for (LogRetention.Segment s : r.deleted()) assertThat(s.file()).doesNotExist();

        // readers see the log begin later, and whole
        assertThat(firstSeqnoRead(dir)).isEqualTo(bases.get(2));
        assertThat(Logs.readAll(dir)).extracting(Transaction::seq).last().isEqualTo(120L);
        try (LogReader reader = LogReader.open(dir)) {
            assertThatThrownBy(() -> reader.seekToSeqno(bases.get(1))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("begins at " + bases.get(2));
        }

        // again to the same seqno: nothing more
        assertThat(LogRetention.purge(dir, to).deleted()).isEmpty();
    }

    @Test
    void aDryRunDeletesNothing() throws IOException {
        TreeMap<Long, Path> segments = writeLog();
        List<Long> bases = bases(segments);
        LogRetention.Result r = LogRetention.purge(dir, bases.get(3), true);
        assertThat(r.deleted()).hasSize(3);
        assertThat(r.firstSeqno()).isEqualTo(bases.get(3));
        assertThat(LogFiles.segments(dir)).isEqualTo(segments);
    }

    @Test
    void theNewestSegmentIsNeverDeleted() throws IOException {
        TreeMap<Long, Path> segments = writeLog();
        LogRetention.Result r = LogRetention.purge(dir, 121);
        assertThat(r.deleted()).hasSize(segments.size() - 1);
        assertThat(r.newestKept()).isTrue();
        assertThat(LogFiles.segments(dir)).containsOnlyKeys(segments.lastKey());
        assertThat(Logs.readAll(dir)).extracting(Transaction::seq).first().isEqualTo(segments.lastKey());

        // a writer goes on appending to it
        try (LogWriter w = LogWriter.open(dir, Logs.options(Codec.LZ4, 4096))) {
            w.append(new Samples(3).transaction(121));
        }
        assertThat(Logs.readAll(dir)).extracting(Transaction::seq).last().isEqualTo(121L);
    }

    @Test
    void theSegmentBeforeANewestOneWithoutAWholeTransactionIsKept() throws IOException {
        Logs.write(dir, Logs.options(Codec.LZ4, 4096), transactions(120));
        // a writer that stops after the first fragment of a transaction that starts a new segment
        TreeMap<Long, Path> before = LogFiles.segments(dir);
        try (LogWriter w = LogWriter.open(dir, Logs.options(Codec.LZ4, 1024))) {
            w.append(new Samples(5).fragments(121, 3).get(0));
        }
        TreeMap<Long, Path> segments = LogFiles.segments(dir);
        assertThat(segments).hasSize(before.size() + 1);
        // its recovery would delete that newest segment and append to the one before, so that one stays too
        LogRetention.Result r = LogRetention.purge(dir, 121);
        assertThat(r.deleted()).hasSize(segments.size() - 2);
        assertThat(r.newestKept()).isTrue();
        assertThat(r.firstSeqno()).isEqualTo(before.lastKey());
        try (LogWriter w = LogWriter.open(dir, Logs.options(Codec.LZ4, 4096))) {
            w.append(new Samples(6).transaction(121));
        }
        assertThat(Logs.readAll(dir)).extracting(Transaction::seq).first().isEqualTo(before.lastKey());
    }

    @Test
    void aReaderHoldsPurgeBackAtTheFirstSeqnoItStillNeeds() throws IOException {
        List<Long> bases = bases(writeLog());
        // "slow" applied everything before the third segment's first seqno and one of it: it needs the third on
        LogReaders.acknowledge(dir, "slow", bases.get(2), "10.0.0.5:51234 via relay server");
        LogReaders.acknowledge(dir, "fast", 119, "local");
        LogRetention.Result r = LogRetention.purge(dir, 100);
        assertThat(r.deleted()).extracting(LogRetention.Segment::firstSeqno).containsExactly(bases.get(0), bases.get(1));
        assertThat(r.heldBackBy().name()).isEqualTo("slow");
        assertThat(r.heldBackBy().seqno()).isEqualTo(bases.get(2));
        assertThat(r.heldBackBy().from()).isEqualTo("10.0.0.5:51234 via relay server");
        assertThat(r.heldSegment().firstSeqno()).isEqualTo(bases.get(2));
        assertThat(r.heldSegment().lastSeqno()).isEqualTo(bases.get(3) - 1);
        assertThat(r.firstSeqno()).isEqualTo(bases.get(2));

        // having applied the segment's last seqno, it needs the segment no longer
        LogReaders.acknowledge(dir, "slow", bases.get(3) - 1, "local");
        r = LogRetention.purge(dir, bases.get(3));
        assertThat(r.deleted()).extracting(LogRetention.Segment::firstSeqno).containsExactly(bases.get(2));
        assertThat(r.heldBackBy()).isNull();
        // but not the one after it
        r = LogRetention.purge(dir, bases.get(4));
        assertThat(r.deleted()).isEmpty();
        assertThat(r.heldBackBy().name()).isEqualTo("slow");

        // a request that a reader does not limit says nothing about readers
        LogReaders.acknowledge(dir, "slow", 10_000, "local");
        LogReaders.forget(dir, "fast");
        r = LogRetention.purge(dir, bases.get(5));
        assertThat(r.heldBackBy()).isNull();
        assertThat(r.deleted()).extracting(LogRetention.Segment::firstSeqno).containsExactly(bases.get(3), bases.get(4));
    }

    @Test
    void aDamagedReaderFileStopsRetentionBeforeItDeletesAnything() throws IOException {
        TreeMap<Long, Path> segments = writeLog();
        LogReaders.acknowledge(dir, "ok", 119, "local");
        Path bad = dir.resolve("readers").resolve("broken.json");
        Files.writeString(bad, "{\"name\":\"broken\",\"seq");
        assertThatThrownBy(() -> LogRetention.purge(dir, 100)).isInstanceOf(IOException.class)
                .hasMessageContaining(bad.toString()).hasMessageContaining("--forget broken");
        assertThatThrownBy(() -> LogRetention.apply(dir, new LogRetention.Policy(null, 1), Instant.now()))
                .isInstanceOf(IOException.class).hasMessageContaining(bad.toString());
        assertThat(LogFiles.segments(dir)).isEqualTo(segments);

        LogReaders.forget(dir, "broken");
        assertThat(LogRetention.purge(dir, 100).deleted()).isNotEmpty();
    }

    @Test
    void theSizePolicyDeletesTheOldestSegmentsWhileTheLogIsTooBig() throws IOException {
        TreeMap<Long, Path> segments = writeLog();
        List<Path> files = new ArrayList<>(segments.values());
        long total = 0;
        for (Path p : files) total += Files.size(p);

        // exactly one segment too many
        long max = total - Files.size(files.get(0));
        LogRetention.Result r = LogRetention.apply(dir, new LogRetention.Policy(null, max), Instant.now());
        assertThat(r.deleted()).extracting(LogRetention.Segment::file).containsExactly(files.get(0));
        // one byte less: the next one goes as well
        r = LogRetention.apply(dir, new LogRetention.Policy(Duration.ZERO, max - 1), Instant.now());
        assertThat(r.deleted()).extracting(LogRetention.Segment::file).containsExactly(files.get(1));
        // within the limit: nothing
        assertThat(LogRetention.apply(dir, new LogRetention.Policy(null, max), Instant.now()).deleted()).isEmpty();
        assertThat(LogRetention.apply(dir, LogRetention.Policy.unlimited(), Instant.now()).deleted()).isEmpty();

        // smaller than the newest segment alone: everything else goes, the newest stays
        r = LogRetention.apply(dir, new LogRetention.Policy(null, 1), Instant.now());
        assertThat(r.newestKept()).isTrue();
        assertThat(LogFiles.segments(dir)).containsOnlyKeys(segments.lastKey());
    }

    /** Sets each segment's last write to its newest commit time, as if the log had been written as the source ran. */
    private void writtenAsCommitted(List<Long> bases) throws IOException {
        for (long base : bases) {
            Path f = LogFiles.segmentPath(dir, base);
            Files.setLastModifiedTime(f, java.nio.file.attribute.FileTime.fromMillis(LogRetention.newestCommitTime(f)));
        }
    }

    @Test
    void theAgePolicyGoesByTheLaterOfCommitTimeAndLastWrite() throws IOException {
        List<Long> bases = bases(writeLog());
        // written now from an old binlog: nothing is too old yet
        LogRetention.Result r = LogRetention.apply(dir, new LogRetention.Policy(Duration.ofHours(1), 0),
                Instant.ofEpochMilli(Samples.START_MILLIS).plus(Duration.ofDays(1)));
        assertThat(r.deleted()).isEmpty();
        assertThat(LogFiles.segments(dir)).hasSize(bases.size());
    }

    @Test
    void theAgePolicyDeletesSegmentsWhoseNewestTransactionIsTooOld() throws IOException {
        List<Long> bases = bases(writeLog());
        writtenAsCommitted(bases);
        Duration maxAge = Duration.ofHours(1);
        // the second segment's last transaction committed just before the cutoff, the third's after it
        long secondNewest = LogRetention.newestCommitTime(LogFiles.segmentPath(dir, bases.get(1)));
        assertThat(secondNewest).isEqualTo(Samples.START_MILLIS + (bases.get(2) - 1) * 1000);
        Instant now = Instant.ofEpochMilli(secondNewest + 1).plus(maxAge);
        LogRetention.Result r = LogRetention.apply(dir, new LogRetention.Policy(maxAge, 0), now);
        assertThat(r.deleted()).extracting(LogRetention.Segment::firstSeqno).containsExactly(bases.get(0), bases.get(1));
        assertThat(r.firstSeqno()).isEqualTo(bases.get(2));
        assertThat(r.newestKept()).isFalse();

        // a day later everything is too old, but the newest segment stays
        r = LogRetention.apply(dir, new LogRetention.Policy(maxAge, 0), now.plus(Duration.ofDays(1)));
        assertThat(r.newestKept()).isTrue();
        assertThat(LogFiles.segments(dir)).containsOnlyKeys(bases.get(bases.size() - 1));
    }

    @Test
    void aReaderHoldingRetentionBackIsLoggedAsAWarning() throws IOException {
        List<Long> bases = bases(writeLog());
        writtenAsCommitted(bases);
        LogReaders.acknowledge(dir, "stuck", bases.get(1), "10.0.0.9:4000 via relay server");
        Logger logger = (Logger) LoggerFactory.getLogger(LogRetention.class);
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        logger.addAppender(events);
        try {
            LogRetention.Result r = LogRetention.apply(dir, new LogRetention.Policy(Duration.ofMinutes(1), 0),
                    Instant.ofEpochMilli(Samples.START_MILLIS).plus(Duration.ofDays(1)));
            assertThat(r.deleted()).extracting(LogRetention.Segment::firstSeqno).containsExactly(bases.get(0));
            assertThat(r.heldBackBy().name()).isEqualTo("stuck");
        } finally {
            logger.detachAppender(events);
        }
        List<String> warnings = events.list.stream().filter(e -> e.getLevel() == ch.qos.logback.classic.Level.WARN)
                .map(ILoggingEvent::getFormattedMessage).toList();
        assertThat(warnings).hasSize(1);
        assertThat(warnings.get(0)).contains("reader 'stuck' has acknowledged only seqno " + bases.get(1))
                .contains("10.0.0.9:4000 via relay server")
                .contains(LogFiles.segmentName(bases.get(1)))
                .contains("aqueduct log readers " + dir + " --forget stuck");
    }

    @Test
    void aReaderKeepsReadingASegmentDeletedUnderIt() throws IOException {
        List<Transaction> written = transactions(120);
        Logs.write(dir, Logs.options(Codec.LZ4, 4096), written);
        try (LogReader reader = LogReader.open(dir)) {
            assertThat(reader.next().seq()).isEqualTo(1);
            // the segment it reads is deleted; the file stays readable through the open channel
            TreeMap<Long, Path> segments = LogFiles.segments(dir);
            assertThat(LogRetention.purge(dir, segments.higherKey(segments.firstKey())).deleted()).hasSize(1);
            assertThat(segments.firstEntry().getValue()).doesNotExist();
            List<Transaction> rest = Logs.drain(reader);
            SameTransaction.assertSameAll(rest, written.subList(1, written.size()));
        }
    }

    @Test
    void aPolicyChecksItsLimits() {
        assertThatThrownBy(() -> new LogRetention.Policy(Duration.ofSeconds(-1), 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LogRetention.Policy(null, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(new LogRetention.Policy(Duration.ofDays(7), 1 << 30).toString()).isEqualTo("max age PT168H, max size 1073741824 bytes");
        assertThat(LogRetention.Policy.unlimited().toString()).isEqualTo("unlimited");
    }
}
