package io.aqueduct.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Test;

class ConsoleAppenderTest {
    private static final long AT = Instant.parse("2026-12-02T10:05:07.089Z").toEpochMilli();
    private static final String TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").format(Instant.ofEpochMilli(AT).atZone(ZoneId.systemDefault()));

    private static String line(Level level, String message, Throwable thrown, Object... args) {
        LoggingEvent e = new LoggingEvent("test", new LoggerContext().getLogger("x"), level, message, thrown, args);
        e.setTimeStamp(AT);
        return new ConsoleAppender().line(e);
    }

    @Test
    void aLineIsTheLocalTimeToTheMillisecondTheLevelPaddedToFiveAndTheFormattedMessage() {
        assertThat(line(Level.INFO, "copied {} rows of {}", null, 3, "t")).isEqualTo(TIME + " INFO  copied 3 rows of t");
        assertThat(line(Level.WARN, "w", null)).isEqualTo(TIME + " WARN  w");
        assertThat(line(Level.ERROR, "e", null)).isEqualTo(TIME + " ERROR e");
        assertThat(line(Level.DEBUG, "d", null)).isEqualTo(TIME + " DEBUG d");
    }

    @Test
    void anExceptionFollowsOnTheNextLinesWithItsCauseAndNoTrailingNewline() {
        String s = line(Level.ERROR, "failed", new IllegalStateException("boom", new java.io.IOException("disk")));
        String[] lines = s.split(System.lineSeparator());
        assertThat(lines[0]).isEqualTo(TIME + " ERROR failed");
        assertThat(lines[1]).isEqualTo("java.lang.IllegalStateException: boom");
        assertThat(lines[2]).contains("at io.aqueduct.cli.ConsoleAppenderTest");
        assertThat(s).contains("Caused by: java.io.IOException: disk").doesNotEndWith(System.lineSeparator());
    }
}
