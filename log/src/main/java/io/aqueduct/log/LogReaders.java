package io.aqueduct.log;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aqueduct.core.pipeline.DurableFiles;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The registry of the positions downstream readers of a log have acknowledged, which retention must not delete past.
 *
 * <p>Each reader has a file of its own, {@code readers/<name>.json} in the log directory, so that no two processes ever
 * write the same file: a reader (or the relay server on its behalf) writes only its own. A file is replaced atomically
 * (written under a temporary name, forced to disk, renamed), so it is always either the old or the new content.
 *
 * <p>A reader that acknowledged seqno {@code s} has applied everything up to {@code s} and still needs {@code s + 1}
 * on. A reader that goes away for good must be forgotten ({@link #forget}), or it holds retention back forever.
 */
public final class LogReaders {
    /** The folder inside the log directory that holds one file per reader. */
    public static final String DIRECTORY = "readers";
    private static final String SUFFIX = ".json";
    private static final String TEMP_SUFFIX = ".tmp";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,100}");
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One reader's acknowledgement.
     *
     * @param name    the reader's name, also its file name
     * @param seqno   the last seqno the reader has applied durably; it needs {@code seqno + 1} on
     * @param updated when the reader last acknowledged
     * @param from    free text telling where the reader is, such as {@code "10.0.0.5:51234 via relay server"} or
     *                {@code "local"}; may be null
     */
    public record Reader(String name, long seqno, Instant updated, String from) {
        public Reader {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(updated, "updated");
        }
    }

    private LogReaders() {}

    /**
     * Records that reader {@code name} has applied everything up to {@code seqno}, replacing what it acknowledged
     * before. Creates the {@code readers} folder when missing, and returns once the new file is on disk.
     *
     * @throws IllegalArgumentException when the name is not 1 to 100 letters, digits, '.', '_' or '-', or the seqno is
     *                                  negative
     * @throws NoSuchFileException      when {@code logDir} does not exist
     */
    public static void acknowledge(Path logDir, String name, long seqno, String from) throws IOException {
        acknowledge(logDir, name, seqno, from, Instant.now().truncatedTo(ChronoUnit.MILLIS));
    }

    /** {@link #acknowledge(Path, String, long, String)} with the time of the update given. */
    static void acknowledge(Path logDir, String name, long seqno, String from, Instant updated) throws IOException {
        checkName(name);
        if (seqno < 0) throw new IllegalArgumentException("an acknowledged seqno must not be negative: " + seqno);
        if (!Files.isDirectory(logDir)) throw new NoSuchFileException(logDir.toString(), null, "no relay log directory");
        Path readers = logDir.resolve(DIRECTORY);
        if (!Files.isDirectory(readers)) {
            Files.createDirectories(readers);
            DurableFiles.forceDirectory(logDir);
        }
        ObjectNode node = JSON.createObjectNode();
        node.put("name", name);
        node.put("seqno", seqno);
        node.put("updated", updated.toString());
        node.put("from", from);
        byte[] bytes = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(node);

        // a name of its own per call: two threads of one reader acknowledging at once must not share a temporary file
        DurableFiles.replace(file(logDir, name), readers.resolve(name + SUFFIX + "." + UUID.randomUUID() + TEMP_SUFFIX), bytes);
    }

    /**
     * Every registered reader, sorted by name; an empty list when none has acknowledged anything.
     *
     * @throws IOException when a reader's file is damaged; the message names the file and how to fix it
     */
    public static List<Reader> list(Path logDir) throws IOException {
        Path readers = logDir.resolve(DIRECTORY);
        List<Reader> out = new ArrayList<>();
        if (!Files.isDirectory(readers)) return out;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(readers, "*" + SUFFIX)) {
            for (Path p : files) {
                String fileName = p.getFileName().toString();
                String name = fileName.substring(0, fileName.length() - SUFFIX.length());
                if (!NAME.matcher(name).matches()) continue; // not a file this class writes
                Reader r = read(logDir, p, name);
                if (r != null) out.add(r); // null: forgotten meanwhile
            }
        }
        out.sort(Comparator.comparing(Reader::name));
        return out;
    }

    /**
     * Removes reader {@code name}, so that retention no longer waits for it. Works on a damaged file too.
     *
     * @throws NoSuchFileException when no reader of that name is registered
     */
    public static void forget(Path logDir, String name) throws IOException {
        checkName(name);
        Path f = file(logDir, name);
        if (!Files.deleteIfExists(f)) {
            throw new NoSuchFileException(f.toString(), null, "no reader named " + name + " is registered in " + logDir);
        }
        DurableFiles.forceDirectory(f.getParent());
    }

    /**
     * The smallest seqno any registered reader has acknowledged; empty when there is no reader.
     *
     * @throws IOException when a reader's file is damaged
     */
    public static OptionalLong oldestAcknowledged(Path logDir) throws IOException {
        return list(logDir).stream().mapToLong(Reader::seqno).reduce(Math::min);
    }

    /** The reader that acknowledged the smallest seqno (the first by name among equals), or null when there is none. */
    static Reader oldest(List<Reader> readers) {
        Reader oldest = null;
        for (Reader r : readers) if (oldest == null || r.seqno() < oldest.seqno()) oldest = r;
        return oldest;
    }

    /** Whether {@code name} is a valid reader name. */
    public static boolean isValidName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    static Path file(Path logDir, String name) {
        return logDir.resolve(DIRECTORY).resolve(name + SUFFIX);
    }

    private static void checkName(String name) {
        if (!isValidName(name)) {
            throw new IllegalArgumentException("reader name '" + name + "' is not allowed: use 1 to 100 letters, digits, "
                    + "'.', '_' or '-'");
        }
    }

    /** The reader in file {@code p}, or null when the file is gone. */
    private static Reader read(Path logDir, Path p, String name) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(p);
        } catch (NoSuchFileException e) {
            return null;
        }
        String problem;
        try {
            JsonNode n = JSON.readTree(bytes);
            if (n == null || !n.isObject()) {
                problem = "it is empty or not a JSON object";
            } else if (!n.path("name").isTextual() || !n.path("name").asText().equals(name)) {
                problem = "its \"name\" is not \"" + name + "\"";
            } else if (!n.path("seqno").canConvertToLong() || !n.path("seqno").isIntegralNumber() || n.path("seqno").asLong() < 0) {
                problem = "its \"seqno\" is not a seqno";
            } else if (!n.path("updated").isTextual()) {
                problem = "its \"updated\" is not a time";
            } else if (!n.path("from").isTextual() && !n.path("from").isNull() && !n.path("from").isMissingNode()) {
                problem = "its \"from\" is not text";
            } else {
                Instant updated = Instant.parse(n.path("updated").asText());
                String from = n.path("from").isTextual() ? n.path("from").asText() : null;
                return new Reader(name, n.path("seqno").asLong(), updated, from);
            }
        } catch (DateTimeParseException e) {
            problem = "its \"updated\" is not a time";
        } catch (IOException e) {
            problem = "it is not valid JSON: " + e.getMessage().lines().findFirst().orElse("");
        }
        throw new IOException("the reader file " + p + " is damaged (" + problem + "): delete it, or run `aqueduct log readers "
                + logDir + " --forget " + name + "`; retention does not wait for that reader until it acknowledges again");
    }
}
