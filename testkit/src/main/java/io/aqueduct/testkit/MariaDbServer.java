package io.aqueduct.testkit;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A MariaDB server with binary logging set up for row-based CDC (ROW format, FULL row image and metadata, strict
 * GTIDs). Root has an empty password.
 */
public final class MariaDbServer extends DatabaseServer {
    private static final List<Path> SBIN_DIRS = List.of(Path.of("/usr/sbin"), Path.of("/usr/bin"));
    private static final String PACKAGE = "mariadb-server";
    private static MariaDbServer shared;

    private final int serverId;
    private final List<String> extraArgs;
    private final Path mariadbd;
    private final Path installDb;
    private final Path admin;

    private MariaDbServer(Path dir, int port, boolean shared, int serverId, List<String> extraArgs, Path mariadbd,
            Path installDb, Path admin) {
        super(dir, port, shared);
        this.serverId = serverId;
        this.extraArgs = List.copyOf(extraArgs);
        this.mariadbd = mariadbd;
        this.installDb = installDb;
        this.admin = admin;
    }

    /**
     * The JVM-wide instance (server-id 1), started on first use and removed at JVM exit. {@link #close()} is a
     * no-op on it; if a test stopped or killed it, it is restarted here.
     */
    public static synchronized MariaDbServer shared() {
        if (shared == null) {
            shared = create(1, List.of(), true);
        } else if (!shared.isRunning()) {
            shared.restart();
        }
        return shared;
    }

    /** A private instance; the caller closes it (or it is removed at JVM exit). */
    public static MariaDbServer start(int serverId) {
        return start(serverId, List.of());
    }

    /** A private instance with extra mariadbd options, which override the defaults, e.g. --binlog-format=STATEMENT. */
    public static MariaDbServer start(int serverId, List<String> extraArgs) {
        return create(serverId, extraArgs, false);
    }

    private static MariaDbServer create(int serverId, List<String> extraArgs, boolean shared) {
        Path mariadbd = Processes.findBinary("mariadbd", PACKAGE, SBIN_DIRS);
        Path installDb = Processes.findBinary("mariadb-install-db", PACKAGE, SBIN_DIRS);
        Path admin = Processes.findBinary("mariadb-admin", PACKAGE, SBIN_DIRS);
        MariaDbServer server = new MariaDbServer(Processes.createTempDir("mariadb"), FreePort.find(), shared,
                serverId, extraArgs, mariadbd, installDb, admin);
        server.bootstrap();
        return server;
    }

    @Override
    void initialize() {
        Processes.runOrThrow(List.of(installDb.toString(), "--no-defaults", "--user=root", "--datadir=" + dataDir(),
                "--tmpdir=" + directory(), // install-db's temporary tables must not meet another instance's in /tmp
                "--auth-root-authentication-method=normal", "--skip-test-db"),
                directory(), directory().resolve("install.log"), Duration.ofMinutes(2));
    }

    @Override
    List<String> serverCommand() {
        Path dir = directory();
        List<String> cmd = new ArrayList<>(List.of(mariadbd.toString(), "--no-defaults", "--user=root",
                "--datadir=" + dataDir(), "--tmpdir=" + directory(), "--port=" + port(), "--bind-address=127.0.0.1",
                "--socket=" + dir.resolve("sock"), "--log-bin=mysql-bin", "--binlog-format=ROW",
                "--binlog-row-image=FULL", "--binlog-row-metadata=FULL", "--server-id=" + serverId,
                "--skip-name-resolve", "--gtid-strict-mode=1", "--log-error=" + logFile(),
                "--pid-file=" + dir.resolve("pid"), "--innodb-buffer-pool-size=256M",
                "--innodb-flush-log-at-trx-commit=2", "--sync-binlog=0", "--max-connections=500",
                "--character-set-server=utf8mb4", "--collation-server=utf8mb4_general_ci",
                "--default-time-zone=+00:00", "--max-allowed-packet=256M"));
        cmd.addAll(extraArgs); // last wins in mariadbd's option parsing
        return cmd;
    }

    @Override
    Path consoleLog() {
        return directory().resolve("mariadbd.out");
    }

    @Override
    void requestShutdown() {
        Processes.runOrThrow(List.of(admin.toString(), "--no-defaults", "-uroot",
                "--socket=" + directory().resolve("sock"), "shutdown"),
                directory(), directory().resolve("admin.log"), STOP_TIMEOUT);
    }

    public int serverId() {
        return serverId;
    }

    @Override
    public Path dataDir() {
        return directory().resolve("data");
    }

    @Override
    public Path logFile() {
        return directory().resolve("error.log");
    }

    @Override
    public String user() {
        return "root";
    }

    @Override
    public String password() {
        return "";
    }

    @Override
    public String jdbcUrl(String database) {
        return "jdbc:mariadb://" + host() + ":" + port() + "/" + (database == null ? "" : database)
                + "?allowMultiQueries=true&rewriteBatchedStatements=false";
    }

    @Override
    public void createDatabase(String name) {
        execute(null, "CREATE DATABASE IF NOT EXISTS `" + name.replace("`", "``") + "`");
    }
}
