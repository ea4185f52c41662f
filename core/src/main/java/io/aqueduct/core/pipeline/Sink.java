package io.aqueduct.core.pipeline;

import io.aqueduct.core.model.Transaction;
import java.util.List;

/**
 * Applies transactions to a target. The {@link io.aqueduct.core.apply.ApplyEngine} calls it from one thread per
 * lane and guarantees: each lane receives transactions in source order; two lanes never hold changes to the same
 * row at the same time; a DDL transaction or a fragment arrives alone on lane 0 while every other lane is idle.
 */
public interface Sink extends AutoCloseable {
    /** How many lanes (target connections) to apply on in parallel. */
    int lanes();

    /** Connects and checks the target; throws a {@link io.aqueduct.core.config.ConfigException} for user errors. */
    void open() throws Exception;

    /**
     * Applies the batch on the lane as one durable target transaction and returns once it is committed. When the
     * batch ends in a fragment that is not the last, the target transaction stays open for the next fragment.
     */
    void apply(int lane, List<Transaction> batch) throws Exception;

    @Override
    void close();
}
