package io.aqueduct.mysql;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aqueduct.core.config.ConfigException;
import io.aqueduct.core.model.Position;

/**
 * A transaction boundary in a MySQL/MariaDB binlog: the file and the offset of the first event after a commit, and
 * the GTID set executed up to there (empty when not known yet); while an initial snapshot runs, also how far it got
 * (null otherwise).
 */
public record MySqlPosition(String file, long offset, String gtids, SnapshotProgress snapshot) implements Position {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonStringEncoder QUOTE = JsonStringEncoder.getInstance();

    public MySqlPosition(String file, long offset, String gtids) {
        this(file, offset, gtids, null);
    }

    MySqlPosition withSnapshot(SnapshotProgress progress) {
        return new MySqlPosition(file, offset, gtids, progress);
    }

    /**
     * Binlog order of two positions in files of one server (file names sort by their numeric suffix).
     *
     * @throws IllegalArgumentException for a file name that does not end in a number
     */
    public static int compare(MySqlPosition a, MySqlPosition b) {
        int f = Long.compare(fileNumber(a.file), fileNumber(b.file));
        return f != 0 ? f : Long.compare(a.offset, b.offset);
    }

    private static long fileNumber(String file) {
        if (file.isEmpty()) return -1; // a GTID start before the first rotate event names the file
        int dot = file.lastIndexOf('.');
        try {
            return Long.parseLong(file.substring(dot + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("binlog file name without a number: " + file, e);
        }
    }

    /**
     * {@code {"file":…,"position":…,"gtids":…}} (and {@code "snapshot"} while one runs), compact, exactly as Jackson writes
     * an object node: a relay log compares the JSON of positions it stored with that of positions sent again. Built
     * by hand, since every captured transaction's position is written into a relay log (Jackson's tree and generator
     * cost more than the rest of the record).
     */
    @Override
    public String toJson() {
        StringBuilder b = new StringBuilder(64 + file.length() + (gtids == null ? 0 : gtids.length())).append("{\"file\":\"");
        QUOTE.quoteAsString(file, b);
        b.append("\",\"position\":").append(offset).append(",\"gtids\":\"");
        QUOTE.quoteAsString(gtids == null ? "" : gtids, b);
        b.append('"');
        if (snapshot != null) b.append(",\"snapshot\":").append(snapshot.toJson());
        return b.append('}').toString();
    }

    public static MySqlPosition parse(String json) {
        try {
            JsonNode n = JSON.readTree(json);
            if (n == null || !n.hasNonNull("file") || !n.hasNonNull("position") || !n.get("position").canConvertToLong()) {
                throw new IllegalArgumentException("needs file and position");
            }
            String gtids = n.hasNonNull("gtids") ? n.get("gtids").asText() : "";
            SnapshotProgress snapshot = n.hasNonNull("snapshot") ? SnapshotProgress.parse(n.get("snapshot")) : null;
            return new MySqlPosition(n.get("file").asText(), n.get("position").asLong(), gtids, snapshot);
        } catch (Exception e) {
            throw new ConfigException("The stored position " + json + " is not a MySQL binlog position (" + e.getMessage()
                    + "). Was the state directory written by a job with another source type? Delete position.json to "
                    + "start from the job's 'start' setting.", e);
        }
    }

    @Override
    public String toString() {
        return file + ":" + offset + (gtids == null || gtids.isEmpty() ? "" : " [" + gtids + "]")
                + (snapshot == null ? "" : ", " + snapshot);
    }
}
