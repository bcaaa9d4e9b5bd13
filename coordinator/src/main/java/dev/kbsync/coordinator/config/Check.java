package dev.kbsync.coordinator.config;

import dev.kbsync.api.Quoting;

/** Range checks with messages of the form {@code http.port: must be 1-65535, got 70000}. */
final class Check {
    private Check() {}

    static void range(ConfigKey key, long value, long min, long max, String shown) {
        if (value < min || value > max) {
            throw ConfigException.of(key, "must be " + shown + ", got " + value);
        }
    }

    /** Quotes a value for a message with anything that looks like credentials masked. */
    static String safe(String value) {
        return Quoting.quote(value == null ? null : value.replaceAll("//[^/@]*@", "//***@"));
    }
}
