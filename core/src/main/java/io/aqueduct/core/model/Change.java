package io.aqueduct.core.model;

/** One change inside a transaction: a row change or a DDL statement. */
public sealed interface Change permits RowChange, Ddl {
    /** A rough heap-size estimate in bytes, used to bound queues. */
    long sizeEstimate();
}
