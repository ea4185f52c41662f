package io.aqueduct.core.model;

/**
 * A row-level change. {@code before} is null for inserts, {@code after} is null for deletes. Values are
 * positional after {@code schema.columns()} and typed (see {@link Values}).
 */
public record RowChange(TableSchema schema, Op op, Object[] before, Object[] after) implements Change {

    public enum Op { INSERT, UPDATE, DELETE }

    /** The bytes {@link #sizeEstimate} counts for the change itself, beside its values. */
    static final long OVERHEAD = 48;

    public RowChange {
        if ((op == Op.INSERT) != (before == null) || (op == Op.DELETE) != (after == null)) {
            throw new IllegalArgumentException(op + " with before=" + (before != null) + " after=" + (after != null));
        }
    }

    public TableId table() {
        return schema.id();
    }

    @Override
    public long sizeEstimate() {
        return OVERHEAD + Values.sizeEstimate(before) + Values.sizeEstimate(after);
    }
}
