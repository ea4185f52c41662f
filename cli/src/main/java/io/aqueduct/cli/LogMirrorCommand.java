package io.aqueduct.cli;

import io.aqueduct.core.config.ConfigException;
import io.aqueduct.core.config.ConfigNode;
import io.aqueduct.core.config.JobConfigLoader;
import io.aqueduct.core.pipeline.JobRunner;
import io.aqueduct.log.LogFiles;
import io.aqueduct.log.LogReaders;
import io.aqueduct.log.LogRetention;
import io.aqueduct.log.LogWriterOptions;
import io.aqueduct.log.RelayMirror;
import io.aqueduct.log.RelaySource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code aqueduct log mirror DIR}: keeps a copy of a relay server's log in DIR, until SIGTERM or SIGINT. */
@Command(name = "mirror", description = "Copy the log a relay server serves into a local directory, record by record, "
        + "and keep copying as it grows, until stopped with SIGTERM or SIGINT. The copy is a relay log like the original: "
        + "jobs on this machine read it (source type relay with a path) and `aqueduct log serve` serves it on.")
final class LogMirrorCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(LogMirrorCommand.class);

    @Parameters(paramLabel = "DIR", description = "The directory of the copy: empty or missing the first time, then the "
            + "same directory each time (copying continues where it stopped).")
    Path dir;

    @Option(names = "--host", required = true, description = "The relay server's host.")
    String host;

    @Option(names = "--port", description = "The relay server's port (default ${DEFAULT-VALUE}).")
    int port = JobConfigLoader.DEFAULT_RELAY_PORT;

    @Option(names = "--user", required = true, description = "The user to log in as.")
    String user;

    @Option(names = "--password-env", required = true, paramLabel = "VAR",
            description = "The environment variable holding the password (not the password itself, so that it does not "
                    + "show in the process list).")
    String passwordEnv;

    @Option(names = "--tls", description = "Connect over TLS, trusting the JVM's certificate authorities.")
    boolean tls;

    @Option(names = "--tls-trust", paramLabel = "FILE", description = "Connect over TLS, trusting this PEM certificate "
            + "(the server's --tls-cert, for a self-signed one).")
    Path trust;

    @Option(names = "--name", description = "The reader name the server knows this mirror by (default ${DEFAULT-VALUE}); "
            + "give each mirror of one server its own.")
    String name = "mirror";

    @Option(names = "--max-age", paramLabel = "DURATION", description = "Delete the copy's segments whose newest "
            + "transaction is older than this (90s, 30m, 12h, 7d), within what the copy's own readers still need; as a "
            + "log target's retention.max-age. Default: keep everything.")
    String maxAge;

    @Option(names = "--max-bytes", paramLabel = "SIZE", description = "Delete the copy's oldest segments while it is "
            + "larger than this (512MB, 20GB), within what the copy's own readers still need; as a log target's "
            + "retention.max-bytes. Default: no limit.")
    String maxBytes;

    @Override
    public Integer call() throws Exception {
        if (port < 1 || port > 65535) throw new ConfigException("--port must be from 1 to 65535, got " + port + ".");
        String password = LogServeCommand.password(passwordEnv);
        if (!LogReaders.isValidName(name)) {
            throw new ConfigException("--name '" + name + "' is not a valid reader name: use letters, digits, '.', '_' and "
                    + "'-', at most 100.");
        }
        if (trust != null && !Files.isReadable(trust)) {
            throw new ConfigException("Cannot read --tls-trust " + trust + ". Check the path and its permissions.");
        }
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new ConfigException(dir + " is a file. Give the mirror a directory of its own.");
        }
        if (Files.isDirectory(dir)) {
            long others;
            try (var files = Files.list(dir)) {
                others = files.map(p -> p.getFileName().toString()).filter(n -> !LogFiles.belongsToLog(n)).count();
            }
            if (others > 0) {
                LOG.warn("{} also holds {} file(s) that are not part of a relay log; give the copy a directory of its own, "
                        + "so that nobody mistakes or deletes its files", dir, others);
            }
        }
        RelaySource.Options options = new RelaySource.Options(host, port, user, password, false, null, name,
                RelaySource.Options.DEFAULT_TIMEOUT);
        if (tls || trust != null) options = options.withTls(trust);
        LogRetention.Policy retention = new LogRetention.Policy(
                maxAge == null ? null : ConfigNode.parseDuration(maxAge, "--max-age: "),
                maxBytes == null ? 0 : ConfigNode.parseBytes(maxBytes, "--max-bytes: "));
        RelayMirror mirror = new RelayMirror(options, dir, LogWriterOptions.defaults()).retention(retention);
        JobRunner runner = new JobRunner(() -> mirror, Duration.ofSeconds(30));
        try {
            Main.untilStopped(runner::run, runner::stop);
        } catch (IllegalStateException e) {
            if (!String.valueOf(e.getMessage()).startsWith("another writer")) throw e;
            throw new ConfigException("Cannot mirror into " + dir + ": " + e.getMessage() + ". Stop the other mirror or "
                    + "capture job writing there, or choose another directory.", e);
        }
        return 0;
    }
}
