package io.aqueduct.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A PostgreSQL server with {@code wal_level=logical}, trust authentication and superuser {@code postgres}.
 *
 * <p>The postmaster runs in the foreground as a child of this JVM (not daemonized by {@code pg_ctl start}) so that
 * it can be killed, awaited and reaped exactly like MariaDB, and dies with its process tree instead of being
 * orphaned to an init that may reap it late.
 */
public final class PostgresServer extends DatabaseServer {
    private static final Path VERSIONS_DIR = Path.of("/usr/lib/postgresql");
    private static final String OS_USER = "postgres";
    private static PostgresServer shared;

    private final Path binDir;
    private final List<String> extraArgs;

    private PostgresServer(Path dir, int port, boolean shared, Path binDir, List<String> extraArgs) {
        super(dir, port, shared);
        this.binDir = binDir;
        this.extraArgs = List.copyOf(extraArgs);
    }

    /**
     * The JVM-wide instance, started on first use and removed at JVM exit. {@link #close()} is a no-op on it; if a
     * test stopped or killed it, it is restarted here.
     */
    public static synchronized PostgresServer shared() {
        if (shared == null) {
            shared = create(List.of(), true);
        } else if (!shared.isRunning()) {
            shared.restart();
        }
        return shared;
    }

    /** A private instance; the caller closes it (or it is removed at JVM exit). */
    public static PostgresServer start() {
        return start(List.of());
    }

    /** A private instance with extra postgres arguments, which override the defaults, e.g. "-c", "wal_level=replica". */
    public static PostgresServer start(List<String> extraArgs) {
        return create(extraArgs, false);
    }

    private static PostgresServer create(List<String> extraArgs, boolean shared) {
        Path binDir = findBinDir();
        PostgresServer server = new PostgresServer(Processes.createTempDir("postgres"), FreePort.find(), shared,
                binDir, extraArgs);
        server.bootstrap();
        return server;
    }

    @Override
    void initialize() {
        if (Processes.isRoot()) {
            // PostgreSQL refuses to run as root; its user needs to own the directory for data, log and socket.
            Processes.chmod755(directory());
            try {
                UserPrincipalLookupService users = directory().getFileSystem().getUserPrincipalLookupService();
                Files.setOwner(directory(), users.lookupPrincipalByName(OS_USER));
            } catch (IOException e) {
                throw new IllegalStateException("cannot hand " + directory() + " to OS user '" + OS_USER
                        + "' (created by: apt-get update && apt-get install -y postgresql)", e);
            }
        }
        Processes.runOrThrow(asPostgres(List.of(binDir.resolve("initdb").toString(), "--auth=trust", "-E", "UTF8",
                "--locale=C.UTF-8", "--no-sync", "--no-instructions", "--username=postgres",
                "-D", dataDir().toString())),
                directory(), directory().resolve("initdb.log"), Duration.ofMinutes(2));
    }

    /** Highest version under /usr/lib/postgresql/N/bin, else initdb's directory on PATH. */
    static Path findBinDir() {
        if (Files.isDirectory(VERSIONS_DIR)) {
            try (Stream<Path> versions = Files.list(VERSIONS_DIR)) {
                Optional<Path> best = versions
                        .filter(v -> Files.isExecutable(v.resolve("bin/initdb")))
                        .max(Comparator.comparing(v -> v.getFileName().toString(), PostgresServer::compareVersions));
                if (best.isPresent()) {
                    return best.get().resolve("bin");
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return Processes.findBinary("initdb", "postgresql", List.of(VERSIONS_DIR.resolve("*/bin"))).getParent();
    }

    static int compareVersions(String a, String b) {
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            int c = Integer.compare(number(x, i), number(y, i));
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    private static int number(String[] parts, int i) {
        try {
            return i < parts.length ? Integer.parseInt(parts[i]) : 0;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Runs the command as OS user postgres when we are root; setpriv execs in place, so no extra parent process. */
    private List<String> asPostgres(List<String> command) {
        if (!Processes.isRoot()) {
            return command;
        }
        List<String> cmd = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/setpriv"))) {
            cmd.addAll(List.of("/usr/bin/setpriv", "--reuid=" + OS_USER, "--regid=" + OS_USER, "--init-groups", "--"));
        } else {
            cmd.addAll(List.of("runuser", "-u", OS_USER, "--"));
        }
        cmd.addAll(command);
        return cmd;
    }

    @Override
    List<String> serverCommand() {
        List<String> cmd = new ArrayList<>(List.of(binDir.resolve("postgres").toString(),
                "-D", dataDir().toString(), "-p", String.valueOf(port()),
                "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=" + directory(),
                "-c", "wal_level=logical", "-c", "max_replication_slots=10", "-c", "max_wal_senders=10",
                // synchronous_commit=on: with fsync=off it costs nothing measurable, while "off" leaves commits in
                // WAL buffers for up to ~600 ms, so kill() would randomly lose committed rows. MariaDB's settings
                // (flush-log-at-trx-commit=2, sync-binlog=0) likewise survive a process kill, just not an OS crash.
                "-c", "fsync=off", "-c", "synchronous_commit=on", "-c", "full_page_writes=off",
                "-c", "max_connections=200", "-c", "timezone=UTC"));
        cmd.addAll(extraArgs); // last wins for repeated -c settings
        return asPostgres(cmd);
    }

    @Override
    Path consoleLog() {
        return logFile();
    }

    @Override
    void requestShutdown() {
        pgCtlStop("fast");
    }

    /** Immediate mode skips the checkpoint but, unlike SIGKILL, still removes the SysV shared memory segment. */
    @Override
    void stopForDisposal() {
        try {
            pgCtlStop("immediate");
        } catch (RuntimeException e) {
            // fall through: the SIGKILL below still frees the port and the directory
        }
        kill();
    }

    private void pgCtlStop(String mode) {
        Processes.runOrThrow(asPostgres(List.of(binDir.resolve("pg_ctl").toString(), "-D", dataDir().toString(),
                "-m", mode, "-w", "-t", String.valueOf(STOP_TIMEOUT.toSeconds()), "stop")),
                directory(), directory().resolve("pg_ctl.log"), STOP_TIMEOUT.plusSeconds(5));
    }

    /**
     * The postmaster is dead and reaped, but its lock files remain; if its pid got reused meanwhile, the next
     * postmaster would refuse to start, so remove them.
     */
    @Override
    void afterKill() {
        try {
            Files.deleteIfExists(dataDir().resolve("postmaster.pid"));
            Files.deleteIfExists(directory().resolve(".s.PGSQL." + port() + ".lock"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Path dataDir() {
        return directory().resolve("data");
    }

    @Override
    public Path logFile() {
        return directory().resolve("pg.log");
    }

    @Override
    public String user() {
        return "postgres";
    }

    @Override
    public String password() {
        return "";
    }

    /** {@code database} null or empty means "postgres". */
    @Override
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://" + host() + ":" + port() + "/"
                + (database == null || database.isEmpty() ? "postgres" : database);
    }

    @Override
    public void createDatabase(String name) {
        try {
            execute("postgres", "CREATE DATABASE \"" + name.replace("\"", "\"\"") + "\"");
        } catch (IllegalStateException e) {
            if (!(e.getCause() instanceof SQLException sql) || !"42P04".equals(sql.getSQLState())) {
                throw e; // 42P04 = duplicate_database
            }
        }
    }
}
