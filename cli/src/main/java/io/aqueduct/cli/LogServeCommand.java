package io.aqueduct.cli;

import io.aqueduct.core.config.ConfigException;
import io.aqueduct.core.config.JobConfigLoader;
import io.aqueduct.log.RelayServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code aqueduct log serve DIR}: a relay server for a relay log directory, until SIGTERM or SIGINT. */
@Command(name = "serve", description = "Serve a relay log over TCP to downstream jobs (source type relay with host and "
        + "port), until stopped with SIGTERM or SIGINT.")
final class LogServeCommand implements Callable<Integer> {
    @Parameters(paramLabel = "DIR", description = "The relay log directory (a capture job's target.path).")
    Path dir;

    @Option(names = "--port", description = "Port to listen on (default ${DEFAULT-VALUE}).")
    int port = JobConfigLoader.DEFAULT_RELAY_PORT;

    @Option(names = "--host", description = "Address to listen on (default ${DEFAULT-VALUE}: every interface).")
    String host = "0.0.0.0";

    @Option(names = "--user", required = true, description = "The user readers log in as.")
    String user;

    @Option(names = "--password-env", required = true, paramLabel = "VAR",
            description = "The environment variable holding readers' password (not the password itself, so that it "
                    + "does not show in the process list).")
    String passwordEnv;

    @Option(names = "--tls-cert", paramLabel = "FILE", description = "PEM certificate: serve over TLS.")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "PEM (PKCS#8) private key of --tls-cert.")
    Path tlsKey;

    @Override
    public Integer call() throws Exception {
        if (port < 1 || port > 65535) throw new ConfigException("--port must be from 1 to 65535, got " + port + ".");
        String password = password(passwordEnv);
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new ConfigException("TLS needs both --tls-cert (PEM certificate) and --tls-key (its PEM private key).");
        }
        for (Path p : new Path[] {tlsCert, tlsKey}) {
            if (p != null && !Files.isReadable(p)) throw new ConfigException("Cannot read " + p + ". Check the path and its permissions.");
        }
        RelayServer.Options options = RelayServer.Options.plain(host, port, user, password);
        if (tlsCert != null) options = options.withTls(tlsCert, tlsKey);
        RelayServer server = new RelayServer(dir, options).start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            System.err.flush();
            // a signal-initiated exit would report 128+signal; a clean stop is a success
            Runtime.getRuntime().halt(0);
        }, "shutdown"));
        new CountDownLatch(1).await(); // until the signal
        return 0;
    }

    /** The password in the environment variable {@code --password-env} names, or what to do when there is none. */
    static String password(String variable) {
        String password = System.getenv(variable);
        if (password == null || password.isEmpty()) {
            throw new ConfigException("--password-env " + variable + ": the environment variable " + variable + " is "
                    + (password == null ? "not set" : "empty") + ". Set it to the relay server's password, for example: "
                    + "export " + variable + "='...'");
        }
        return password;
    }
}
