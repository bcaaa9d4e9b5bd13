package dev.kbsync.worker.credentials;

import dev.kbsync.git.CredentialsUnavailableException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads secret, key and known_hosts files, only inside the allowed directories (symbolic links resolved first). */
final class SecretFiles {
    private static final long MAX_BYTES = 64 * 1024;

    private final List<Path> allowed;

    SecretFiles(List<Path> allowed) {
        this.allowed = allowed;
    }

    /**
     * The file's path once checked: inside an allowed directory and readable. The path as named is checked first, so
     * that the error for one outside the directories does not tell whether a file is there; symbolic links are resolved
     * only for paths inside, and one that leads outside is refused as well.
     */
    Path checked(String file) {
        Path named = Path.of(file).toAbsolutePath().normalize();
        List<Path> dirs = withRealPaths();
        if (dirs.stream().noneMatch(named::startsWith)) {
            throw outside(file);
        }
        Path real;
        try {
            real = named.toRealPath();
        } catch (IOException e) {
            throw new CredentialsUnavailableException("the file " + file + " does not exist or cannot be read");
        }
        if (dirs.stream().noneMatch(real::startsWith)) {
            throw outside(file);
        }
        if (!Files.isRegularFile(real) || !Files.isReadable(real)) {
            throw new CredentialsUnavailableException("the file " + file + " is not a readable file");
        }
        return real;
    }

    private CredentialsUnavailableException outside(String file) {
        return new CredentialsUnavailableException("the file " + file + " is outside the directories this worker reads"
                + " secrets from (credentials.fileDirs: " + allowed + ")");
    }

    /** The allowed directories as configured and, for those that exist, with symbolic links resolved. */
    private List<Path> withRealPaths() {
        List<Path> dirs = new ArrayList<>(allowed);
        for (Path dir : allowed) {
            try {
                dirs.add(dir.toRealPath());
            } catch (IOException e) {
                // not there: only its name counts
            }
        }
        return dirs;
    }

    /** The file's content without surrounding whitespace (a trailing newline is usual); never empty. */
    String read(String file) {
        Path path = checked(file);
        try {
            if (Files.size(path) > MAX_BYTES) {
                throw new CredentialsUnavailableException("the file " + file + " is larger than 64 KiB");
            }
            String value = Files.readString(path, StandardCharsets.UTF_8).strip();
            if (value.isEmpty()) {
                throw new CredentialsUnavailableException("the file " + file + " is empty");
            }
            return value;
        } catch (IOException e) {
            throw new CredentialsUnavailableException(
                    "the file " + file + " cannot be read (" + e.getClass().getSimpleName() + ")");
        }
    }
}
