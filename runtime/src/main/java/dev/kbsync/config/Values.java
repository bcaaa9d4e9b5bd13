package dev.kbsync.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/** Typed access to raw values (YAML objects or environment strings), falling back to each key's default. */
public final class Values<K extends Key> {
    private final Map<K, Object> raw;

    Values(Map<K, Object> raw) {
        this.raw = raw;
    }

    /** The value, or the key's default, or empty for a key without one. */
    public Optional<String> string(K key) {
        Object value = raw.get(key);
        if (value == null) {
            return key.hasDefault() ? Optional.of(key.defaultText()) : Optional.empty();
        }
        if (value instanceof Map || value instanceof List) {
            throw ConfigException.of(key, "must be a single value");
        }
        return Optional.of(value.toString().trim());
    }

    /** The value or the key's default (for keys that have one). */
    public String text(K key) {
        return string(key).orElseThrow(() -> ConfigException.of(key, "must be set"));
    }

    public int integer(K key) {
        String text = text(key);
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw ConfigException.of(key, "must be an integer, got " + Check.safe(text));
        }
    }

    public boolean bool(K key) {
        String text = text(key);
        return switch (text) {
            case "true" -> true;
            case "false" -> false;
            default -> throw ConfigException.of(key, "must be true or false, got " + Check.safe(text));
        };
    }

    /** {@code 30s}, {@code 500ms}, {@code 10m}, a bare number of seconds, or ISO-8601 ({@code PT30S}). */
    public Duration duration(K key) {
        String text = text(key);
        try {
            if (text.startsWith("P") || text.startsWith("p")) {
                return Duration.parse(text);
            }
            if (text.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)));
            }
            if (text.endsWith("m")) {
                return Duration.ofMinutes(Long.parseLong(text.substring(0, text.length() - 1)));
            }
            return Duration.ofSeconds(Long.parseLong(text.endsWith("s") ? text.substring(0, text.length() - 1) : text));
        } catch (RuntimeException e) {
            throw ConfigException.of(key, "must be a duration (30s, 500ms, 10m or PT30S), got " + Check.safe(text));
        }
    }

    /** An argv-like list: a YAML list of words, or one whitespace-separated string (no quoting). */
    public Optional<List<String>> words(K key) {
        Object value = raw.get(key);
        if (value instanceof List<?> items) {
            return Optional.of(items.stream().map(String::valueOf).toList());
        }
        return string(key).map(text -> List.of(text.split("\\s+")));
    }

    /** A list of values: a YAML list, or one comma-separated string; items stripped, empty ones dropped. */
    public Optional<List<String>> items(K key) {
        Object value = raw.get(key);
        List<String> parts = value instanceof List<?> list
                ? list.stream().map(String::valueOf).toList()
                : string(key).map(text -> List.of(text.split(","))).orElse(null);
        return Optional.ofNullable(parts)
                .map(all -> all.stream()
                        .map(String::strip)
                        .filter(p -> !p.isEmpty())
                        .toList());
    }

    /**
     * A list of objects with only {@code fields}; from the environment each comma-separated item via {@code envForm}.
     * A field's list of values arrives joined by commas; a field named {@code name.*} takes an object whose (nested)
     * keys arrive flattened by dots ({@code credentials.githubApp.appId}), checked by the caller.
     */
    public List<Map<String, String>> list(K key, List<String> fields, Function<String, Map<String, String>> envForm) {
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
        List<String> names = fields.stream().map(f -> f.replace(".*", "")).toList();
        if (!(item instanceof Map<?, ?> map)) {
            throw new ConfigException(where + ": must be an object with " + String.join(", ", names));
        }
        Map<String, String> out = new HashMap<>();
        map.forEach((k, v) -> {
            String field = String.valueOf(k);
            if (fields.contains(field + ".*")) {
                if (!(v instanceof Map<?, ?> nested)) {
                    throw new ConfigException(where + "." + field + ": must be an object");
                }
                flatten(field + ".", nested, out);
            } else if (fields.contains(field)) {
                out.put(field, scalar(v));
            } else {
                throw new ConfigException(where + ": unknown key '" + field + "'"
                        + Nearest.to(field, names)
                                .map(n -> "; did you mean '" + n + "'?")
                                .orElse(""));
            }
        });
        return out;
    }

    private static void flatten(String prefix, Map<?, ?> map, Map<String, String> out) {
        map.forEach((k, v) -> {
            if (v instanceof Map<?, ?> nested) {
                flatten(prefix + k + ".", nested, out);
            } else {
                out.put(prefix + k, scalar(v));
            }
        });
    }

    private static String scalar(Object value) {
        if (value instanceof List<?> items) {
            return String.join(",", items.stream().map(String::valueOf).toList());
        }
        return value == null ? null : value.toString();
    }
}
