package io.aqueduct.log;

import io.aqueduct.core.model.Position;
import java.util.Objects;

/**
 * A source position read back from the log. The log stores only a position's JSON form; the source type that wrote it
 * parses this JSON again when it needs its own position type.
 */
public record LoggedPosition(String json) implements Position {
    public LoggedPosition {
        Objects.requireNonNull(json, "json");
    }

    @Override
    public String toJson() {
        return json;
    }
}
