package dev.kbsync.coordinator.config;

/** The configuration cannot be used; the message names the key and the bad value (never a secret). */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }

    static ConfigException of(ConfigKey key, String problem) {
        return new ConfigException(key.path() + ": " + problem);
    }
}
