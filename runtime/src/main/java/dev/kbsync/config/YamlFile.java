package dev.kbsync.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/** Reads a YAML file into raw values per key of a {@link KeyTable}; every key that is not in the table is an error. */
final class YamlFile {
    private YamlFile() {}

    static <K extends Enum<K> & Key> Map<K, Object> read(Path file, KeyTable<K> table) {
        Object root;
        try (Reader reader = Files.newBufferedReader(file)) {
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(false); // a second `http:` would silently drop the first (its TLS, say)
            root = new Yaml(new SafeConstructor(options)).load(reader);
        } catch (NoSuchFileException e) {
            throw new ConfigException("config file " + file + " does not exist");
        } catch (AccessDeniedException e) {
            throw new ConfigException("cannot read config file " + file + ": permission denied");
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
        } catch (YAMLException e) {
            throw new ConfigException(file + ": not valid YAML: " + e.getMessage());
        }
        Map<K, Object> out = new HashMap<>();
        List<String> problems = new ArrayList<>();
        if (root instanceof Map<?, ?> map) {
            walk("", "", map, table, out, new HashMap<>(), problems);
        } else if (root != null) {
            throw new ConfigException(file + ": must be a YAML mapping");
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(String.join(
                    "\n", problems.stream().map(p -> file + ": " + p).toList()));
        }
        return out;
    }

    /**
     * Reads {@code map}, whose keys start at {@code prefix} (as written: {@code written}), into {@code out}. A key
     * reached twice, once nested and once by a dotted name ({@code http: {port: 8080}} and {@code http.port: 9000}),
     * is a problem, as a duplicate key is: one of the two would be dropped without a word. {@code seen}: how each key
     * read so far was written.
     */
    private static <K extends Enum<K> & Key> void walk(
            String prefix,
            String written,
            Map<?, ?> map,
            KeyTable<K> table,
            Map<K, Object> out,
            Map<K, String> seen,
            List<String> problems) {
        map.forEach((name, value) -> {
            String path = prefix + name;
            String spelled = written + name;
            var key = table.key(path);
            if (key.isPresent()) {
                String before = seen.putIfAbsent(key.get(), spelled);
                if (before != null) {
                    problems.add(
                            "'" + path + "' is set twice (as '" + before + "' and as '" + spelled + "'); keep one");
                } else if (value != null && !(value instanceof String s && s.isBlank())) {
                    out.put(key.get(), value);
                }
            } else if (!table.isSection(path)) {
                problems.add(table.unknown(path));
            } else if (value instanceof Map<?, ?> section) {
                walk(path + ".", spelled + ": ", section, table, out, seen, problems);
            } else if (value != null) {
                problems.add("'" + path + "' is a section: nest its keys under it");
            }
        });
    }
}
