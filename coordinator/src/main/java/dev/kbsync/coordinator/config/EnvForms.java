package dev.kbsync.coordinator.config;

import dev.kbsync.config.ConfigException;
import java.util.Map;

/** The one-line environment forms of list keys: {@code role:token} and {@code id=remote#branch}. */
final class EnvForms {
    private EnvForms() {}

    static Map<String, String> token(String item) {
        int colon = item.indexOf(':');
        if (colon < 0) {
            throw ConfigException.of(ConfigKey.AUTH_TOKENS, "each entry must look like role:token");
        }
        return Map.of(
                "role",
                item.substring(0, colon).trim(),
                "token",
                item.substring(colon + 1).trim());
    }

    static Map<String, String> kb(String item) {
        int eq = item.indexOf('=');
        int hash = item.lastIndexOf('#');
        if (eq < 0 || hash < eq) {
            throw ConfigException.of(ConfigKey.KBS, "each entry must look like id=remote#branch");
        }
        return Map.of(
                "id", item.substring(0, eq).trim(),
                "remote", item.substring(eq + 1, hash).trim(),
                "branch", item.substring(hash + 1).trim());
    }
}
