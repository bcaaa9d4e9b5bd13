package dev.kbsync.cli.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** The stack's data directory: created if missing, and proven writable before anything starts in it. */
public final class DataDir {
    private DataDir() {}

    /** {@code dir} as an absolute path, created and writable; {@link StartFailure} (DATA_DIR_NOT_WRITABLE) if not. */
    public static Path writable(Path dir) {
        Path absolute = dir.toAbsolutePath().normalize();
        try {
            Files.createDirectories(absolute);
            Files.delete(Files.createTempFile(absolute, ".write-test", ""));
            return absolute;
        } catch (IOException e) {
            throw StartFailure.dataDir(absolute, e);
        }
    }

    /** {@code dir/name}, created; {@link StartFailure} if it cannot be. */
    public static Path child(Path dir, String name) {
        Path child = dir.resolve(name);
        try {
            return Files.createDirectories(child);
        } catch (IOException e) {
            throw StartFailure.dataDir(child, e);
        }
    }

    /** Deletes {@code dir} and everything in it; a file that cannot be deleted is left (best effort, at the end). */
    public static void delete(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder())
                    .forEach(path -> path.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // left behind: a temporary directory the system cleans
        }
    }
}
