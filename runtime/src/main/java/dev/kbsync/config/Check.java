package dev.kbsync.config;

import dev.kbsync.api.Quoting;

/** Checks for validated config records, with messages of the form {@code http.port: must be 1-65535, got 70000}. */
public final class Check {
    private Check() {}

    public static void range(Key key, long value, long min, long max, String shown) {
        if (value < min || value > max) {
            throw ConfigException.of(key, "must be " + shown + ", got " + value);
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
