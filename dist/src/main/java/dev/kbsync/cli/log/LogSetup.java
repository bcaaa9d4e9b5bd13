package dev.kbsync.cli.log;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.rolling.FixedWindowRollingPolicy;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeBasedTriggeringPolicy;
import ch.qos.logback.core.util.FileSize;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.LoggerFactory;

/**
 * Re-points the launcher's logging (logback.xml: one structured line per event on stderr) for a command whose console
 * is for people: off the console ({@link #quiet}), unless echoed ({@link LogFlags#echo()}), and into
 * {@code <dir>/kbsync.log} once the command has a data directory ({@link #toFile}; rolled at 10 MB, 5 old files
 * kept, the same line format). Uncaught exceptions of any thread are logged there instead of printed.
 */
public final class LogSetup {
    static final String CONSOLE = "STDERR";
    static final String FILE_NAME = "kbsync.log";
    private static final FileSize ROLL_AT = FileSize.valueOf("10MB");
    private static final int KEEP = 5;

    private static volatile boolean enabled;
    private static String pattern;
    private static volatile Path file;

    private LogSetup() {}

    /**
     * Lets this class re-point the logging: only {@code kbsync}'s own {@code main} does, so commands run inside another
     * program (the tests call {@code KbsyncCli.run}) leave its logging as it is.
     */
    public static void enable() {
        enabled = true;
    }

    /** Takes the log lines off the console (unless echoed). Call first thing in a command for people. */
    public static synchronized void quiet(LogFlags flags) {
        if (!enabled || pattern != null) {
            return;
        }
        Logger root = root();
        pattern = consolePattern(root);
        flags.level()
                .ifPresent(level -> ((Logger) LoggerFactory.getLogger("dev.kbsync")).setLevel(Level.toLevel(level)));
        if (!flags.echo()) {
            Appender<ILoggingEvent> console = root.getAppender(CONSOLE);
            if (console != null) {
                root.detachAppender(console);
                console.stop();
            }
        }
        org.slf4j.Logger uncaught = LoggerFactory.getLogger("dev.kbsync.cli.Uncaught");
        Thread.setDefaultUncaughtExceptionHandler(
                (thread, e) -> uncaught.error("uncaught exception in thread {}", thread.getName(), e));
    }

    /** Log lines also go to {@code <dir>/kbsync.log} (the directory exists and is writable); returns that file. */
    public static synchronized Path toFile(Path dir, LogFlags flags) {
        Path target = dir.resolve(FILE_NAME).toAbsolutePath();
        if (!enabled || file != null) {
            return target;
        }
        quiet(flags);
        Logger root = root();
        root.addAppender(rollingFile(root.getLoggerContext(), target));
        file = target;
        return target;
    }

    /** The log file of this process, if the command has one. */
    public static Optional<Path> file() {
        return Optional.ofNullable(file);
    }

    private static Logger root() {
        return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }

    /** The pattern of logback.xml's console appender, so the file's lines look the same. */
    private static String consolePattern(Logger root) {
        if (root.getAppender(CONSOLE) instanceof OutputStreamAppender<ILoggingEvent> console
                && console.getEncoder() instanceof PatternLayoutEncoder encoder) {
            return encoder.getPattern();
        }
        return "%d %-5level [%thread] %logger %msg%n";
    }

    private static RollingFileAppender<ILoggingEvent> rollingFile(LoggerContext context, Path target) {
        RollingFileAppender<ILoggingEvent> appender = new RollingFileAppender<>();
        appender.setContext(context);
        appender.setName("FILE");
        appender.setFile(target.toString());

        FixedWindowRollingPolicy rolling = new FixedWindowRollingPolicy();
        rolling.setContext(context);
        rolling.setParent(appender);
        rolling.setFileNamePattern(target.getParent().resolve("kbsync.%i.log").toString());
        rolling.setMinIndex(1);
        rolling.setMaxIndex(KEEP);
        rolling.start();

        SizeBasedTriggeringPolicy<ILoggingEvent> trigger = new SizeBasedTriggeringPolicy<>();
        trigger.setContext(context);
        trigger.setMaxFileSize(ROLL_AT);
        trigger.start();

        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(pattern);
        encoder.start();

        appender.setRollingPolicy(rolling);
        appender.setTriggeringPolicy(trigger);
        appender.setEncoder(encoder);
        appender.start();
        return appender;
    }
}
