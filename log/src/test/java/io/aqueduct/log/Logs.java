package io.aqueduct.log;

import static org.awaitility.Awaitility.await;

import io.aqueduct.core.model.Transaction;
import io.aqueduct.core.pipeline.TransactionQueue;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** Small helpers for tests that write and read logs. */
final class Logs {
    private Logs() {}

    /** The epoch of logs written with {@link #options}. */
    static final long EPOCH = 1;

    /** Moves what {@code queue} holds now into {@code into}. */
    static void drain(TransactionQueue queue, List<Transaction> into) throws InterruptedException {
        for (Transaction t = queue.take(0, TimeUnit.MILLISECONDS); t != null; t = queue.take(0, TimeUnit.MILLISECONDS)) {
            into.add(t);
        }
    }

    /**
     * Waits until {@code received} holds {@code until} transactions from the queue a source fills as {@code run}
     * (null: not watched); fails at once when the source fails. Returns {@code received}.
     */
    static List<Transaction> receive(TransactionQueue queue, List<Transaction> received, Future<?> run, int until,
                                     Duration wait) {
        await().atMost(wait).until(() -> {
            if (run != null && run.isDone()) run.get();
            drain(queue, received);
            return received.size() >= until;
        });
        return received;
    }

    static LogWriterOptions options(Codec codec, long segmentBytes) {
        return new LogWriterOptions(codec, segmentBytes, FsyncPolicy.none(), EPOCH);
    }

    /** Appends through a {@link LogSink}, as a capture job does; returns the transactions as the log numbers them. */
    static List<Transaction> capture(Path dir, LogWriterOptions options, List<Transaction> transactions) throws Exception {
        LogSink sink = new LogSink(dir, options);
        sink.open();
        long first = sink.lastSeqno() + 1;
        try {
            sink.apply(0, transactions);
        } finally {
            sink.close();
        }
        return Pipelines.numbered(transactions, first);
    }

    static void write(Path dir, LogWriterOptions options, List<Transaction> records) throws IOException {
        try (LogWriter w = LogWriter.open(dir, options)) {
            for (Transaction t : records) w.append(t);
        }
    }

    /** Everything the reader returns until it reaches the end. */
    static List<Transaction> drain(LogReader reader) throws IOException {
        List<Transaction> out = new ArrayList<>();
        for (Transaction t = reader.next(); t != null; t = reader.next()) out.add(t);
        return out;
    }

    static List<Transaction> readAll(Path dir) throws IOException {
        try (LogReader r = LogReader.open(dir)) {
            return drain(r);
        }
    }

    /** The records from the first one of transaction {@code seq} on. */
    static List<Transaction> from(List<Transaction> records, long seq) {
        for (int i = 0; i < records.size(); i++) {
            if (records.get(i).seq() == seq) return records.subList(i, records.size());
        }
        return List.of();
    }

    /** How many records of the log hold more than one transaction. */
    static int blocks(Path dir) throws IOException {
        int n = 0;
        for (Path p : LogFiles.segments(dir).values()) {
            try (SegmentFile f = SegmentFile.open(p)) {
                for (long o = SegmentHeader.SIZE; f.frame(o) == SegmentFile.Frame.COMPLETE; o += f.size()) if (f.count() > 1) n++;
            }
        }
        return n;
    }
}
