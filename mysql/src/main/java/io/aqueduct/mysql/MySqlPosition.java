package io.aqueduct.mysql;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aqueduct.core.config.ConfigException;
import io.aqueduct.core.model.Position;

/**
 * A transaction boundary in a MySQL/MariaDB binlog: the file and the offset of the first event after a commit, and
 * the GTID set executed up to there (empty when not known yet).
 */
public record MySqlPosition(String file, long offset, String gtids) implements Position {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public String toJson() {
        ObjectNode n = JSON.createObjectNode();
        n.put("file", file);
        n.put("position", offset);
        n.put("gtids", gtids == null ? "" : gtids);
        return n.toString();
    }

    public static MySqlPosition parse(String json) {
        try {
            JsonNode n = JSON.readTree(json);
            if (n == null || !n.hasNonNull("file") || !n.hasNonNull("position") || !n.get("position").canConvertToLong()) {
                throw new IllegalArgumentException("needs file and position");
            }
            String gtids = n.hasNonNull("gtids") ? n.get("gtids").asText() : "";
            return new MySqlPosition(n.get("file").asText(), n.get("position").asLong(), gtids);
        } catch (Exception e) {
            throw new ConfigException("The stored position " + json + " is not a MySQL binlog position (" + e.getMessage()
                    + "). Was the state directory written by a job with another source type? Delete position.json to "
                    + "start from the job's 'start' setting.", e);
        }
    }

    @Override
    public String toString() {
        return file + ":" + offset + (gtids == null || gtids.isEmpty() ? "" : " [" + gtids + "]");
    }
}
