package io.aqueduct.log;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeMap;

/** Names and listing of the files in a log directory. */
public final class LogFiles {
    static final String SEGMENT_SUFFIX = ".seg";
    /** A segment being created: renamed to its final name once its header is on disk. */
    static final String TEMP_SUFFIX = ".seg.tmp";
    public static final String LOCK_FILE = "writer.lock";
    private static final int DIGITS = 20;
    private static final String MAX_DIGITS = "0" + Long.MAX_VALUE;

    private LogFiles() {}

    /** {@code 00000000000000000042.seg} for base seqno 42. */
    static String segmentName(long baseSeqno) {
        String n = Long.toString(baseSeqno);
        return "0".repeat(DIGITS - n.length()) + n + SEGMENT_SUFFIX;
    }

    static Path segmentPath(Path dir, long baseSeqno) {
        return dir.resolve(segmentName(baseSeqno));
    }

    /** Whether a file or folder of this name in a log directory belongs to the log (segments, lock, readers, selections). */
    public static boolean belongsToLog(String name) {
        return name.endsWith(SEGMENT_SUFFIX) || name.endsWith(TEMP_SUFFIX) || name.equals(LOCK_FILE)
                || name.equals(LogReaders.DIRECTORY) || name.equals(LogSelections.FILE)
                || name.equals(LogSelections.TEMP_FILE);
    }

    /** The segment files by base seqno; other files are ignored. */
    public static TreeMap<Long, Path> segments(Path dir) throws IOException {
        TreeMap<Long, Path> found = new TreeMap<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SEGMENT_SUFFIX)) {
            for (Path p : files) {
                String name = p.getFileName().toString();
                String digits = name.substring(0, name.length() - SEGMENT_SUFFIX.length());
                if (digits.length() == DIGITS && digits.chars().allMatch(c -> c >= '0' && c <= '9')
                        && digits.compareTo(MAX_DIGITS) <= 0) {
                    found.put(Long.parseLong(digits), p);
                }
            }
        }
        return found;
    }
}
