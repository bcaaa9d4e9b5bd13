package dev.kbsync.coordinator.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/** Typed access to raw values (YAML objects or environment strings), falling back to each key's default. */
final class Values {
    private final Map<ConfigKey, Object> raw;

    Values(Map<ConfigKey, Object> raw) {
        this.raw = raw;
    }

    Optional<String> string(ConfigKey key) {
        Object value = raw.get(key);
        if (value == null) {
            return key.hasDefault() ? Optional.of(key.defaultText()) : Optional.empty();
        }
        if (value instanceof Map || value instanceof List) {
            throw ConfigException.of(key, "must be a single value");
        }
        return Optional.of(value.toString().trim());
    }

    int integer(ConfigKey key) {
        String text = string(key).orElseThrow();
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw ConfigException.of(key, "must be an integer, got " + Check.safe(text));
        }
    }

    boolean bool(ConfigKey key) {
        String text = string(key).orElseThrow();
        return switch (text) {
            case "true" -> true;
            case "false" -> false;
            default -> throw ConfigException.of(key, "must be true or false, got " + Check.safe(text));
        };
    }

    /** A list of objects with only {@code fields}; from the environment each comma-separated item via {@code envForm}. */
    List<Map<String, String>> list(ConfigKey key, List<String> fields, Function<String, Map<String, String>> envForm) {
        Object value = raw.get(key);
        if (value == null) {
            return List.of();
        }
        if (value instanceof String text) {
            return Arrays.stream(text.split(","))
                    .filter(s -> !s.isBlank())
                    .map(envForm)
                    .toList();
        }
        if (!(value instanceof List<?> items)) {
            throw ConfigException.of(key, "must be a list");
        }
        List<Map<String, String>> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            out.add(entry(key.path() + "[" + i + "]", items.get(i), fields));
        }
        return out;
    }

    private static Map<String, String> entry(String where, Object item, List<String> fields) {
        if (!(item instanceof Map<?, ?> map)) {
            throw new ConfigException(where + ": must be an object with " + String.join(", ", fields));
        }
        Map<String, String> out = new HashMap<>();
        map.forEach((k, v) -> {
            if (!fields.contains(String.valueOf(k))) {
                throw new ConfigException(where + ": unknown key " + Check.safe(String.valueOf(k)));
            }
            out.put(String.valueOf(k), v == null ? null : v.toString());
        });
        return out;
    }
}
