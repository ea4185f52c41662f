package io.aqueduct.log;

/**
 * How record payloads of a segment are compressed. The choice is stored in each segment's header by its id, so the
 * ids never change meaning.
 */
public enum Codec {
    /** Stored as encoded. */
    NONE(0),
    /** LZ4 block format: fast, about half the size on row data. The default. */
    LZ4(1),
    /** Zstandard at level 3: smaller than LZ4, slower to write. */
    ZSTD(2);

    private final int id;

    Codec(int id) {
        this.id = id;
    }

    /** The byte stored in segment headers. */
    public int id() {
        return id;
    }

    /** The codec with that header id, or null when this build does not know it. */
    public static Codec byId(int id) {
        for (Codec c : values()) if (c.id == id) return c;
        return null;
    }
}
