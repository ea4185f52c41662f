package io.aqueduct.core.model;

/** The values at some positions of a row (its key columns, or all of them), with {@link Values#same} equality. */
public final class RowKey {
    private final Object[] values;
    private final int hash;

    public RowKey(Object[] row, int[] positions) {
        values = new Object[positions.length];
        int h = 1;
        for (int i = 0; i < positions.length; i++) {
            values[i] = row[positions[i]];
            h = h * 31 + Values.hash(values[i]);
        }
        hash = h;
    }

    public Object[] values() {
        return values;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof RowKey k) || k.hash != hash) return false;
        for (int i = 0; i < values.length; i++) if (!Values.same(values[i], k.values[i])) return false;
        return true;
    }

    @Override
    public int hashCode() {
        return hash;
    }
}
