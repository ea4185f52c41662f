package io.aqueduct.log;

import static io.aqueduct.log.SameTransaction.assertSameAll;
import static org.assertj.core.api.Assertions.assertThat;

import io.aqueduct.core.filter.TableFilter;
import io.aqueduct.core.model.Change;
import io.aqueduct.core.model.Ddl;
import io.aqueduct.core.model.RowChange;
import io.aqueduct.core.model.Transaction;
import io.aqueduct.core.pipeline.FilePositionStore;
import io.aqueduct.core.pipeline.TransactionQueue;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A capture job writing the log through a real pipeline while a downstream reader follows it. */
class RelayPipelineTest {
    @TempDir
    Path tmp;

    @Test
    void aReaderFollowingACaptureJobThatCrashesGetsEveryTransactionOnceInOrder() throws Exception {
        Samples samples = new Samples(80);
        List<Transaction> source = new ArrayList<>();
        for (Transaction t : samples.stream(1, 400, 17)) {
            // now and then a transaction that left nothing for the capture job's selection
            source.add(t.isWhole() && t.id().endsWith("5") ? new Transaction(t.seq(), t.id(), t.origin(), t.commitTime(),
                    t.position(), List.of(), 0, true) : t);
        }
        Path log = Files.createDirectories(tmp.resolve("relay"));
        Path state = tmp.resolve("capture");
        LogWriterOptions options = LogWriterOptions.defaults().withSegmentBytes(8 * 1024).withEpoch(Logs.EPOCH);

        TableFilter customersOnly = new TableFilter(List.of("shop\\.customers"), List.of());
        Predicate<Change> customers = c -> c instanceof RowChange rc ? rc.table().equals(Samples.CUSTOMERS.id())
                : ((Ddl) c).table().equals(Samples.CUSTOMERS.id());
        LogSource reader = new LogSource(log, customersOnly, Duration.ofMillis(2));
        TransactionQueue queue = new TransactionQueue(1L << 20);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        List<Transaction> received = new ArrayList<>();
        try {
            Future<?> reading = pool.submit(() -> {
                reader.run(reader.resolveStart(), queue);
                return null;
            });

            int crashAt = indexOf(source, "gtid-300");
            try (FilePositionStore store = new FilePositionStore(state)) {
                Pipelines.pipeline(new Pipelines.ListSource(source.subList(0, crashAt + 1)), new LogSink(log, options), store).run();
                // the crash: the log holds up to 300, the position saved is that of 230
                store.save(source.get(indexOf(source, "gtid-230")).position().toJson());
            }
            try (FilePositionStore store = new FilePositionStore(state)) {
                Pipelines.pipeline(new Pipelines.ListSource(source), new LogSink(log, options), store).run();
            }

            List<Transaction> expected = Pipelines.asRead(Pipelines.numbered(Pipelines.reachingASink(source), 1), customers);
            Logs.receive(queue, received, reading, expected.size(), Duration.ofSeconds(60));
            reader.close();
            reading.get(10, TimeUnit.SECONDS);
            assertSameAll(received, expected);
            assertThat(LogFiles.segments(log)).hasSizeGreaterThan(5);
        } finally {
            reader.close();
            pool.shutdownNow();
        }
    }

    private static int indexOf(List<Transaction> transactions, String id) {
        for (int i = transactions.size() - 1; i >= 0; i--) if (transactions.get(i).id().equals(id)) return i;
        throw new IllegalArgumentException(id);
    }
}
