package io.aqueduct.log;

import io.aqueduct.core.model.Transaction;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Small helpers for tests that write and read logs. */
final class Logs {
    private Logs() {}

    /** The epoch of logs written with {@link #options}. */
    static final long EPOCH = 1;

    static LogWriterOptions options(Codec codec, long segmentBytes) {
        return new LogWriterOptions(codec, segmentBytes, FsyncPolicy.none(), EPOCH);
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
}
