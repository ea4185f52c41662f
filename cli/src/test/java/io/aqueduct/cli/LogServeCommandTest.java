package io.aqueduct.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input to {@code aqueduct log serve}: one sentence with the fix, exit 2, and no server left running. */
class LogServeCommandTest {
    @TempDir
    Path dir;

    private CommandLineIT.Result serve(String... extra) {
        String[] args = new String[6 + extra.length];
        args[0] = "log";
        args[1] = "serve";
        args[2] = dir.resolve("relay").toString();
        args[3] = "--user";
        args[4] = "reader";
        args[5] = "--host=127.0.0.1";
        System.arraycopy(extra, 0, args, 6, extra.length);
        return CommandLineIT.aqueduct(args);
    }

    @Test
    void aMissingPasswordVariableIsExplained() throws Exception {
        Files.createDirectories(dir.resolve("relay"));
        CommandLineIT.Result r = serve("--password-env", "AQUEDUCT_TEST_NO_SUCH_VARIABLE");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("the environment variable AQUEDUCT_TEST_NO_SUCH_VARIABLE is not set")
                .doesNotContain("\tat ");
    }

    @Test
    void badDirectoriesFilesAndPortsAreExplained() throws Exception {
        // PATH is set in every environment the tests run in: it stands in for the password variable
        CommandLineIT.Result noLog = serve("--password-env", "PATH");
        assertThat(noLog.code()).isEqualTo(2);
        assertThat(noLog.err()).contains("There is no relay log directory " + dir.resolve("relay"));

        Files.createDirectories(dir.resolve("relay"));
        CommandLineIT.Result half = serve("--password-env", "PATH", "--tls-cert", dir.resolve("cert.pem").toString());
        assertThat(half.code()).isEqualTo(2);
        assertThat(half.err()).contains("TLS needs both --tls-cert");

        CommandLineIT.Result missing = serve("--password-env", "PATH", "--tls-cert", dir.resolve("cert.pem").toString(),
                "--tls-key", dir.resolve("key.pem").toString());
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("Cannot read " + dir.resolve("cert.pem"));

        Files.writeString(dir.resolve("cert.pem"), "not a certificate");
        Files.writeString(dir.resolve("key.pem"), "not a key");
        CommandLineIT.Result garbage = serve("--password-env", "PATH", "--tls-cert", dir.resolve("cert.pem").toString(),
                "--tls-key", dir.resolve("key.pem").toString());
        assertThat(garbage.code()).isEqualTo(2);
        assertThat(garbage.err()).contains("Cannot use the TLS certificate " + dir.resolve("cert.pem")).contains("openssl req");

        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CommandLineIT.Result busy = serve("--password-env", "PATH", "--port", String.valueOf(taken.getLocalPort()));
            assertThat(busy.code()).isEqualTo(2);
            assertThat(busy.err()).contains("The relay server cannot listen on 127.0.0.1:" + taken.getLocalPort())
                    .contains("Choose another --port");
        }
        CommandLineIT.Result badPort = serve("--password-env", "PATH", "--port", "70000");
        assertThat(badPort.code()).isEqualTo(2);
        assertThat(badPort.err()).contains("--port must be from 1 to 65535");
    }
}
