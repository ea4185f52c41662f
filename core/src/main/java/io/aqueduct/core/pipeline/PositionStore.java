package io.aqueduct.core.pipeline;

import java.util.Optional;

/** Remembers the last committed position of a job (lazy commit: only positions the sink reported). */
public interface PositionStore extends AutoCloseable {
    Optional<String> load();

    void save(String positionJson);

    @Override
    default void close() {}
}
