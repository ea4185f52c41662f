package io.aqueduct.log;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;

/**
 * Compresses and decompresses record payloads with one codec, as the writer and readers do. Holds native state: one per
 * thread, closed after use.
 */
public final class Compressor implements AutoCloseable {
    private static final int ZSTD_LEVEL = 3;

    private final Codec codec;
    private final LZ4Compressor lz4;
    private final LZ4SafeDecompressor lz4Safe;
    private ZstdCompressCtx zstdOut;
    private ZstdDecompressCtx zstdIn;

    public Compressor(Codec codec) {
        this.codec = codec;
        LZ4Factory factory = codec == Codec.LZ4 ? LZ4Factory.fastestInstance() : null;
        lz4 = factory == null ? null : factory.fastCompressor();
        lz4Safe = factory == null ? null : factory.safeDecompressor();
    }

    Codec codec() {
        return codec;
    }

    public int maxCompressedLength(int rawLength) {
        return switch (codec) {
            case NONE -> rawLength;
            case LZ4 -> lz4.maxCompressedLength(rawLength);
            case ZSTD -> Math.toIntExact(Zstd.compressBound(rawLength));
        };
    }

    /** Compresses {@code src[srcOff, srcOff+srcLen)} into {@code dst} at {@code dstOff}; returns the compressed length. */
    public int compress(byte[] src, int srcOff, int srcLen, byte[] dst, int dstOff) {
        int room = dst.length - dstOff;
        return switch (codec) {
            case NONE -> {
                System.arraycopy(src, srcOff, dst, dstOff, srcLen);
                yield srcLen;
            }
            case LZ4 -> lz4.compress(src, srcOff, srcLen, dst, dstOff, room);
            case ZSTD -> {
                if (zstdOut == null) zstdOut = new ZstdCompressCtx().setLevel(ZSTD_LEVEL);
                yield zstdOut.compressByteArray(dst, dstOff, room, src, srcOff, srcLen);
            }
        };
    }

    /**
     * Decompresses {@code src[srcOff, srcOff+srcLen)} into {@code dst[0, rawLength)}.
     *
     * @throws IllegalStateException when the data does not decompress to exactly {@code rawLength} bytes
     */
    public void decompress(byte[] src, int srcOff, int srcLen, byte[] dst, int rawLength) {
        int n = switch (codec) {
            case NONE -> {
                if (srcLen != rawLength) yield srcLen;
                System.arraycopy(src, srcOff, dst, 0, srcLen);
                yield srcLen;
            }
            case LZ4 -> lz4Safe.decompress(src, srcOff, srcLen, dst, 0, rawLength);
            case ZSTD -> {
                if (zstdIn == null) zstdIn = new ZstdDecompressCtx();
                yield zstdIn.decompressByteArray(dst, 0, rawLength, src, srcOff, srcLen);
            }
        };
        if (n != rawLength) {
            throw new IllegalStateException(codec + " payload decompressed to " + n + " bytes, the record says " + rawLength);
        }
    }

    @Override
    public void close() {
        if (zstdOut != null) zstdOut.close();
        if (zstdIn != null) zstdIn.close();
    }
}
