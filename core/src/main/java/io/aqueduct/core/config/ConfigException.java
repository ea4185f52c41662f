package io.aqueduct.core.config;

/** A problem with user input (job file, environment, connection settings) whose message says what to fix. */
public class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
