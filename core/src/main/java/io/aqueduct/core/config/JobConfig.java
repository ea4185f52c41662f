package io.aqueduct.core.config;

import java.nio.file.Path;
import java.util.List;

/**
 * One job: a source, the tables to take, routes, a target, and where state lives.
 *
 * @param include       regexes on {@code schema.table}, anchored, case-insensitive; empty means all tables
 * @param exclude       regexes removed from the included set
 * @param snapshot      the mode, and how the initial snapshot reads
 * @param lanes         parallel apply lanes (target connections)
 * @param batchRows     most rows one target commit carries
 * @param queueBytes    bytes of changes held between source and target
 * @param fragmentBytes a transaction larger than this is streamed in fragments
 * @param statusSeconds how often the job logs throughput, lag and position
 */
public record JobConfig(
        String name,
        Endpoint source,
        Endpoint target,
        List<String> include,
        List<String> exclude,
        Routes routes,
        SnapshotSettings snapshot,
        Path state,
        int lanes,
        int batchRows,
        long queueBytes,
        long fragmentBytes,
        int statusSeconds) {}
