package dev.kbsync.lock;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cross-process half of a KB lock: an OS file lock on {@code path}, plus a sidecar {@code path.holder} that names
 * the holder for waiters in other processes. The sidecar is a separate file because closing any descriptor of a
 * POSIX-locked file drops the process's lock on it; only the holder ever opens the lock file.
 */
final class LockFile {
    private static final Logger log = LoggerFactory.getLogger(LocalKbLock.class);

    private final Path path;
    private final FileChannel channel;
    private final FileLock lock;

    private LockFile(Path path, FileChannel channel, FileLock lock) {
        this.path = path;
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the file lock if free and records {@code holder}; empty if another process holds it. */
    static Optional<LockFile> tryLock(Path path, LockHolder holder) throws IOException {
        Files.createDirectories(path.getParent());
        FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException | IOException e) {
            channel.close();
            if (e instanceof IOException io) {
                throw io;
            }
            return Optional.empty();
        }
        if (lock == null) {
            channel.close();
            return Optional.empty();
        }
        LockFile file = new LockFile(path, channel, lock);
        try {
            file.writeHolder(holder);
        } catch (IOException | RuntimeException e) {
            try (channel) { // not taken after all: the OS lock would stay with this process for good
                lock.release();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        return Optional.of(file);
    }

    /** The holder recorded by a live process other than this one; stale records of dead processes are ignored. */
    static Optional<LockHolder> recordedHolder(Path path) {
        try {
            String[] parts = Files.readString(sidecar(path), StandardCharsets.UTF_8)
                    .strip()
                    .split("\t", 3);
            long pid = Long.parseLong(parts[0]);
            boolean alive = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
            if (!alive || pid == ProcessHandle.current().pid()) {
                return Optional.empty();
            }
            return Optional.of(new LockHolder(parts[2], pid, Instant.ofEpochMilli(Long.parseLong(parts[1]))));
        } catch (IOException | RuntimeException unreadable) {
            return Optional.empty();
        }
    }

    /**
     * Clears the holder record, then releases the OS lock and closes the channel; works from any thread of this JVM.
     * A record that cannot be deleted (a read-only or full lock directory, an I/O error) is logged, not thrown: the
     * lock is released all the same, and the next holder replaces the record (until then a waiter in another process
     * may name this process in its logs). Throws only if the channel cannot be closed.
     */
    void release() {
        try {
            Files.deleteIfExists(sidecar(path));
        } catch (IOException e) {
            log.warn(
                    "could not delete the holder record of {} ({}); releasing the lock all the same",
                    path,
                    e.toString());
        }
        try (channel) {
            lock.release();
        } catch (IOException e) {
            throw new UncheckedIOException("could not release " + path, e);
        }
    }

    private void writeHolder(LockHolder holder) throws IOException {
        Path tmp = Files.createTempFile(path.getParent(), path.getFileName() + ".", ".tmp");
        String line = holder.pid() + "\t" + holder.since().toEpochMilli() + "\t" + holder.operation() + "\n";
        try {
            Files.writeString(tmp, line, StandardCharsets.UTF_8);
            Files.move(tmp, sidecar(path), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static Path sidecar(Path path) {
        return path.resolveSibling(path.getFileName() + ".holder");
    }
}
