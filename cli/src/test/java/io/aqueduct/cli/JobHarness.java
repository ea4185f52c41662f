package io.aqueduct.cli;

import static org.awaitility.Awaitility.await;

import io.aqueduct.core.config.JobConfig;
import io.aqueduct.core.config.JobConfigLoader;
import io.aqueduct.testkit.DatabaseServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/** Runs a job in-process on a thread, the way {@code aqueduct run} does, for tests. */
final class JobHarness implements AutoCloseable {
    final JobConfig config;
    final Jobs.Running running;
    private final Thread thread;
    final AtomicReference<Throwable> failure = new AtomicReference<>();

    private JobHarness(JobConfig config) {
        this.config = config;
        this.running = new Jobs.Running(config);
        this.thread = new Thread(() -> {
            try {
                running.run();
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "job-" + config.name());
        thread.start();
    }

    static JobHarness start(String yaml, Path dir) throws Exception {
        Files.createDirectories(dir);
        Path file = dir.resolve("job.yaml");
        Files.writeString(file, yaml);
        return new JobHarness(new JobConfigLoader().load(file));
    }

    /**
     * A job file from a MariaDB source to a target server, with extra top-level YAML appended; mode: incremental from
     * the latest position unless the extra YAML sets a mode.
     */
    static String yaml(String name, DatabaseServer source, int serverId, String include, String targetType, DatabaseServer target,
                       String extra) {
        String targetDb = targetType.equals("postgres") ? "\n  database: app" : "";
        boolean incremental = !extra.contains("mode:");
        return "name: " + name + "\n"
                + "source:\n  type: mysql\n  host: 127.0.0.1\n  port: " + source.port() + "\n  user: root\n  password: \"\"\n"
                + "  server-id: " + serverId + "\n" + (incremental ? "  start: latest\n" : "")
                + "tables:\n  include: ['" + include + "']\n"
                + "target:\n  type: " + targetType + "\n  host: 127.0.0.1\n  port: " + target.port() + "\n  user: " + target.user()
                + "\n  password: \"\"" + targetDb + "\n"
                + "state: ./state\nstatus-interval: 1\n" + (incremental ? "mode: incremental\n" : "") + extra;
    }

    boolean isAlive() {
        return thread.isAlive();
    }

    void stop() throws InterruptedException {
        running.stop();
        thread.join(30_000);
    }

    /** Waits until the query gives the same rows on both sides, failing early if the job died. */
    static void awaitSame(DatabaseServer a, String qa, DatabaseServer b, String qb, JobHarness job) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
            if (job != null && job.failure.get() != null) throw new AssertionError("job failed", job.failure.get());
            List<List<Object>> x = rows(a, qa);
            List<List<Object>> y = rows(b, qb);
            return Objects.equals(x, y);
        });
    }

    static List<List<Object>> rows(DatabaseServer s, String q) {
        return rows(s, null, q);
    }

    static List<List<Object>> rows(DatabaseServer s, String database, String q) {
        try {
            return s.query(database, q);
        } catch (IllegalStateException e) {
            return null; // the table or database does not exist yet
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
