package dev.kbsync.lock;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Where a KB's lock file lives (never in the work tree), and keeping the original's lock file out of commits. */
final class LockFileLocation {
    static final String LEGACY = ".kb_operations.lock";
    private static final Logger log = LoggerFactory.getLogger(LockFileLocation.class);

    private LockFileLocation() {}

    /** {@code <kb>/.git/kbsync.lock}, else {@code <lockDir>/<name>-<hash>.lock}. */
    static Path of(Path kb, LocalLockConfig config) {
        Path git = kb.resolve(".git");
        if (Files.isDirectory(git)) {
            return git.resolve("kbsync.lock");
        }
        Path dir = config.lockDir() != null ? config.lockDir() : kb.resolveSibling(".kbsync-locks");
        String hash = String.format(Locale.ROOT, "%08x", kb.toString().hashCode());
        return dir.resolve(kb.getFileName() + "-" + hash + ".lock");
    }

    /** Adds the original's {@code .kb_operations.lock} to {@code .git/info/exclude} when it exists in the work tree. */
    static void excludeLegacy(Path kb) {
        Path git = kb.resolve(".git");
        if (!Files.exists(kb.resolve(LEGACY)) || !Files.isDirectory(git)) {
            return;
        }
        Path exclude = git.resolve("info").resolve("exclude");
        String entry = "/" + LEGACY;
        try {
            String content = Files.exists(exclude) ? Files.readString(exclude, StandardCharsets.UTF_8) : "";
            if (content.lines().anyMatch(entry::equals)) {
                return;
            }
            Files.createDirectories(exclude.getParent());
            String prefix = content.isEmpty() || content.endsWith("\n") ? "" : "\n";
            Files.writeString(
                    exclude,
                    prefix + entry + "\n",
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            log.info("added {} to {} so it is never committed", entry, exclude);
        } catch (IOException e) {
            throw new UncheckedIOException("could not update " + exclude, e);
        }
    }
}
