package io.aqueduct.log;

import java.nio.file.Path;

/**
 * The log holds bytes that are not what the writer wrote: a CRC mismatch, a bad segment header, a broken record frame
 * or a gap in the seqnos. Reading stops at the damaged record; nothing after it is returned.
 *
 * <p>Unchecked, and deliberately not an {@link java.io.IOException}: the job runner retries I/O failures, which may
 * pass, while damage stays where it is; a job that meets it must stop with this message, not retry forever.
 */
public class LogCorruptException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final Path file;
    private final long offset;

    public LogCorruptException(Path file, long offset, String problem) {
        this(file, offset, problem, null);
    }

    public LogCorruptException(Path file, long offset, String problem, Throwable cause) {
        super(file + " at byte " + offset + ": " + problem, cause);
        this.file = file;
        this.offset = offset;
    }

    /** The segment file. */
    public Path file() {
        return file;
    }

    /** Where in the file the damaged header or record starts. */
    public long offset() {
        return offset;
    }
}
