package io.aqueduct.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.aqueduct.testkit.MariaDbServer;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code aqueduct run} as a separate process and kills it with SIGKILL at random moments while a writer keeps
 * changing the source; after the last restart catches up, source and target must be identical.
 */
class CrashRecoveryIT {
    static MariaDbServer source;
    static MariaDbServer target;

    @BeforeAll
    static void servers() {
        source = MariaDbServer.shared();
        target = MariaDbServer.start(4);
    }

    @AfterAll
    static void close() {
        target.close();
    }

    @Test
    void killNineRepeatedlyLosesNothing(@TempDir Path dir) throws Exception {
        source.execute(null, "CREATE DATABASE crash",
                "CREATE TABLE crash.accounts (id INT PRIMARY KEY, balance BIGINT NOT NULL, version INT NOT NULL, note VARCHAR(64))",
                "CREATE TABLE crash.events (id BIGINT AUTO_INCREMENT PRIMARY KEY, account INT NOT NULL, delta BIGINT NOT NULL)");
        target.execute(null, "CREATE DATABASE crash",
                "CREATE TABLE crash.accounts (id INT PRIMARY KEY, balance BIGINT NOT NULL, version INT NOT NULL, note VARCHAR(64))",
                "CREATE TABLE crash.events (id BIGINT AUTO_INCREMENT PRIMARY KEY, account INT NOT NULL, delta BIGINT NOT NULL)");
        String yaml = JobHarness.yaml("crash", source, 6103, "crash\\..*", "mysql", target,
                "apply:\n  lanes: 4\n  batch-rows: 200\nmemory:\n  transaction: 64KB\n");
        Path job = dir.resolve("job.yaml");
        Files.writeString(job, yaml);
        Path position = dir.resolve("state/position.json");

        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicReference<Throwable> writerFailure = new AtomicReference<>();
        Process first = launch(job, dir);
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(position));
        Thread writer = new Thread(() -> write(writing, writerFailure), "writer");
        writer.start();

        Random random = new Random(42);
        Process p = first;
        for (int kill = 0; kill < 6; kill++) {
            // let it run a random while, then kill it wherever it is
            assertThat(p.waitFor(300 + random.nextInt(1500), TimeUnit.MILLISECONDS))
                    .as("aqueduct exited on its own; its log is in %s", dir.resolve("run.log")).isFalse();
            p.destroyForcibly().waitFor();
            p = launch(job, dir);
        }
        writing.set(false);
        writer.join();
        assertThat(writerFailure.get()).isNull();
        try {
            for (String t : List.of("accounts", "events")) {
                String q = "SELECT * FROM crash." + t + " ORDER BY id";
                JobHarness.awaitSame(source, q, target, q, null);
            }
        } finally {
            p.destroy(); // SIGTERM: drain, commit, save, exit 0
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(p.exitValue()).as("exit code after SIGTERM; log in %s", dir.resolve("run.log")).isZero();
        assertThat(source.query(null, "SELECT COUNT(*) FROM crash.events").get(0).get(0)).isNotEqualTo(0L);
        assertThat(Files.readString(dir.resolve("run.log"))).contains("Stopped cleanly");
    }

    /** Starts the real command in its own JVM on this test's class path, appending its output to run.log. */
    static Process launch(Path job, Path dir) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        File log = dir.resolve("run.log").toFile();
        return new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"), "io.aqueduct.cli.Main", "run", job.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log)).start();
    }

    private static void write(AtomicBoolean writing, AtomicReference<Throwable> failure) {
        Random random = new Random(7);
        try (Connection c = source.connect("crash"); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            int n = 0;
            while (writing.get()) {
                int id = 1 + random.nextInt(300);
                long delta = random.nextInt(1000) - 500;
                switch (random.nextInt(10)) {
                    case 0 -> st.executeUpdate("DELETE FROM accounts WHERE id = " + id);
                    case 1 -> {
                        // a bigger transaction, streamed in fragments
                        StringBuilder sb = new StringBuilder("INSERT INTO events (account, delta) VALUES ");
                        for (int i = 0; i < 2000; i++) sb.append(i == 0 ? "" : ",").append("(").append(id).append(",").append(i).append(")");
                        st.executeUpdate(sb.toString());
                    }
                    default -> {
                        st.executeUpdate("INSERT INTO accounts VALUES (" + id + ", " + delta + ", 1, 'n" + n + "') "
                                + "ON DUPLICATE KEY UPDATE balance = balance + " + delta + ", version = version + 1");
                        st.executeUpdate("INSERT INTO events (account, delta) VALUES (" + id + ", " + delta + ")");
                    }
                }
                c.commit();
                n++;
            }
        } catch (Throwable t) {
            failure.set(t);
        }
    }
}
