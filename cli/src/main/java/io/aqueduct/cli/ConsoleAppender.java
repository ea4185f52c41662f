package io.aqueduct.cli;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;
import io.aqueduct.core.progress.Progress;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;

/**
 * Log lines on stderr, as {@code HH:mm:ss.SSS LEVEL message} in the local time zone, then the stack trace of an
 * exception logged with one; while progress bars are drawn on the terminal, through the display, so that each line
 * lands above the bars instead of through them. Formatted here rather than by a logback pattern, whose parser and
 * converters cost every command's start a few dozen classes.
 */
public final class ConsoleAppender extends AppenderBase<ILoggingEvent> {
    private final ZoneId zone = ZoneId.systemDefault();

    @Override
    protected void append(ILoggingEvent event) {
        String text = line(event);
        Progress bars = Progress.drawing();
        if (bars != null) {
            bars.println(System.err, text);
        } else {
            System.err.println(text);
            System.err.flush();
        }
    }

    String line(ILoggingEvent event) {
        LocalTime t = LocalTime.ofInstant(Instant.ofEpochMilli(event.getTimeStamp()), zone);
        StringBuilder sb = new StringBuilder(80);
        two(sb, t.getHour()).append(':');
        two(sb, t.getMinute()).append(':');
        two(sb, t.getSecond()).append('.');
        int ms = t.getNano() / 1_000_000;
        sb.append((char) ('0' + ms / 100)).append((char) ('0' + ms / 10 % 10)).append((char) ('0' + ms % 10)).append(' ');
        String level = event.getLevel().toString();
        sb.append(level).append(" ".repeat(Math.max(0, 5 - level.length()))).append(' ');
        sb.append(event.getFormattedMessage());
        IThrowableProxy thrown = event.getThrowableProxy();
        if (thrown != null) {
            String trace = ThrowableProxyUtil.asString(thrown); // each line ends with a line separator, the last too
            sb.append(System.lineSeparator()).append(trace.stripTrailing());
        }
        return sb.toString();
    }

    private static StringBuilder two(StringBuilder sb, int v) {
        return sb.append((char) ('0' + v / 10)).append((char) ('0' + v % 10));
    }
}
