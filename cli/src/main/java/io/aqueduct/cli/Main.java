package io.aqueduct.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.aqueduct.core.apply.ApplyEngine;
import io.aqueduct.core.config.ConfigException;
import io.aqueduct.core.config.JobConfig;
import io.aqueduct.core.config.JobConfigLoader;
import io.aqueduct.core.precheck.Check;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The {@code aqueduct} command. Exit codes: 0 done, 1 failed while running or a check failed, 2 bad input. */
@Command(name = "aqueduct", mixinStandardHelpOptions = true, version = "aqueduct 0.1.0",
        description = "Change-data capture and database synchronization.",
        subcommands = {Main.Run.class, Main.Precheck.class, Demo.class, SchemaCommand.class, VerifyCommand.class,
                LogCommand.class})
public final class Main {
    @Option(names = "--verbose", description = "Log debug detail and print stack traces.", scope = CommandLine.ScopeType.INHERIT)
    boolean verbose;

    /** Held so the setting is not garbage collected: the binlog library logs through java.util.logging. */
    private static final java.util.logging.Logger BINLOG_LOG = java.util.logging.Logger.getLogger("com.github.shyiko");

    public static void main(String[] args) {
        BINLOG_LOG.setLevel(java.util.logging.Level.WARNING);
        System.exit(execute(args));
    }

    public static int execute(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionStrategy(r -> {
            if (r.subcommand() != null && r.subcommand().hasMatchedOption("--verbose") || r.hasMatchedOption("--verbose")) {
                ((Logger) LoggerFactory.getLogger("io.aqueduct")).setLevel(Level.DEBUG);
            }
            return new CommandLine.RunLast().execute(r);
        });
        cl.setExecutionExceptionHandler((ex, line, parsed) -> {
            boolean verbose = parsed.subcommand() != null && parsed.subcommand().hasMatchedOption("--verbose")
                    || parsed.hasMatchedOption("--verbose");
            Throwable t = ex instanceof ApplyEngine.ApplyFailedException && ex.getCause() != null ? ex.getCause() : ex;
            ConfigException config = configCause(t);
            System.err.println("error: " + (config != null ? config.getMessage() : t.getClass().getSimpleName() + ": " + t.getMessage()));
            if (verbose) t.printStackTrace();
            else if (config == null) System.err.println("(run with --verbose for the stack trace)");
            return config != null ? 2 : 1;
        });
        return cl.execute(args);
    }

    private static ConfigException configCause(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) if (c instanceof ConfigException ce) return ce;
        return null;
    }

    @Command(name = "run", description = "Run a job until SIGTERM or SIGINT, then drain, commit and save the position.")
    static final class Run implements Callable<Integer> {
        @Parameters(paramLabel = "JOB", description = "The job file (YAML).")
        Path job;

        @Override
        public Integer call() throws Exception {
            JobConfig config = new JobConfigLoader().load(job);
            Jobs.Running running = new Jobs.Running(config);
            untilStopped(running::run, running::stop);
            return 0;
        }
    }

    /** Work that runs until it ends or is stopped. */
    interface Work {
        void run() throws Exception;
    }

    /**
     * Runs {@code work} until it ends by itself or SIGTERM/SIGINT; a signal calls {@code stop} and, once the work has
     * ended (within a minute), exits with 0 if it ended cleanly, 1 if not — not 128+signal, since a clean stop is a
     * success.
     */
    static void untilStopped(Work work, Runnable stop) throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        int[] status = {1};
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (done.getCount() == 0) return; // the work ended by itself and the exit code is already chosen
            stop.run();
            try {
                if (done.await(60, TimeUnit.SECONDS)) {
                    System.err.flush();
                    Runtime.getRuntime().halt(status[0]);
                }
            } catch (InterruptedException ignored) {
                // exiting anyway
            }
        }, "shutdown"));
        try {
            work.run();
            status[0] = 0;
        } finally {
            done.countDown();
        }
    }

    @Command(name = "precheck", description = "Check the source, the target and the job file, and say how to fix what is wrong.")
    static final class Precheck implements Callable<Integer> {
        @Parameters(paramLabel = "JOB", description = "The job file (YAML).")
        Path job;

        @Override
        public Integer call() {
            JobConfig config = new JobConfigLoader().load(job);
            List<Check> checks = Jobs.prechecks(config);
            for (Check c : checks) {
                System.out.printf("%-5s %-24s %s%n", c.status(), c.name(), c.detail());
                if (c.status() != Check.Status.OK) System.out.printf("      %-24s fix: %s%n", "", c.fix());
            }
            long failed = checks.stream().filter(c -> c.status() == Check.Status.FAIL).count();
            System.out.println(failed == 0 ? "All required checks passed." : failed + " check(s) failed.");
            return failed == 0 ? 0 : 1;
        }
    }
}
