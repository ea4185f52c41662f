package io.aqueduct.core.model;

/**
 * Where a source can resume: a transaction boundary. Each source has its own implementation; the pipeline
 * treats it as opaque and stores its JSON form.
 */
public interface Position {
    /** A stable JSON object that the same source type parses back. */
    String toJson();
}
