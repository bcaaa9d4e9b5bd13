package dev.kbsync.coordinator.snapshot;

import dev.kbsync.api.InvalidInputException;
import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the mirrors live: {@code <kb>-<digest of remote and branch>.git} under the mirror directory (a KB pointed at
 * another remote gets a fresh one), and {@code .trash/}, where a KB's other mirror directories are moved (one rename,
 * quick) before they are deleted (slow, never under a lock readers wait for).
 */
final class MirrorDirs {
    private static final Logger log = LoggerFactory.getLogger(MirrorDirs.class);
    private static final String TRASH = ".trash";
    /** A mirror directory's name: its KB's id, then the digest of its remote and branch. */
    private static final Pattern ANY = Pattern.compile("(.+)-[0-9a-f]{12}\\.git");

    private final Path base;

    MirrorDirs(Path base) {
        this.base = base;
    }

    Path base() {
        return base;
    }

    /** The directory of {@code kb}'s mirror. */
    Path of(KbConfig kb) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((kb.remote() + "\n" + kb.branch()).getBytes(StandardCharsets.UTF_8));
            return base.resolve(kb.id().value() + "-" + HexFormat.of().formatHex(digest, 0, 6) + ".git");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The KBs that have mirror directories here (an earlier run's included), those whose directory name is not a
     * valid KB id left out.
     */
    Set<KbId> kbs() {
        Set<KbId> found = new HashSet<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(base, "*-*.git")) {
            for (Path dir : dirs) {
                Matcher name = ANY.matcher(dir.getFileName().toString());
                if (name.matches() && Files.isDirectory(dir)) {
                    try {
                        found.add(KbId.of(name.group(1)));
                    } catch (InvalidInputException notAKb) {
                        // not a mirror of ours
                    }
                }
            }
        } catch (IOException e) {
            log.warn("listing the read mirrors under {} failed: {}", base, e.toString());
        }
        return found;
    }

    /** Moves every mirror directory of {@code kb} but {@code keep} into the trash; how many it moved. */
    int setAside(KbId kb, Optional<Path> keep) {
        Pattern mine = Pattern.compile(Pattern.quote(kb.value()) + "-[0-9a-f]{12}\\.git");
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(base, kb.value() + "-*.git")) {
            dirs.forEach(found::add);
        } catch (IOException e) {
            log.warn("listing the read mirrors of KB {} failed: {}", kb.value(), e.toString());
            return 0;
        }
        int moved = 0;
        for (Path dir : found) {
            if (!mine.matcher(dir.getFileName().toString()).matches()
                    || keep.map(dir::equals).orElse(false)) {
                continue;
            }
            try {
                Path trash = Files.createDirectories(base.resolve(TRASH));
                Files.move(dir, trash.resolve(dir.getFileName() + "-" + UUID.randomUUID()));
                moved++;
            } catch (IOException e) {
                log.warn("setting aside the read mirror {} failed: {}", dir, e.toString());
            }
        }
        return moved;
    }

    /** Deletes what was set aside. */
    void emptyTrash() {
        Path trash = base.resolve(TRASH);
        if (Files.isDirectory(trash)) {
            delete(trash);
        }
    }

    /** Deletes {@code dir} and everything under it (best effort). */
    static void delete(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            log.warn("deleting {} failed: {}", dir, e.toString());
        }
    }
}
