package dev.kbsync.config;

import dev.kbsync.api.Quoting;
import java.nio.file.Files;
import java.nio.file.Path;

/** Checks for validated config records, with messages of the form {@code http.port: must be 1-65535, got 70000}. */
public final class Check {
    private Check() {}

    public static void range(Key key, long value, long min, long max, String shown) {
        if (value < min || value > max) {
            throw ConfigException.of(key, "must be " + shown + ", got " + value);
        }
    }

    /**
     * A directory the process will create if missing and write to: it is one, or the nearest part of its path that
     * exists is a directory the process may write in. Checked at load, so that a start does not fail (exit 70) after
     * it changed shared state.
     */
    public static void writableDir(Key key, Path dir) {
        Path existing = dir.toAbsolutePath().normalize();
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null || !Files.isDirectory(existing)) {
            throw ConfigException.of(
                    key, "cannot be created: " + (existing == null ? dir : existing) + " is not a directory");
        }
        if (!Files.isWritable(existing)) {
            throw ConfigException.of(key, "cannot be created or written: " + existing + " is not writable");
        }
    }

    /** Quotes a value for a message with anything that looks like credentials in a URL masked. */
    public static String safe(String value) {
        return Quoting.quote(value == null ? null : masked(value));
    }

    /** {@code value} with the user and password of any URL in it masked ({@code redis://***@host:6379}). */
    public static String masked(String value) {
        return value.replaceAll("//[^/@]*@", "//***@");
    }
}
