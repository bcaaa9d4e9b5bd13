package dev.kbsync.worker.process;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Dotted config keys ({@code coordinator.url}) looked up in the environment ({@code KBSYNC_COORDINATOR_URL}) first,
 * then in an optional YAML file (nested maps; lists joined with spaces).
 */
final class ConfigSource {
    private final Map<String, String> env;
    private final Map<String, String> yaml;

    private ConfigSource(Map<String, String> env, Map<String, String> yaml) {
        this.env = env;
        this.yaml = yaml;
    }

    static ConfigSource of(Map<String, String> env) {
        String file = env.get("KBSYNC_CONFIG");
        return new ConfigSource(env, file == null || file.isBlank() ? Map.of() : readYaml(Path.of(file)));
    }

    Optional<String> get(String key) {
        String fromEnv = env.get(envName(key));
        if (fromEnv != null && !fromEnv.isBlank()) {
            return Optional.of(fromEnv.strip());
        }
        return Optional.ofNullable(yaml.get(key)).filter(v -> !v.isBlank());
    }

    static String envName(String key) {
        return "KBSYNC_"
                + key.replace('.', '_').replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
    }

    private static Map<String, String> readYaml(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            Object root = new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
            Map<String, String> flat = new HashMap<>();
            if (root instanceof Map<?, ?> map) {
                flatten("", map, flat);
            } else if (root != null) {
                throw new IllegalArgumentException("config file " + file + " must hold a YAML mapping");
            }
            return flat;
        } catch (IOException e) {
            throw new UncheckedIOException("could not read config file " + file, e);
        }
    }

    private static void flatten(String prefix, Map<?, ?> map, Map<String, String> flat) {
        map.forEach((k, v) -> {
            String key = prefix + k;
            if (v instanceof Map<?, ?> nested) {
                flatten(key + ".", nested, flat);
            } else if (v instanceof List<?> list) {
                flat.put(
                        key, String.join(" ", list.stream().map(String::valueOf).toList()));
            } else if (v != null) {
                flat.put(key, String.valueOf(v));
            }
        });
    }
}
