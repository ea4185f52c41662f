package io.aqueduct.core.config;

/** A problem with user input (job file, environment, connection settings) whose message says what to fix. */
public class ConfigException extends RuntimeException {
    private final boolean retryable;

    public ConfigException(String message) {
        this(message, null, false);
    }

    public ConfigException(String message, Throwable cause) {
        this(message, cause, false);
    }

    /**
     * @param retryable whether a running job should retry rather than stop: true for a server that cannot be reached
     *                  (it may be restarting), false for anything a retry cannot fix
     */
    public ConfigException(String message, Throwable cause, boolean retryable) {
        super(message, cause);
        this.retryable = retryable;
    }

    public boolean isRetryable() {
        return retryable;
    }
}
