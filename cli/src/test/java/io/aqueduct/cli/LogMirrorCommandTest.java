package io.aqueduct.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.aqueduct.log.LogFiles;
import io.aqueduct.log.RelayServer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input to {@code aqueduct log mirror}: one sentence with the fix, exit 2, and nothing written. */
class LogMirrorCommandTest {
    @TempDir
    Path dir;

    private CommandLineIT.Result mirror(String... extra) {
        String[] args = new String[8 + extra.length];
        args[0] = "log";
        args[1] = "mirror";
        args[2] = dir.resolve("copy").toString();
        args[3] = "--host=127.0.0.1";
        args[4] = "--user";
        args[5] = "relay";
        // PATH is set in every environment the tests run in: it stands in for the password variable
        args[6] = "--password-env";
        args[7] = "PATH";
        System.arraycopy(extra, 0, args, 8, extra.length);
        return CommandLineIT.aqueduct(args);
    }

    @Test
    void badArgumentsAreExplained() throws Exception {
        CommandLineIT.Result noVariable = CommandLineIT.aqueduct("log", "mirror", dir.resolve("copy").toString(),
                "--host=127.0.0.1", "--user", "relay", "--password-env", "AQUEDUCT_TEST_NO_SUCH_VARIABLE");
        assertThat(noVariable.code()).isEqualTo(2);
        assertThat(noVariable.err()).contains("the environment variable AQUEDUCT_TEST_NO_SUCH_VARIABLE is not set")
                .doesNotContain("\tat ");

        CommandLineIT.Result badName = mirror("--name", "a b");
        assertThat(badName.code()).isEqualTo(2);
        assertThat(badName.err()).contains("--name 'a b' is not a valid reader name");

        CommandLineIT.Result badPort = mirror("--port", "0");
        assertThat(badPort.code()).isEqualTo(2);
        assertThat(badPort.err()).contains("--port must be from 1 to 65535");

        CommandLineIT.Result noTrust = mirror("--tls-trust", dir.resolve("cert.pem").toString());
        assertThat(noTrust.code()).isEqualTo(2);
        assertThat(noTrust.err()).contains("Cannot read --tls-trust " + dir.resolve("cert.pem"));

        CommandLineIT.Result badAge = mirror("--max-age", "7 weeks");
        assertThat(badAge.code()).isEqualTo(2);
        assertThat(badAge.err()).contains("--max-age: expected a duration such as 90s, 30m, 12h or 7d, got '7 weeks'");

        CommandLineIT.Result badSize = mirror("--max-bytes", "lots");
        assertThat(badSize.code()).isEqualTo(2);
        assertThat(badSize.err()).contains("--max-bytes: expected a size such as 64MB or 512KB, got 'lots'");

        Files.writeString(dir.resolve("copy"), "a file");
        CommandLineIT.Result file = mirror("--port", "7070");
        assertThat(file.code()).isEqualTo(2);
        assertThat(file.err()).contains(dir.resolve("copy") + " is a file");
    }

    @Test
    void aCopyAnotherWriterHoldsIsExplained() throws Exception {
        Path copy = dir.resolve("copy");
        try (io.aqueduct.log.LogWriter other = io.aqueduct.log.LogWriter.open(copy, io.aqueduct.log.LogWriterOptions.defaults())) {
            CommandLineIT.Result r = mirror("--port", "7070");
            assertThat(r.code()).isEqualTo(2);
            assertThat(r.err()).contains("Cannot mirror into " + copy + ": another writer has the relay log in " + copy
                    + " open").contains("Stop the other mirror or capture job").doesNotContain("\tat ");
        }
    }

    @Test
    void aWrongPasswordStopsTheMirrorWithTheServersReason() throws Exception {
        Path log = Files.createDirectories(dir.resolve("relay"));
        try (RelayServer server = new RelayServer(log, RelayServer.Options.plain("127.0.0.1", 0, "relay", "not-the-path"))
                .start()) {
            CommandLineIT.Result r = mirror("--port", String.valueOf(server.port()));
            assertThat(r.code()).isEqualTo(2);
            assertThat(r.err()).contains("refused this reader: wrong user or password").doesNotContain("\tat ");
        }
        assertThat(LogFiles.segments(dir.resolve("copy"))).isEmpty();
    }
}
