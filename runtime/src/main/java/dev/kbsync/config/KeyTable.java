package dev.kbsync.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A process's configuration keys (an enum implementing {@link Key}) and how they are read: a YAML file nested by the
 * dots of the paths, where a key that is not in the table is an error naming the nearest valid one, then the
 * environment, which overrides the file. A blank value counts as unset in both.
 */
public final class KeyTable<K extends Enum<K> & Key> {
    private final Class<K> type;
    private final Map<String, K> byPath = new HashMap<>();
    private final Set<String> sections = new HashSet<>();

    private KeyTable(Class<K> type) {
        this.type = type;
        Set<String> envs = new HashSet<>();
        for (K key : type.getEnumConstants()) {
            if (byPath.put(key.path(), key) != null || !envs.add(key.env())) {
                throw new IllegalStateException("duplicate path or variable in " + type.getSimpleName() + ": " + key);
            }
            for (int dot = key.path().indexOf('.'); dot > 0; dot = key.path().indexOf('.', dot + 1)) {
                sections.add(key.path().substring(0, dot));
            }
        }
    }

    public static <K extends Enum<K> & Key> KeyTable<K> of(Class<K> type) {
        return new KeyTable<>(type);
    }

    /** Every key, in table order. */
    public List<K> keys() {
        return List.of(type.getEnumConstants());
    }

    /** The raw values of {@code file} (if given) with {@code env} laid over them. */
    public Values<K> read(Optional<Path> file, Map<String, String> env) {
        Map<K, Object> raw = new EnumMap<>(type);
        file.ifPresent(f -> raw.putAll(YamlFile.read(f, this)));
        for (K key : type.getEnumConstants()) {
            String value = env.get(key.env());
            if (value != null && !value.isBlank()) {
                raw.put(key, value.strip());
            }
        }
        return new Values<>(raw);
    }

    Optional<K> key(String path) {
        return Optional.ofNullable(byPath.get(path));
    }

    boolean isSection(String path) {
        return sections.contains(path);
    }

    /** {@code unknown key 'redis.adress'; did you mean 'redis.address'?} */
    String unknown(String path) {
        List<String> names = new ArrayList<>(byPath.keySet());
        names.addAll(sections);
        return "unknown key '" + path + "'"
                + Nearest.to(path, names)
                        .map(n -> "; did you mean '" + n + "'?")
                        .orElse("");
    }
}
