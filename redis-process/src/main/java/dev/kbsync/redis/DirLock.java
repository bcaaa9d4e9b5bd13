package dev.kbsync.redis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An exclusive OS file lock that says which process owns a directory, with the owner's pid inside. The OS drops it
 * when the owner exits, however it exits, so holding it proves that every earlier owner is dead. Closing any
 * descriptor of a POSIX-locked file drops the process's lock on it, so this JVM opens a lock file at most once at a
 * time (a second attempt from this JVM fails without opening it). {@link #close()} is safe to call twice.
 */
public final class DirLock implements AutoCloseable {
    private static final Set<Path> HELD_HERE = ConcurrentHashMap.newKeySet();

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private DirLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the lock file {@code file}, or fails at once with {@link DirInUseException} naming its directory and the pid
     * that holds it.
     */
    public static DirLock take(Path file) {
        Path key = file.toAbsolutePath().normalize();
        if (!HELD_HERE.add(key)) {
            throw inUse(file, Long.toString(ProcessHandle.current().pid()));
        }
        try {
            return lock(key);
        } catch (RuntimeException e) {
            HELD_HERE.remove(key);
            throw e;
        }
    }

    private static DirLock lock(Path file) {
        try {
            FileChannel channel = FileChannel.open(
                    file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            try {
                FileLock lock = channel.tryLock();
                if (lock == null) {
                    throw inUse(file, owner(channel));
                }
                channel.truncate(0);
                channel.write(
                        ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)));
                return new DirLock(file, channel, lock);
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock " + file, e);
        }
    }

    private static String owner(FileChannel channel) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(32);
        channel.read(buffer, 0);
        return new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII).strip();
    }

    private static DirInUseException inUse(Path file, String owner) {
        return new DirInUseException(file.getParent(), owner);
    }

    @Override
    public void close() {
        try {
            if (channel.isOpen()) {
                channel.close();
            }
        } catch (IOException ignored) {
            // closing releases the lock either way
        } finally {
            HELD_HERE.remove(file);
        }
    }
}
