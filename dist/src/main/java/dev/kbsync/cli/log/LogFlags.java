package dev.kbsync.cli.log;

import java.util.Locale;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * {@code --verbose}: echo the log lines on stderr too. {@code KBSYNC_LOG=<level>} (e.g. {@code debug}) does the same
 * with kbsync's own loggers at that level.
 */
public final class LogFlags {
    static final String ENV = "KBSYNC_LOG";

    @Option(
            names = "--verbose",
            description = "Also print the log lines on stderr (env KBSYNC_LOG=debug: the same, with debug lines).")
    boolean verbose;

    /** Whether log lines are echoed on stderr. */
    public boolean echo() {
        return verbose || level().isPresent();
    }

    /** kbsync's log level from {@code KBSYNC_LOG}, if set. */
    Optional<String> level() {
        String value = System.getenv(ENV);
        return value == null || value.isBlank()
                ? Optional.empty()
                : Optional.of(value.trim().toUpperCase(Locale.ROOT));
    }
}
