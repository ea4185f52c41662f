package io.aqueduct.log;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aqueduct.core.filter.TableFilter;
import io.aqueduct.core.model.TableId;
import io.aqueduct.core.pipeline.DurableFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * The history of a capture job's table selection, kept with its relay log in {@code selections.jsonl}: one line per
 * change of {@code tables.include}/{@code exclude}, with the seqno from which the log holds changes under it, and the
 * tables the change newly selected that already existed then. The log holds changes of such a table only from that
 * seqno on (its safe position), not its earlier rows or changes; a reader that selects it and starts before is
 * refused ({@link #refusal}) rather than given partial data. Tables created later are in the log from their
 * {@code CREATE TABLE} on, so they are never partial.
 */
public final class LogSelections {
    public static final String FILE = "selections.jsonl";
    /** Where {@link #replace} writes the new history before renaming it over {@link #FILE}. */
    static final String TEMP_FILE = FILE + ".tmp";
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param from    the first seqno logged under this selection
     * @param added   existing tables this selection newly took in (none for the log's first selection)
     */
    public record Entry(long from, List<String> include, List<String> exclude, List<TableId> added) {
        public Entry {
            include = List.copyOf(include);
            exclude = List.copyOf(exclude);
            added = List.copyOf(added);
        }

        TableFilter filter() {
            return new TableFilter(include, exclude);
        }
    }

    private LogSelections() {}

    /** The entries in log order; empty when none was recorded. A torn last line (a crash while appending) is ignored. */
    public static List<Entry> read(Path logDir) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(logDir.resolve(FILE), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return List.of();
        }
        List<Entry> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) continue;
            try {
                out.add(parse(JSON.readTree(line)));
            } catch (IOException | RuntimeException e) {
                if (i == lines.size() - 1) break; // torn by a crash while it was appended
                throw new IOException(logDir.resolve(FILE) + " line " + (i + 1) + " is damaged (" + e.getMessage() + "). It "
                        + "records the capture job's table selections; restore it from a backup, or delete the line "
                        + "if you know readers do not depend on it.", e);
            }
        }
        return out;
    }

    private static Entry parse(JsonNode n) {
        List<TableId> added = new ArrayList<>();
        for (JsonNode t : n.get("added")) added.add(new TableId(t.get(0).asText(), t.get(1).asText()));
        return new Entry(n.get("from").asLong(), strings(n.get("include")), strings(n.get("exclude")), added);
    }

    private static List<String> strings(JsonNode a) {
        List<String> out = new ArrayList<>();
        for (JsonNode s : a) out.add(s.asText());
        return out;
    }

    /**
     * Records the capture job's selection, unless it is the one recorded last: {@code next} is the seqno the job
     * logs next, {@code selectedNow} the tables the new selection selects now (read only when it changed). Returns the
     * entry appended, or null.
     */
    public static Entry record(Path logDir, long next, List<String> include, List<String> exclude,
                               java.util.concurrent.Callable<List<TableId>> selectedNow) throws Exception {
        List<Entry> entries = read(logDir);
        Entry last = entries.isEmpty() ? null : entries.get(entries.size() - 1);
        if (last != null && last.include().equals(include) && last.exclude().equals(exclude)) return null;
        List<TableId> added = new ArrayList<>();
        if (last != null) {
            TableFilter before = last.filter();
            for (TableId t : selectedNow.call()) if (!before.test(t)) added.add(t);
        }
        Entry e = new Entry(next, include, exclude, added);
        ObjectNode n = JSON.createObjectNode().put("from", next);
        n.set("include", JSON.valueToTree(include));
        n.set("exclude", JSON.valueToTree(exclude));
        ArrayNode a = n.putArray("added");
        for (TableId t : added) a.addArray().add(t.schema()).add(t.table());
        byte[] line = (JSON.writeValueAsString(n) + "\n").getBytes(StandardCharsets.UTF_8);
        try (FileChannel c = FileChannel.open(logDir.resolve(FILE), StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            // a line torn by a crash while it was appended is cut, so that this one starts a line of its own
            long end = c.size();
            while (end > 0 && lastByte(c, end) != '\n') end--;
            c.truncate(end);
            ByteBuffer b = ByteBuffer.wrap(line);
            while (b.hasRemaining()) c.write(b, end + b.position());
            c.force(true);
        }
        DurableFiles.forceDirectory(logDir);
        return e;
    }

    /**
     * Makes {@code content} the selection history of the log in {@code logDir}, durably and all at once: a mirror
     * keeps its copy of the original log's history this way.
     */
    static void replace(Path logDir, byte[] content) throws IOException {
        DurableFiles.replace(logDir.resolve(FILE), logDir.resolve(TEMP_FILE), content);
    }

    private static byte lastByte(FileChannel c, long end) throws IOException {
        ByteBuffer one = ByteBuffer.allocate(1);
        c.read(one, end - 1);
        return one.get(0);
    }

    /**
     * Why a reader selecting {@code reader}'s tables cannot continue from seqno {@code next}: a table it selects
     * joined the capture job's selection at a later seqno, so the log lacks its earlier changes. Null when it can.
     */
    public static String refusal(List<Entry> entries, long next, TableFilter reader) {
        Objects.requireNonNull(reader, "reader");
        for (Entry e : entries) {
            if (e.from() <= next) continue;
            TreeSet<String> missing = new TreeSet<>();
            for (TableId t : e.added()) if (reader.test(t)) missing.add(t.toString());
            if (!missing.isEmpty()) {
                boolean one = missing.size() == 1;
                return "the relay log holds " + String.join(", ", missing) + " only from seqno " + e.from() + " on (its "
                        + "safe position: the capture job's tables.include took " + (one ? "it" : "them") + " in there), "
                        + "but this reader continues from seqno " + next + " and would get partial data. Exclude "
                        + (one ? "the table" : "these tables") + " from this reader (tables.exclude); to include "
                        + (one ? "it" : "them") + " later, let the reader pass seqno " + e.from() + " first, then include "
                        + (one ? "it" : "them") + " and copy " + (one ? "its" : "their") + " rows to its target (for "
                        + "example with aqueduct verify --repair, from a job file that reads the source)";
            }
        }
        return null;
    }
}
