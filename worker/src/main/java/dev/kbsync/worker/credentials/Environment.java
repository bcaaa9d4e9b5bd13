package dev.kbsync.worker.credentials;

import dev.kbsync.git.CredentialsUnavailableException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The variables credential references resolve against: the environment file's (read again at every call, so an edited
 * file counts at once) over the process's own.
 */
final class Environment {
    private static final long MAX_FILE_BYTES = 1 << 20;

    private final Map<String, String> process;
    private final Optional<Path> file;

    Environment(Map<String, String> process, Optional<Path> file) {
        this.process = Map.copyOf(process);
        this.file = file;
    }

    /** Every variable as of now. */
    Map<String, String> snapshot() {
        Map<String, String> all = new HashMap<>(process);
        file.ifPresent(f -> all.putAll(read(f)));
        return all;
    }

    Optional<String> get(String name) {
        return Optional.ofNullable(snapshot().get(name)).filter(v -> !v.isBlank());
    }

    /** {@code NAME=value} lines; blank lines, {@code #} comments, an {@code export } prefix and quotes allowed. */
    static Map<String, String> read(Path file) {
        String text;
        try {
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new CredentialsUnavailableException("the environment file " + file + " is larger than 1 MiB");
            }
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CredentialsUnavailableException("the environment file " + file + " cannot be read ("
                    + e.getClass().getSimpleName() + ")");
        }
        Map<String, String> values = new HashMap<>();
        for (String raw : text.split("\r?\n")) {
            String line = raw.strip();
            if (line.startsWith("export ")) {
                line = line.substring("export ".length()).strip();
            }
            int eq = line.indexOf('=');
            if (line.isEmpty() || line.startsWith("#") || eq < 1) {
                continue;
            }
            values.put(
                    line.substring(0, eq).strip(),
                    unquote(line.substring(eq + 1).strip()));
        }
        return values;
    }

    private static String unquote(String value) {
        boolean quoted = value.length() >= 2
                && (value.startsWith("\"") && value.endsWith("\"") || value.startsWith("'") && value.endsWith("'"));
        return quoted ? value.substring(1, value.length() - 1) : value;
    }
}
