package io.aqueduct.core.config;

/** Where a source begins when it has no stored position. */
public sealed interface StartPosition {
    record Earliest() implements StartPosition {}

    record Latest() implements StartPosition {}

    record FileOffset(String file, long position) implements StartPosition {}

    record Gtid(String gtidSet) implements StartPosition {}
}
