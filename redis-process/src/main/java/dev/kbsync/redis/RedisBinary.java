package dev.kbsync.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;

/**
 * Locates a {@code redis-server} binary: the {@code REDIS_SERVER} environment variable, then {@code PATH}, then the
 * Linux binary shipped inside the {@code com.github.codemonstur:embedded-redis} jar (extracted once to a temp dir).
 */
public final class RedisBinary {
    static final String ENV = "REDIS_SERVER";
    private static final String EMBEDDED_AMD64 = "/redis-server-6.2.6-v5-linux-amd64";
    private static final String EMBEDDED_ARM64 = "/redis-server-6.2.7-linux-arm64";

    private RedisBinary() {}

    /** The binary to run, or an exception that says where it looked. */
    public static Path locate() {
        return locate(System.getenv());
    }

    static Path locate(Map<String, String> env) {
        return fromEnv(env)
                .or(() -> onPath(env.getOrDefault("PATH", ""), "redis-server"))
                .or(RedisBinary::embedded)
                .orElseThrow(() -> new IllegalStateException("no redis-server found: set " + ENV
                        + ", put redis-server on PATH, or run on linux amd64/arm64 for the embedded binary"));
    }

    private static Optional<Path> fromEnv(Map<String, String> env) {
        String value = env.get(ENV);
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        Path path = Path.of(value);
        if (!runnable(path)) {
            throw new IllegalStateException(ENV + "=" + value + " is not an executable file");
        }
        return Optional.of(path);
    }

    /** The executable {@code name} in the first directory of {@code pathVariable} that has one. */
    static Optional<Path> onPath(String pathVariable, String name) {
        for (String dir : pathVariable.split(java.io.File.pathSeparator)) {
            if (dir.isBlank()) {
                continue;
            }
            Path candidate = Path.of(dir, name);
            if (runnable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** An executable file (a directory is "executable" too: it can be entered). */
    private static boolean runnable(Path path) {
        return Files.isRegularFile(path) && Files.isExecutable(path);
    }

    static Optional<Path> embedded() {
        String os = System.getProperty("os.name", "").toLowerCase();
        String arch = System.getProperty("os.arch", "");
        if (!os.contains("linux")) {
            return Optional.empty();
        }
        String resource = arch.contains("aarch64") || arch.contains("arm64") ? EMBEDDED_ARM64 : EMBEDDED_AMD64;
        return extract(resource);
    }

    private static synchronized Optional<Path> extract(String resource) {
        try (InputStream in = RedisBinary.class.getResourceAsStream(resource)) {
            if (in == null) {
                return Optional.empty();
            }
            Path dir = Path.of(
                    System.getProperty("java.io.tmpdir"),
                    "kbsync-redis-" + ProcessHandle.current().pid());
            Files.createDirectories(dir);
            Path target = dir.resolve("redis-server");
            if (!Files.isExecutable(target)) {
                Path tmp = Files.createTempFile(dir, "redis-server", ".tmp");
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            // deleted at exit in the reverse order: the binary, then its (then empty) directory
            dir.toFile().deleteOnExit();
            target.toFile().deleteOnExit();
            return Optional.of(target);
        } catch (IOException e) {
            throw new UncheckedIOException("could not extract the embedded redis-server", e);
        }
    }
}
