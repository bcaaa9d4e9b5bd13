package dev.kbsync.cli.log;

import dev.kbsync.api.Quoting;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The levels {@code KBSYNC_LOG_LEVEL} (the launcher's logback.xml) and {@code KBSYNC_LOG} ({@link LogFlags}) take:
 * logback would read any other word as DEBUG, so a typo is refused instead.
 */
public final class LogLevels {
    private static final List<String> ACCEPTED = List.of("trace", "debug", "info", "warn", "error", "off");
    private static final List<String> VARIABLES = List.of("KBSYNC_LOG_LEVEL", LogFlags.ENV);

    private LogLevels() {}

    /** Why a log level set in {@code env} is not one of the accepted ones, if one is not (unset or blank is fine). */
    public static Optional<String> problem(Map<String, String> env) {
        for (String variable : VARIABLES) {
            String value = env.get(variable);
            if (value != null
                    && !value.isBlank()
                    && !ACCEPTED.contains(value.trim().toLowerCase(Locale.ROOT))) {
                return Optional.of(
                        variable + " must be one of " + String.join(", ", ACCEPTED) + "; got " + Quoting.quote(value));
            }
        }
        return Optional.empty();
    }
}
