package dev.kbsync.coordinator.degraded;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Small files of the journal's directory, replaced whole so that a crash (a power cut included: the folder is forced
 * after the rename) leaves the old or the new one.
 */
final class DurableFiles {
    private DurableFiles() {}

    /** Writes {@code text} next to {@code file}, fsyncs it and moves it into place. Blocking. */
    static void replace(Path file, String text) throws IOException {
        Path next = file.resolveSibling(file.getFileName() + ".next");
        Files.writeString(
                next,
                text,
                StandardCharsets.UTF_8,
                StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE,
                StandardOpenOption.SYNC);
        Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        syncFolder(file.toAbsolutePath().getParent());
    }

    /**
     * Makes the names in {@code folder} durable (a rename, a file created): without it a power cut may leave the old
     * name after a later write that depends on the new one was forced. Where a folder cannot be opened for it (not
     * Linux), a no-op.
     */
    static void syncFolder(Path folder) throws IOException {
        try (FileChannel channel = FileChannel.open(folder, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (UnsupportedOperationException | AccessDeniedException notHere) {
            // some platforms cannot open or force a folder; the rename is as durable as they make it
        }
    }
}
