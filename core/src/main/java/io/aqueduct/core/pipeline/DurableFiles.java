package io.aqueduct.core.pipeline;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** Small files replaced so that a crash at any moment leaves either the old or the new content. */
public final class DurableFiles {
    private DurableFiles() {}

    /**
     * Makes {@code content} the content of {@code file}: written to {@code temp} (in the same directory), forced,
     * renamed over {@code file} atomically, and the directory forced. The temporary file is gone afterwards, also when
     * this fails.
     */
    public static void replace(Path file, Path temp, byte[] content) throws IOException {
        try {
            try (FileChannel c = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE)) {
                ByteBuffer b = ByteBuffer.wrap(content);
                while (b.hasRemaining()) c.write(b);
                c.force(true);
            }
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot replace " + file + " atomically: the file system does not rename atomically; "
                        + "keep it on a local file system", e);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
        forceDirectory(file.toAbsolutePath().getParent());
    }

    /** Makes file creations, renames and deletions in {@code dir} durable. */
    public static void forceDirectory(Path dir) throws IOException {
        try (FileChannel c = FileChannel.open(dir, StandardOpenOption.READ)) {
            c.force(true);
        }
    }
}
