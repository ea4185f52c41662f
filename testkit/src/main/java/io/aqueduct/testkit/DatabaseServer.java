package io.aqueduct.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real database server process in a private temp directory on a free loopback port. Lifecycle and JDBC helpers
 * are common; subclasses supply the commands.
 */
public abstract class DatabaseServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DatabaseServer.class);
    static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration POLL = Duration.ofMillis(50);

    private static final Set<DatabaseServer> LIVE = ConcurrentHashMap.newKeySet();

    static {
        // One hook for all servers; it disposes rather than stops cleanly because the data is deleted anyway.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (DatabaseServer server : List.copyOf(LIVE)) {
                try {
                    server.dispose();
                } catch (RuntimeException e) {
                    e.printStackTrace(); // logging may already be shut down; keep cleaning up the others
                }
            }
        }, "aqueduct-testkit-cleanup"));
    }

    private final Path dir;
    private final int port;
    private final boolean shared;
    private Process process;
    private boolean closed;

    DatabaseServer(Path dir, int port, boolean shared) {
        this.dir = dir;
        this.port = port;
        this.shared = shared;
        LIVE.add(this);
    }

    // ---- what subclasses provide -------------------------------------------------------------------------------

    /** Creates the data directory (install-db / initdb). */
    abstract void initialize();

    /** The command line that runs the server in the foreground. */
    abstract List<String> serverCommand();

    /** Where the server's stdout/stderr goes. */
    abstract Path consoleLog();

    /** Asks the server to shut down cleanly; the caller then waits for the process to exit. */
    abstract void requestShutdown();

    /** Cleans up after a SIGKILL so the next start is not refused. */
    void afterKill() {}

    /** Stops before the directory is deleted; nothing needs to survive, so the default is a SIGKILL. */
    void stopForDisposal() {
        kill();
    }

    public abstract String user();

    public abstract String password();

    public abstract String jdbcUrl(String database);

    /** The main log file, for diagnosing failures. */
    public abstract Path logFile();

    /** The server's data directory. */
    public abstract Path dataDir();

    /** Creates a database unless it already exists. */
    public abstract void createDatabase(String name);

    // ---- accessors ---------------------------------------------------------------------------------------------

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return port;
    }

    /** The temp directory holding data, logs and sockets; deleted by {@link #close()}. */
    public Path directory() {
        return dir;
    }

    // ---- JDBC --------------------------------------------------------------------------------------------------

    /** Opens a new connection; {@code database} may be null or empty for the server's default. */
    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), user(), password());
    }

    /** Runs each statement in order on one connection (autocommit). */
    public void execute(String database, String... sql) {
        try (Connection c = connect(database); Statement st = c.createStatement()) {
            for (String s : sql) {
                st.execute(s);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("SQL failed on " + this + ": " + e.getMessage(), e);
        }
    }

    /** Returns all rows as lists of {@code ResultSet.getObject} values. */
    public List<List<Object>> query(String database, String sql) {
        try (Connection c = connect(database); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            int columns = rs.getMetaData().getColumnCount();
            List<List<Object>> rows = new ArrayList<>();
            while (rs.next()) {
                List<Object> row = new ArrayList<>(columns);
                for (int i = 1; i <= columns; i++) {
                    row.add(rs.getObject(i));
                }
                rows.add(row);
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException("query failed on " + this + ": " + e.getMessage(), e);
        }
    }

    // ---- lifecycle ---------------------------------------------------------------------------------------------

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Initializes and starts a new server; on failure removes everything, the logs' tails being in the message. */
    final void bootstrap() {
        long start = System.nanoTime();
        try {
            initialize();
            launch();
        } catch (RuntimeException e) {
            dispose();
            throw e;
        }
        log.info("{} initialized and started in {} ms", this,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }

    /** Starts the server process and waits until a JDBC connection succeeds. */
    synchronized void launch() {
        if (closed) {
            throw new IllegalStateException(this + " is closed");
        }
        if (isRunning()) {
            throw new IllegalStateException(this + " is already running");
        }
        long start = System.nanoTime();
        long deadline = start + READY_TIMEOUT.toNanos();
        process = Processes.start(serverCommand(), dir, consoleLog());
        SQLException last;
        while (true) {
            try {
                connect(null).close();
                break;
            } catch (SQLException e) {
                last = e;
            }
            if (!process.isAlive()) {
                throw new IllegalStateException(this + " exited with code " + process.exitValue()
                        + " during startup" + diagnostics());
            }
            if (System.nanoTime() > deadline) {
                kill();
                throw new IllegalStateException(this + " not ready after " + READY_TIMEOUT + "; last error: "
                        + last.getMessage() + diagnostics(), last);
            }
            Processes.pause(POLL);
        }
        log.debug("{} ready in {} ms", this, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }

    /** Shuts the server down cleanly and waits for the process to exit; no-op if not running. */
    public synchronized void stop() {
        if (!isRunning()) {
            return;
        }
        try {
            requestShutdown();
        } catch (RuntimeException e) {
            log.warn("clean shutdown request failed for {}, sending SIGTERM", this, e);
            process.destroy();
        }
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("{} did not stop within {}, killing it", this, STOP_TIMEOUT);
                kill();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping " + this, e);
        }
    }

    /** Simulates a crash: SIGKILLs the server and all its child processes and waits until they are gone. */
    public synchronized void kill() {
        if (!isRunning()) {
            return;
        }
        // Children too: a surviving PostgreSQL backend keeps shared memory attached and blocks the restart.
        List<ProcessHandle> tree = Stream.concat(Stream.of(process.toHandle()), process.descendants()).toList();
        tree.forEach(ProcessHandle::destroyForcibly);
        try {
            // waitFor, not just awaitDeath: our own child counts as running until the JDK has reaped it.
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    || !Processes.awaitDeath(tree, STOP_TIMEOUT)) {
                throw new IllegalStateException("processes of " + this + " survived SIGKILL: " + tree);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while killing " + this, e);
        }
        afterKill();
    }

    /** Stops the server if it is running, then starts it again on the same port and data directory. */
    public synchronized void restart() {
        stop();
        launch();
    }

    /**
     * Stops the server and deletes its directory. A no-op on the shared instance, which other tests in the JVM
     * keep using; it is disposed of by the shutdown hook.
     */
    @Override
    public void close() {
        if (!shared) {
            dispose();
        }
    }

    synchronized void dispose() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (isRunning()) {
                stopForDisposal();
            }
        } finally {
            LIVE.remove(this);
            Processes.deleteRecursively(dir);
        }
    }

    /** Log tails for failure messages. */
    String diagnostics() {
        String text = Processes.tail(logFile());
        Path console = consoleLog();
        try {
            if (!console.equals(logFile()) && Files.exists(console) && Files.size(console) > 0) {
                text += Processes.tail(console);
            }
        } catch (java.io.IOException ignored) {
            // best effort: diagnostics must not hide the original failure
        }
        return text;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + host() + ":" + port + ", " + dir + "]";
    }
}
