package io.aqueduct.cli;

import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.aqueduct.core.progress.Progress;

/**
 * Log lines on stderr; while progress bars are drawn on the terminal, through the display, so that each line lands
 * above the bars instead of through them.
 */
public final class ConsoleAppender extends AppenderBase<ILoggingEvent> {
    private final PatternLayout layout = new PatternLayout();
    private String pattern = "%msg%n";

    public void setPattern(String pattern) {
        this.pattern = pattern;
    }

    @Override
    public void start() {
        layout.setContext(getContext());
        layout.setPattern(pattern);
        layout.start();
        super.start();
    }

    @Override
    protected void append(ILoggingEvent event) {
        String text = layout.doLayout(event);
        Progress bars = Progress.drawing();
        if (bars != null) {
            bars.println(System.err, text.endsWith("\n") ? text.substring(0, text.length() - 1) : text);
        } else {
            System.err.print(text);
            System.err.flush();
        }
    }
}
