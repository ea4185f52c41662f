package io.aqueduct.testkit;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Process, file and binary-lookup helpers shared by the server classes. */
final class Processes {
    // Short and fixed rather than java.io.tmpdir: unix socket paths are limited to ~107 bytes, and the postgres
    // user must be able to traverse every parent directory.
    private static final Path TEMP_BASE = Path.of("/tmp");

    private Processes() {}

    /** Creates /tmp/aqueduct-testkit-KIND-XXXX. */
    static Path createTempDir(String kind) {
        try {
            return Files.createTempDirectory(TEMP_BASE, "aqueduct-testkit-" + kind + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts a long-running process with stdout+stderr appended to {@code log}. */
    static Process start(List<String> command, Path workDir, Path log) {
        try {
            return builder(command, workDir, log).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    /** Runs a command to completion and returns its exit code; output is appended to {@code log}. */
    static int run(List<String> command, Path workDir, Path log, Duration timeout) {
        Process p = start(command, workDir, log);
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("timed out after " + timeout + ": " + String.join(" ", command)
                        + tail(log));
            }
            return p.exitValue();
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command, e);
        }
    }

    /** Like {@link #run} but throws with the log tail unless the exit code is 0. */
    static void runOrThrow(List<String> command, Path workDir, Path log, Duration timeout) {
        int code = run(command, workDir, log, timeout);
        if (code != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed with exit code " + code + tail(log));
        }
    }

    private static ProcessBuilder builder(List<String> command, Path workDir, Path log) {
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true)
                // A file, not a pipe: nobody has to drain it, and a daemon inheriting it cannot block us.
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        // A developer's client settings (MYSQL_PWD, PGPORT, PGDATA, ...) must not redirect or authenticate our tools.
        pb.environment().keySet().removeIf(k -> k.startsWith("PG") || k.startsWith("MYSQL"));
        return pb;
    }

    /** The last lines of a log file, formatted to be appended to an exception message. */
    static String tail(Path file) {
        if (!Files.exists(file)) {
            return "\n(" + file + " does not exist)";
        }
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.ISO_8859_1);
            List<String> last = lines.subList(Math.max(0, lines.size() - 40), lines.size());
            return "\n--- last " + last.size() + " lines of " + file + " ---\n" + String.join("\n", last);
        } catch (IOException e) {
            return "\n(cannot read " + file + ": " + e + ")";
        }
    }

    /**
     * Looks for an executable in {@code dirs}, then on PATH.
     *
     * @throws IllegalStateException naming the binary and the Debian package that provides it
     */
    static Path findBinary(String name, String debianPackage, List<Path> dirs) {
        List<Path> candidates = new ArrayList<>(dirs);
        String path = System.getenv("PATH");
        if (path != null) {
            for (String d : path.split(File.pathSeparator)) {
                if (!d.isEmpty()) {
                    candidates.add(Path.of(d));
                }
            }
        }
        for (Path dir : candidates) {
            Path p = dir.resolve(name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p;
            }
        }
        throw new IllegalStateException("Required binary '" + name + "' not found in " + dirs + " or PATH. "
                + "Install it with: apt-get update && apt-get install -y " + debianPackage);
    }

    /**
     * Unlike {@link ProcessHandle#isAlive()}, treats zombies as dead: killed PostgreSQL backends are orphaned to
     * init, which in some containers and VMs reaps them only seconds later, or never.
     */
    static boolean isAlive(ProcessHandle handle) {
        if (!handle.isAlive()) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc/" + handle.pid() + "/stat"));
            // Format: "pid (comm) S ..."; comm may contain spaces and parentheses, so look after the last ')'.
            int i = stat.lastIndexOf(')');
            return i < 0 || i + 2 >= stat.length() || stat.charAt(i + 2) != 'Z';
        } catch (IOException e) {
            return handle.isAlive(); // no /proc: trust the JDK
        }
    }

    /** Waits until all processes are dead (or zombies); false on timeout. */
    static boolean awaitDeath(Collection<ProcessHandle> handles, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (handles.stream().anyMatch(Processes::isAlive)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            pause(Duration.ofMillis(20));
        }
        return true;
    }

    /** The wait between two polls of a process or server state (ready, exited), each loop bounded by a deadline. */
    static void pause(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    static void chmod755(Path dir) {
        try {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteRecursively(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root, e);
        }
    }

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }
}
