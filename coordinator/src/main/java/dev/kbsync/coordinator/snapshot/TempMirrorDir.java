package dev.kbsync.coordinator.snapshot;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read mirrors' directory when none is configured: a new {@code kbsync-mirrors-*} under the system's temporary
 * directory, owned by this run through an OS lock on its {@link #OWNER} file (which the OS drops however the process
 * ends), removed at {@link #close()}. Each start first removes the ones whose owner is gone (a crash, {@code kill -9},
 * an out-of-memory exit never closed them); one without an owner file (an older version's) once it is a day old.
 */
final class TempMirrorDir implements AutoCloseable {
    static final String OWNER = "owner.lock";
    private static final String PREFIX = "kbsync-mirrors-";
    private static final Duration UNOWNED_AGE = Duration.ofDays(1);
    private static final Logger log = LoggerFactory.getLogger(TempMirrorDir.class);

    private final Path path;
    private final FileChannel owner;

    private TempMirrorDir(Path path, FileChannel owner) {
        this.path = path;
        this.owner = owner;
    }

    /** Removes what runs that never stopped left under {@code root}, then makes and owns a new directory there. */
    static TempMirrorDir create(Path root) {
        removeAbandoned(root);
        try {
            Path dir = Files.createTempDirectory(root, PREFIX);
            FileChannel channel =
                    FileChannel.open(dir.resolve(OWNER), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            channel.lock(); // never contended: the directory is new
            return new TempMirrorDir(dir, channel);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path path() {
        return path;
    }

    @Override
    public void close() {
        try {
            owner.close(); // the lock goes with it
        } catch (IOException e) {
            log.debug("closing {} failed: {}", path.resolve(OWNER), e.toString());
        }
        MirrorDirs.delete(path);
    }

    private static void removeAbandoned(Path root) {
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root, PREFIX + "*")) {
            for (Path dir : dirs) {
                if (Files.isDirectory(dir) && abandoned(dir)) {
                    log.info("removing the read mirrors {} that a run which never stopped left", dir);
                    MirrorDirs.delete(dir);
                }
            }
        } catch (IOException e) {
            log.warn("looking for read mirrors left under {} failed: {}", root, e.toString());
        }
    }

    /** Whether no live process owns {@code dir}: its owner file unlocked, or none for a day. */
    private static boolean abandoned(Path dir) throws IOException {
        Path file = dir.resolve(OWNER);
        if (!Files.exists(file)) {
            return Files.getLastModifiedTime(dir)
                    .toInstant()
                    .isBefore(Instant.now().minus(UNOWNED_AGE));
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            FileLock lock = channel.tryLock();
            return lock != null; // released with the channel
        } catch (OverlappingFileLockException e) {
            return false; // this JVM owns it (another coordinator in the same process)
        }
    }
}
