package io.aqueduct.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.aqueduct.testkit.MariaDbServer;
import io.aqueduct.testkit.PostgresServer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A capture job that serves its own relay log (target.serve), read by a job through host and port. */
class RelayServeIT {
    static MariaDbServer source;
    static PostgresServer pg;

    @BeforeAll
    static void servers() {
        source = MariaDbServer.shared();
        pg = PostgresServer.shared();
        pg.createDatabase("serve");
    }

    @Test
    void aCaptureJobServesItsLogToAReaderOverTheNetwork(@TempDir Path dir) throws Exception {
        source.execute(null, "DROP DATABASE IF EXISTS served", "CREATE DATABASE served",
                "CREATE TABLE served.items (id INT PRIMARY KEY, v VARCHAR(20))",
                "INSERT INTO served.items SELECT seq, CONCAT('before ', seq) FROM served.seq_1_to_100");
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String capture = """
                name: served-capture
                source: {type: mysql, host: 127.0.0.1, port: %d, user: root, password: "", server-id: 6601}
                tables: {include: ['served\\..*']}
                target: {type: log, path: ./relay, serve: {host: 127.0.0.1, port: %d, user: reader, password: "${SERVE_PW:-pw-serve}"}}
                state: ./state
                status-interval: 1
                """.formatted(source.port(), port);
        String reader = """
                name: served-pg
                source: {type: relay, host: 127.0.0.1, port: %d, user: reader, password: pw-serve}
                target: {type: postgres, host: 127.0.0.1, port: %d, user: %s, password: "", database: serve}
                state: ./state
                status-interval: 1
                """.formatted(port, pg.port(), pg.user());
        try (JobHarness captureJob = JobHarness.start(capture, dir.resolve("capture"))) {
            Path wrong = dir.resolve("wrong.yaml");
            Files.writeString(wrong, reader.replace("password: pw-serve", "password: guess").replace("./state", "./wrong-state"));
            // the server runs once the capture job does: a wrong password is refused for good
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).until(() ->
                    CommandLineIT.aqueduct("precheck", wrong.toString()).out().contains("FAIL  relay server"));
            CommandLineIT.Result refused = CommandLineIT.aqueduct("precheck", wrong.toString());
            assertThat(refused.code()).isEqualTo(1);
            assertThat(refused.out()).contains("refused this reader: wrong user or password");

            try (JobHarness readerJob = JobHarness.start(reader, dir.resolve("reader"))) {
                source.execute("served", "INSERT INTO items SELECT seq, CONCAT('after ', seq) FROM seq_101_to_200",
                        "UPDATE items SET v = 'changed' WHERE id % 7 = 0", "DELETE FROM items WHERE id % 11 = 0");
                String q = "SELECT id, v FROM served.items ORDER BY id";
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).until(() -> {
                    if (readerJob.failure.get() != null) throw new AssertionError("reader failed", readerJob.failure.get());
                    return java.util.Objects.equals(JobHarness.rows(source, q), JobHarness.rows(pg, "serve", q));
                });
                assertThat(captureJob.failure.get()).isNull();
                assertThat(JobHarness.rows(pg, "serve", "SELECT COUNT(*) FROM served.items").get(0).get(0).toString())
                        .isEqualTo(JobHarness.rows(source, "SELECT COUNT(*) FROM served.items").get(0).get(0).toString());
            }
        }
        // the reader is registered with the log, so retention keeps what it has not applied
        CommandLineIT.Result readers = CommandLineIT.aqueduct("log", "readers", dir.resolve("capture/relay").toString());
        assertThat(readers.code()).as(readers.err()).isZero();
        assertThat(readers.out()).contains("served-pg").contains("via relay server");
    }
}
