package io.aqueduct.core.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aqueduct.core.config.ConfigException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps the position in {@code STATE/position.json}, replaced atomically (write, fsync, rename, fsync directory)
 * so that a crash at any moment leaves either the old or the new position. A lock file keeps a second process
 * from running the same job on the same state.
 */
public final class FilePositionStore implements PositionStore {
    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * Directories this process holds. Needed because a second open in the same process cannot take the lock, and
     * closing its channel would drop the first one's lock (POSIX locks belong to the process).
     */
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();
    private final Path key;
    private final Path dir;
    private final Path file;
    private final FileChannel lockChannel;
    private final FileLock lock;

    public FilePositionStore(Path dir) {
        this.dir = dir;
        this.file = dir.resolve("position.json");
        this.key = dir.toAbsolutePath().normalize();
        if (!HELD.add(key)) throw inUse(dir);
        try {
            Files.createDirectories(dir);
            lockChannel = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock l;
            try {
                l = lockChannel.tryLock();
            } catch (OverlappingFileLockException e) {
                l = null;
            }
            if (l == null) {
                lockChannel.close();
                HELD.remove(key);
                throw inUse(dir);
            }
            lock = l;
        } catch (IOException e) {
            HELD.remove(key);
            throw new ConfigException("Cannot use state directory " + dir + ": " + e.getMessage()
                    + ". Check that the path is a writable directory.", e);
        }
    }

    private static ConfigException inUse(Path dir) {
        return new ConfigException("State directory " + dir + " is in use by another running Aqueduct job. "
                + "Stop that job first, or give this job its own state directory.");
    }

    public Path file() {
        return file;
    }

    @Override
    public Optional<String> load() {
        if (!Files.exists(file)) return Optional.empty();
        try {
            JsonNode root = JSON.readTree(Files.readString(file));
            JsonNode pos = root == null ? null : root.get("position");
            if (pos == null || !pos.isObject()) throw new IOException("no \"position\" object");
            return Optional.of(JSON.writeValueAsString(pos));
        } catch (IOException e) {
            throw new ConfigException("The stored position " + file + " is damaged (" + e.getMessage() + "). Restore "
                    + "it from a backup, or delete it to start again from the job's 'start' setting.", e);
        }
    }

    @Override
    public synchronized void save(String positionJson) {
        try {
            ObjectNode root = JSON.createObjectNode();
            root.set("position", JSON.readTree(positionJson));
            root.put("saved", Instant.now().toString());
            DurableFiles.replace(file, dir.resolve("position.json.tmp"), JSON.writerWithDefaultPrettyPrinter()
                    .writeValueAsString(root).getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot save position to " + file, e);
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
            lockChannel.close();
        } catch (IOException ignored) {
            // the lock goes away with the process anyway
        } finally {
            HELD.remove(key);
        }
    }
}
