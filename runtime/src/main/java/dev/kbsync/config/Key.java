package dev.kbsync.config;

import java.util.Locale;

/**
 * One configuration key of a process's key table (an enum implementing this): its dotted YAML path, the environment
 * variable that overrides the file, the documented default and what it means. The loader and the generated
 * configuration page both read the table.
 */
public interface Key {
    /** Dotted YAML path, e.g. {@code http.port}; YAML nests by the dots. */
    String path();

    /** The environment variable that overrides the file, e.g. {@code KBSYNC_HTTP_PORT}. */
    String env();

    /** The default as documented; {@code (none)} or a {@code <placeholder>} for keys without a literal default. */
    String defaultText();

    String description();

    /** Whether {@link #defaultText()} is a value to use when the key is not set. */
    default boolean hasDefault() {
        return !defaultText().startsWith("(none)") && !defaultText().startsWith("<");
    }

    /** The conventional variable of a path: {@code worker.http.port} -> {@code KBSYNC_WORKER_HTTP_PORT}. */
    static String envName(String path) {
        return "KBSYNC_"
                + path.replace('.', '_').replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
    }
}
