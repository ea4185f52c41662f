package io.aqueduct.log;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aqueduct.core.config.ConfigException;
import io.aqueduct.core.model.Position;

/**
 * Where a job reading a relay log resumes: after transaction {@code seqno}, which it has committed, and which the log
 * wrote in {@code epoch} (-1 when not known). JSON form {@code {"seqno": N, "epoch": E}}. A position before everything
 * in a log has the seqno before the log's first one. A relay server refuses a reader whose seqno the log holds with
 * another epoch: its history diverged.
 */
public record LogSourcePosition(long seqno, long epoch) implements Position {
    private static final ObjectMapper JSON = new ObjectMapper();

    public LogSourcePosition {
        // -1 is "before seqno 0", for a log whose numbering a writer started at 0
        if (seqno < -1) throw new IllegalArgumentException("seqno must be at least -1: " + seqno);
        if (epoch < -1) throw new IllegalArgumentException("epoch must be at least -1: " + epoch);
    }

    /** A position whose epoch is not known. */
    public LogSourcePosition(long seqno) {
        this(seqno, -1);
    }

    /** The seqno of the transaction to read next. */
    public long next() {
        return seqno + 1;
    }

    @Override
    public String toJson() {
        return "{\"seqno\":" + seqno + (epoch >= 0 ? ",\"epoch\":" + epoch : "") + "}";
    }

    /**
     * Parses {@code {"seqno": N}} or {@code {"seqno": N, "epoch": E}}.
     *
     * @throws ConfigException naming the job's position file and the fix, when the JSON is not such a position
     */
    public static LogSourcePosition parse(String json) {
        try {
            JsonNode n = JSON.readTree(json);
            if (n == null || !n.isObject()) throw new IllegalArgumentException("not a JSON object");
            JsonNode seqno = n.get("seqno");
            if (seqno == null || !seqno.isIntegralNumber() || !seqno.canConvertToLong()) {
                throw new IllegalArgumentException("needs \"seqno\", a whole number");
            }
            JsonNode epoch = n.get("epoch");
            if (epoch != null && (!epoch.isIntegralNumber() || !epoch.canConvertToLong() || epoch.asLong() < 0)) {
                throw new IllegalArgumentException("\"epoch\" must be a whole number of at least 0");
            }
            return new LogSourcePosition(seqno.asLong(), epoch == null ? -1 : epoch.asLong());
        } catch (Exception e) {
            throw new ConfigException("The stored position " + json + " in the job's position.json is not a relay log "
                    + "position (" + e.getMessage() + "). Was the state directory written by a job with another source "
                    + "type? Delete position.json to start from the beginning of the relay log.", e);
        }
    }

    @Override
    public String toString() {
        return "seqno " + seqno + (epoch >= 0 ? " (epoch " + epoch + ")" : "");
    }
}
