package io.aqueduct.core.pipeline;

import io.aqueduct.core.apply.ApplyEngine;
import io.aqueduct.core.config.ConfigException;
import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.time.Duration;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a job until stopped: each failure that may pass (a lost connection, a server restart, a deadlock) restarts
 * the attempt (a pipeline, or a relay mirror) from the stored position after a growing pause; any other failure ends
 * the job with its error.
 * Restarting from the stored position is the same path as recovering from a crash, so there is one way back.
 */
public final class JobRunner {
    private static final Logger LOG = LoggerFactory.getLogger(JobRunner.class);

    /** One run of a job, from its stored position until it is stopped or fails. */
    public interface Attempt {
        void run() throws Exception;

        /** Makes {@link #run} return soon, from any thread. */
        void stop();
    }

    private final Supplier<? extends Attempt> attempts;
    private final Duration maxBackoff;
    private volatile boolean stopped;
    private volatile Attempt current;

    public JobRunner(Supplier<? extends Attempt> attempts, Duration maxBackoff) {
        this.attempts = attempts;
        this.maxBackoff = maxBackoff;
    }

    public void run() throws Exception {
        long backoff = 500;
        while (!stopped) {
            Attempt p = attempts.get();
            current = p;
            if (stopped) return;
            long started = System.currentTimeMillis();
            try {
                p.run();
                return;
            } catch (Exception e) {
                if (stopped) return;
                if (!isTransient(e)) throw e;
                if (System.currentTimeMillis() - started > 60_000) backoff = 500;
                LOG.warn("{}; restarting from the last committed position in {} ms", describe(e), backoff);
                synchronized (this) {
                    if (!stopped) wait(backoff);
                }
                backoff = Math.min(backoff * 2, maxBackoff.toMillis());
            }
        }
    }

    public void stop() {
        stopped = true;
        Attempt p = current;
        if (p != null) p.stop();
        synchronized (this) {
            notifyAll();
        }
    }

    /** Whether any cause is a lost connection or another failure that a retry may get past. */
    public static boolean isTransient(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConfigException c) return c.isRetryable();
            if (t instanceof RetryableException) return true;
            if (t instanceof IOException || t instanceof SQLTransientException || t instanceof SQLRecoverableException) return true;
            if (t instanceof SQLException s && s.getSQLState() != null
                    && (s.getSQLState().startsWith("08") || s.getSQLState().startsWith("40")
                        || s.getSQLState().startsWith("57P") || s.getSQLState().equals("53300")
                        || s.getSQLState().equals("HY000") && String.valueOf(s.getMessage()).contains("Connection"))) {
                return true;
            }
        }
        return false;
    }

    static String describe(Throwable e) {
        Throwable t = e instanceof ApplyEngine.ApplyFailedException && e.getCause() != null ? e.getCause() : e;
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    /** A failure a source or sink knows to be worth retrying. */
    public static class RetryableException extends RuntimeException {
        public RetryableException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
