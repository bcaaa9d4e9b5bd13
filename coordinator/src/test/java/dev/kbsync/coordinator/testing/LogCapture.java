package dev.kbsync.coordinator.testing;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Records the log events of the JVM (or of one logger) while open, to assert on what was (not) logged. Unit test
 * classes run side by side: a test asserting on every line captures only its own logger's.
 */
public final class LogCapture implements AutoCloseable {
    private final Logger logger;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    /** Every logger's events. */
    public LogCapture() {
        this(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }

    /** The events of {@code loggerName} and the loggers below it. */
    public LogCapture(String loggerName) {
        logger = (Logger) LoggerFactory.getLogger(loggerName);
        appender.start();
        logger.addAppender(appender);
    }

    /** Each event as "LEVEL message [stack trace]" with MDC, arguments formatted. */
    public List<String> lines() {
        return List.copyOf(appender.list).stream()
                .map(e -> e.getLevel() + " " + e.getFormattedMessage() + " " + e.getMDCPropertyMap()
                        + (e.getThrowableProxy() == null
                                ? ""
                                : " " + ThrowableProxyUtil.asString(e.getThrowableProxy())))
                .toList();
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        appender.stop();
    }
}
