package dev.kbsync.coordinator.config;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/** Reads a YAML file into raw values per {@link ConfigKey}; keys that are not in the table are an error. */
final class YamlSource {
    private YamlSource() {}

    static Map<ConfigKey, Object> read(Path file) {
        Object root;
        try (Reader reader = Files.newBufferedReader(file)) {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read config file " + file, e);
        } catch (YAMLException e) {
            throw new ConfigException(file + ": not valid YAML: " + e.getMessage());
        }
        Map<ConfigKey, Object> out = new EnumMap<>(ConfigKey.class);
        List<String> unknown = new ArrayList<>();
        if (root instanceof Map<?, ?> map) {
            walk("", map, out, unknown);
        } else if (root != null) {
            throw new ConfigException(file + ": must be a YAML mapping");
        }
        if (!unknown.isEmpty()) {
            throw new ConfigException(file + ": unknown keys " + String.join(", ", unknown));
        }
        return out;
    }

    private static void walk(String prefix, Map<?, ?> map, Map<ConfigKey, Object> out, List<String> unknown) {
        map.forEach((k, v) -> {
            String path = prefix + k;
            ConfigKey key = byPath(path);
            if (key != null) {
                out.put(key, v);
            } else if (v instanceof Map<?, ?> child && isPrefix(path + ".")) {
                walk(path + ".", child, out, unknown);
            } else {
                unknown.add(path);
            }
        });
    }

    private static ConfigKey byPath(String path) {
        for (ConfigKey key : ConfigKey.values()) {
            if (key.path().equals(path)) {
                return key;
            }
        }
        return null;
    }

    private static boolean isPrefix(String prefix) {
        for (ConfigKey key : ConfigKey.values()) {
            if (key.path().startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }
}
