package io.aqueduct.core.model;

import java.util.List;

/** A secondary index of a source table, for creating the target table with the same access paths. */
public record Index(String name, boolean unique, List<String> columns) {
    public Index {
        columns = List.copyOf(columns);
    }
}
