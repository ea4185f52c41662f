package io.aqueduct.core.pipeline;

import io.aqueduct.core.model.Position;
import io.aqueduct.core.model.TableSchema;
import java.util.List;

/** Reads a database's change log and emits transactions in commit order. */
public interface Source extends AutoCloseable {
    /** Parses a stored position of this source type; throws with the file and fix when it is not one. */
    Position parsePosition(String json);

    /**
     * Resolves the configured start ({@code latest}, {@code earliest}, ...) to a concrete position now, so that a job
     * started at "latest" begins where the log stood when it started, not when its reader got going.
     */
    Position resolveStart() throws Exception;

    /**
     * Emits transactions from {@code from} (null: the configured start) into {@code out} until {@link #close()}
     * or a failure. Every emitted transaction is whole or a fragment sequence ending in a last fragment, unless
     * the source stops in the middle of one. Transactions whose changes were all filtered out are still emitted
     * (empty) so that positions keep moving.
     */
    void run(Position from, TransactionQueue out) throws Exception;

    /** The selected tables as they are now, to check routes against and to report. */
    List<TableSchema> tables() throws Exception;

    /**
     * Called after the job stored {@code position} durably: everything up to it is applied and will not be asked for
     * again. A source whose log is kept for its readers (a relay log) tells the log it may be released.
     */
    default void saved(Position position) {}

    /** Makes {@link #run} return soon. */
    @Override
    void close();
}
