package io.aqueduct.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * Logback's configuration, in code rather than a logback.xml: reading the XML (Joran and a SAX parser, about 350
 * classes) took about a fifth of a second of every command's start. Logback finds it as a service. A configuration
 * file that a user names ({@code -Dlogback.configurationFile}) or that tests put first ({@code logback-test.xml}) is
 * read as before.
 */
public final class LogSetup extends ContextAwareBase implements Configurator {
    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty("logback.configurationFile") != null
                || LogSetup.class.getClassLoader().getResource("logback-test.xml") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        ConsoleAppender err = new ConsoleAppender();
        err.setContext(context);
        err.setName("ERR");
        err.start();
        for (String quiet : new String[] {"com.github.shyiko", "org.mariadb", "org.postgresql"}) {
            context.getLogger(quiet).setLevel(Level.WARN);
        }
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(err);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}
