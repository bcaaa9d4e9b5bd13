package dev.kbsync.config;

/** The configuration cannot be used; the message names the key and the bad value (never a secret). */
public final class ConfigException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }

    /** {@code http.port: must be 1-65535, got 70000}. */
    public static ConfigException of(Key key, String problem) {
        return new ConfigException(key.path() + ": " + problem);
    }
}
