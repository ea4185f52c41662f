package io.aqueduct.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.aqueduct.core.config.ConfigException;
import io.aqueduct.testkit.MariaDbServer;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A running job rides out restarts of its source and target, and refuses a start position the source purged. */
class ServerRestartIT {
    static MariaDbServer source;
    static MariaDbServer target;

    @BeforeAll
    static void servers() {
        source = MariaDbServer.start(21);
        target = MariaDbServer.start(22);
    }

    @AfterAll
    static void close() {
        source.close();
        target.close();
    }

    @Test
    void survivesSourceAndTargetRestarts(@TempDir Path dir) throws Exception {
        String yaml = JobHarness.yaml("restarts", source, 6104, "rs\\..*", "mysql", target, "");
        try (JobHarness job = JobHarness.start(yaml, dir)) {
            source.execute(null, "CREATE DATABASE rs", "CREATE TABLE rs.t (id INT PRIMARY KEY, v INT)");
            source.execute("rs", "INSERT INTO t VALUES (1, 1), (2, 2)");
            JobHarness.awaitSame(source, "SELECT * FROM rs.t ORDER BY id", target, "SELECT * FROM rs.t ORDER BY id", job);

            target.kill();
            source.execute("rs", "INSERT INTO t VALUES (3, 3)", "UPDATE t SET v = 10 WHERE id = 1");
            target.restart();
            JobHarness.awaitSame(source, "SELECT * FROM rs.t ORDER BY id", target, "SELECT * FROM rs.t ORDER BY id", job);

            source.kill();
            source.restart();
            source.execute("rs", "INSERT INTO t VALUES (4, 4)", "DELETE FROM t WHERE id = 2");
            JobHarness.awaitSame(source, "SELECT * FROM rs.t ORDER BY id", target, "SELECT * FROM rs.t ORDER BY id", job);

            source.stop();
            source.restart();
            source.execute("rs", "INSERT INTO t VALUES (5, 5)");
            JobHarness.awaitSame(source, "SELECT * FROM rs.t ORDER BY id", target, "SELECT * FROM rs.t ORDER BY id", job);
            assertThat(job.isAlive()).isTrue();
        }
    }

    @Test
    void purgedStartPositionStopsWithTheMissingAndOldestFile(@TempDir Path dir) throws Exception {
        String file = (String) source.query(null, "SHOW MASTER STATUS").get(0).get(0);
        String yaml = JobHarness.yaml("purged", source, 6105, "rs\\..*", "mysql", target, "")
                .replace("start: latest", "start: {file: " + file + ", position: 4}");
        source.execute(null, "FLUSH BINARY LOGS", "FLUSH BINARY LOGS");
        String newest = (String) source.query(null, "SHOW MASTER STATUS").get(0).get(0);
        // the server keeps files a replica still reads; retry until the purge took effect
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            source.execute(null, "PURGE BINARY LOGS TO '" + newest + "'");
            return source.query(null, "SHOW BINARY LOGS").get(0).get(0).equals(newest);
        });
        Throwable error = null;
        try (JobHarness ignored = JobHarness.start(yaml, dir)) {
            // constructing the job must already fail
        } catch (ConfigException e) {
            error = e;
        }
        assertThat(error).isInstanceOf(ConfigException.class);
        assertThat(error.getMessage()).contains(file).contains("no longer has").contains("oldest file available is " + newest);
    }
}
