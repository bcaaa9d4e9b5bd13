package dev.kbsync.worker.library;

import dev.kbsync.api.FileChange;
import dev.kbsync.api.InvalidInputException;
import dev.kbsync.git.paths.SafePaths;
import dev.kbsync.worker.apply.ApplyResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The files a session wrote or deleted, kept so they can be replayed on a fresh checkout after a rejected push. */
final class SessionWrites {
    private final Map<String, String> contents = new LinkedHashMap<>();

    /** Records and performs a write ({@code null} text deletes); throws {@link InvalidInputException} for unsafe paths. */
    void record(Path workTree, String path, String text) {
        perform(SafePaths.of(workTree), path, text);
        contents.put(path, text);
    }

    ApplyResult replay(Path workTree, String message) {
        SafePaths paths = SafePaths.of(workTree);
        List<FileChange> changes = new ArrayList<>();
        try {
            contents.forEach((path, text) -> changes.add(perform(paths, path, text)));
        } catch (InvalidInputException e) {
            return new ApplyResult.Refused(e.code(), e.getMessage());
        }
        return new ApplyResult.Changed(message, changes);
    }

    private static FileChange perform(SafePaths paths, String path, String text) {
        Path target = paths.resolve(path);
        boolean existed = Files.exists(target);
        try {
            if (text == null) {
                Files.deleteIfExists(target);
                return new FileChange(path, FileChange.Change.DELETED, null);
            }
            Files.createDirectories(target.getParent());
            Files.writeString(target, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + path, e);
        }
        return new FileChange(path, existed ? FileChange.Change.EDITED : FileChange.Change.CREATED, null);
    }
}
