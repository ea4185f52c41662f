package io.aqueduct.log;

import static io.aqueduct.log.SameTransaction.assertSameAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.aqueduct.core.model.Transaction;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogTailTest {
    private static final int CHECKPOINT = 400;
    private static final long LATE_START = 1500;

    @TempDir
    Path dir;

    @Test
    void readersFollowAWriterThatIsStillAppending() throws Exception {
        List<Transaction> records = new Samples(50).stream(1, 4000, 13);
        List<Transaction> expectedLate = Logs.from(records, LATE_START);
        // small segments, so that the readers cross many segment boundaries while the writer creates them
        LogWriterOptions options = new LogWriterOptions(Codec.LZ4, 16 * 1024, FsyncPolicy.interval(Duration.ofMillis(2)), 1);
        List<Transaction> fromStart = new ArrayList<>();
        List<Transaction> fromMiddle = new ArrayList<>();
        AtomicInteger seenFromStart = new AtomicInteger();
        AtomicBoolean lateStarted = new AtomicBoolean();
        AtomicBoolean writerDoneWhenLateStarted = new AtomicBoolean(true);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (LogWriter writer = LogWriter.open(dir, options);
             LogReader early = LogReader.open(dir);
             LogReader late = LogReader.open(dir)) {
            // the first reader starts on an empty directory
            assertThat(early.next()).isNull();
            Future<?> writing = pool.submit(() -> {
                for (int i = 0; i < records.size(); i++) {
                    writer.append(records.get(i));
                    if ((i + 1) % CHECKPOINT == 0) {
                        // wait for the reader to catch up, so that reading and writing really interleave
                        int written = i + 1;
                        await().atMost(Duration.ofSeconds(30)).until(() -> seenFromStart.get() >= written);
                    }
                }
                return null;
            });
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(1)).until(() -> {
                fromStart.addAll(Logs.drain(early));
                seenFromStart.set(fromStart.size());
                if (!lateStarted.get() && fromStart.size() >= 2000) {
                    writerDoneWhenLateStarted.set(writing.isDone());
                    late.seekToSeqno(LATE_START);
                    lateStarted.set(true);
                }
                if (lateStarted.get()) fromMiddle.addAll(Logs.drain(late));
                return fromStart.size() == records.size() && fromMiddle.size() == expectedLate.size();
            });
            writing.get();
            assertThat(early.next()).isNull();
            assertThat(late.next()).isNull();
        } finally {
            pool.shutdownNow();
        }
        assertThat(writerDoneWhenLateStarted).isFalse();
        assertThat(LogFiles.segments(dir)).hasSizeGreaterThan(50);
        assertSameAll(fromStart, records);
        assertSameAll(fromMiddle, expectedLate);
    }
}
