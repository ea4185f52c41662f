package io.aqueduct.core.config;

/**
 * The job's {@code mode} and how its initial snapshot reads.
 *
 * @param mode        {@code full+incremental} (copy the selected tables, then follow the log), {@code full} (copy
 *                    them and stop) or {@code incremental} (follow the log from {@code source.start} only)
 * @param parallelism chunks read at once, each on its own source connection
 * @param chunkRows   rows per chunk of a table with a key
 */
public record SnapshotSettings(String mode, int parallelism, int chunkRows) {
    public static final SnapshotSettings INCREMENTAL = new SnapshotSettings("incremental", 4, 10_000);

    public boolean copies() {
        return !mode.equals("incremental");
    }

    public boolean follows() {
        return !mode.equals("full");
    }
}
