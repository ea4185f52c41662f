package io.aqueduct.bench;

import io.aqueduct.cli.Jobs;
import io.aqueduct.core.config.JobConfig;
import io.aqueduct.core.config.JobConfigLoader;
import io.aqueduct.core.filter.Router;
import io.aqueduct.core.pipeline.Pipeline;
import io.aqueduct.core.pipeline.PositionStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The Aqueduct side of the bench in its own JVM, so that heap and RSS are Aqueduct's alone. Prints its figures as
 * {@code RESULT key=value} lines on stdout (logs go to stderr).
 *
 * <pre>
 * capture JOB.yaml NARROW_ROWS TOTAL_ROWS TIMEOUT_S   real MySqlBinlogSource → Pipeline → a discarding sink
 * apply   JOB.yaml NARROW_ROWS TOTAL_ROWS TIMEOUT_S   the real job (Jobs.Running) into the job's target
 * </pre>
 */
public final class AqueductChild {
    private AqueductChild() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            System.err.println("usage: AqueductChild capture|apply JOB.yaml NARROW_ROWS TOTAL_ROWS TIMEOUT_S");
            System.exit(2);
        }
        JobConfig job = new JobConfigLoader().load(Path.of(args[1]));
        long narrow = Long.parseLong(args[2]);
        long total = Long.parseLong(args[3]);
        long timeoutNanos = TimeUnit.SECONDS.toNanos(Long.parseLong(args[4]));
        Map<String, String> results = new LinkedHashMap<>();
        try (MemoryProbe probe = new MemoryProbe(20)) {
            switch (args[0]) {
                case "capture" -> capture(job, narrow, total, timeoutNanos, results);
                case "apply" -> apply(job, narrow, total, timeoutNanos, results);
                default -> throw new IllegalArgumentException("unknown mode " + args[0]);
            }
            results.putAll(probe.results());
        } catch (Throwable t) {
            exitFailed(t);
        }
        exitWith(results);
    }

    /** Prints the figures as RESULT lines for the parent bench and exits 0. */
    static void exitWith(Map<String, String> results) {
        results.forEach((k, v) -> System.out.println("RESULT " + k + "=" + v));
        System.out.flush();
        System.exit(0); // binlog client and lane threads may linger for a moment; the figures are out
    }

    /** Prints the failure as a RESULT line for the parent bench and exits 1. */
    static void exitFailed(Throwable t) {
        t.printStackTrace();
        System.out.println("RESULT error=" + String.valueOf(t.getMessage()).replace('\n', ' '));
        System.out.flush();
        System.exit(1);
    }

    /** Starts from the job's configured start ({file, position}) and saves nothing. */
    static final PositionStore NO_STORE = new PositionStore() {
        @Override
        public Optional<String> load() {
            return Optional.empty();
        }

        @Override
        public void save(String positionJson) {}
    };

    /** The job's source into {@code sink} through the real pipeline (routing, apply engine), storing no position. */
    static Pipeline pipeline(JobConfig job, io.aqueduct.core.pipeline.Sink sink) {
        return new Pipeline(Jobs.source(job), sink, new Router(job.routes()), NO_STORE, job.queueBytes(), job.batchRows(),
                Duration.ofSeconds(job.statusSeconds()), new Pipeline.Stats());
    }

    /** Runs {@code pipeline} on a thread of its own; a failure lands in {@code failure}; {@code ended} runs at its end. */
    static Thread start(Pipeline pipeline, AtomicReference<Throwable> failure, Runnable ended) {
        Thread runner = new Thread(() -> {
            try {
                pipeline.run();
            } catch (Throwable t) {
                failure.set(t);
            } finally {
                ended.run();
            }
        }, "pipeline");
        runner.start();
        return runner;
    }

    /** CPU time this JVM used so far, all threads (JIT and GC included). */
    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** Source → TransactionQueue → routing thread → ApplyEngine → one discarding lane, as a job runs it. */
    private static void capture(JobConfig job, long narrow, long total, long timeoutNanos, Map<String, String> results)
            throws Exception {
        DiscardSink sink = new DiscardSink(narrow, total);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long startMillis = System.currentTimeMillis();
        long cpu = cpuNanos();
        long start = System.nanoTime();
        Pipeline pipeline = pipeline(job, sink);
        Thread runner = start(pipeline, failure, sink::abort);
        boolean complete = sink.await(timeoutNanos, TimeUnit.NANOSECONDS);
        cpu = cpuNanos() - cpu;
        pipeline.stop();
        runner.join(10_000);
        if (!complete) {
            Throwable f = failure.get();
            if (f != null) throw new IllegalStateException("the pipeline failed after " + sink.rows() + " rows", f);
            throw new IllegalStateException("only " + sink.rows() + " of " + total + " rows arrived within the timeout");
        }
        results.put("window_ms", startMillis + "-" + (startMillis + (sink.allDoneNanos() - start) / 1_000_000));
        results.put("cpu_cores", String.format(java.util.Locale.ROOT, "%.2f", (double) cpu / (sink.allDoneNanos() - start)));
        results.put("rows", Long.toString(sink.rows()));
        results.put("elapsed_ns", Long.toString(sink.allDoneNanos() - start));
        results.put("narrow_ns", Long.toString(sink.narrowDoneNanos() - start));
        results.put("batch_rows", Integer.toString(job.batchRows()));
    }

    /** The real job path: prechecks, stored start position, retrying runner, JdbcSink on the job's lanes. */
    private static void apply(JobConfig job, long narrow, long total, long timeoutNanos, Map<String, String> results)
            throws Exception {
        Jobs.Running running = new Jobs.Running(job);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long startMillis = System.currentTimeMillis();
        long cpu = cpuNanos();
        long start = System.nanoTime();
        Thread runner = new Thread(() -> {
            try {
                running.run();
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "job");
        runner.start();
        long deadline = start + timeoutNanos;
        long narrowAt = 0;
        long doneAt = 0;
        while (true) {
            long now = System.nanoTime();
            long rows = running.stats.rows;
            if (narrowAt == 0 && rows >= narrow) narrowAt = now;
            if (rows >= total) {
                doneAt = now;
                cpu = cpuNanos() - cpu;
                break;
            }
            if (!runner.isAlive() || now > deadline) break;
            Thread.sleep(10); // poll the committed row count until all rows are in, with a deadline
        }
        running.stop();
        runner.join(30_000);
        if (doneAt == 0) {
            Throwable f = failure.get();
            if (f != null) throw new IllegalStateException("the job failed after " + running.stats.rows + " rows", f);
            throw new IllegalStateException("only " + running.stats.rows + " of " + total + " rows applied within the timeout");
        }
        results.put("window_ms", startMillis + "-" + (startMillis + (doneAt - start) / 1_000_000));
        results.put("cpu_cores", String.format(java.util.Locale.ROOT, "%.2f", (double) cpu / (doneAt - start)));
        results.put("rows", Long.toString(running.stats.rows));
        results.put("elapsed_ns", Long.toString(doneAt - start));
        results.put("narrow_ns", Long.toString(narrowAt - start));
        results.put("lanes", Integer.toString(job.lanes()));
        results.put("batch_rows", Integer.toString(job.batchRows()));
    }
}
