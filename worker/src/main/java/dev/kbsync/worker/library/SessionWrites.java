package dev.kbsync.worker.library;

import dev.kbsync.api.FileChange;
import dev.kbsync.api.InvalidInputException;
import dev.kbsync.git.FileMerge;
import dev.kbsync.git.HeadTree;
import dev.kbsync.git.IgnoreRules;
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
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The files a session wrote or deleted over a known commit (its base), kept so they can be carried onto a fresh
 * checkout: replayed as they are when the checkout is still at the base, merged three-way with what the new head
 * changed otherwise ({@link FileMerge}), never written whole over another writer's changes.
 */
final class SessionWrites {
    private final Map<String, String> contents = new LinkedHashMap<>();

    /**
     * Records and performs a write ({@code null} text deletes); throws {@link InvalidInputException} for unsafe paths,
     * and for a write git would not commit: to a file the KB's {@code .gitignore} excludes that HEAD does not track.
     */
    void record(Path workTree, String path, String text) {
        SafePaths paths = SafePaths.of(workTree);
        String relative =
                paths.root().relativize(paths.resolve(path)).toString().replace('\\', '/');
        Optional<String> excluded = text == null ? Optional.empty() : excludedBy(paths.root(), relative);
        if (excluded.isPresent()) {
            throw new InvalidInputException(
                    SafePaths.INVALID_PATH,
                    "'" + relative + "' is excluded by " + excluded.get() + ", so git would not commit it; write it"
                            + " elsewhere, or change that rule; nothing was written");
        }
        perform(paths, path, text);
        contents.put(relative, text);
    }

    /**
     * The rule that excludes a write of {@code relative} that HEAD does not track, if any (the KB's {@code .gitignore},
     * the checkout's {@code info/exclude} or {@code core.excludesFile}): git would not commit it.
     */
    private static Optional<String> excludedBy(Path root, String relative) {
        return IgnoreRules.of(root).excludedBy(root, relative).filter(rule -> !HeadTree.tracked(root, relative));
    }

    /**
     * Carries the writes, made over {@code base} (null: an empty KB), onto {@code workTree} (which equals its HEAD):
     * as they are if HEAD is still {@code base}, else merged. Overlapping changes are refused with
     * {@code MERGE_CONFLICT} (the tree unchanged), their paths handed to {@code onConflict}; writes that HEAD's
     * {@code .gitignore} excludes (changed by another writer since) with {@code INVALID_PATH}, the tree unchanged.
     */
    ApplyResult replay(Path workTree, String message, String base, Consumer<List<String>> onConflict) {
        SafePaths paths = SafePaths.of(workTree);
        try {
            contents.keySet().forEach(paths::resolve);
        } catch (InvalidInputException e) {
            return new ApplyResult.Refused(e.code(), e.getMessage());
        }
        // checked again over this head: another writer's .gitignore may exclude a path since it was written
        List<String> excluded = contents.entrySet().stream()
                .filter(write -> write.getValue() != null
                        && excludedBy(paths.root(), write.getKey()).isPresent())
                .map(Map.Entry::getKey)
                .toList();
        if (!excluded.isEmpty()) {
            return new ApplyResult.Refused(
                    SafePaths.INVALID_PATH,
                    excluded + " excluded by the KB's .gitignore since written (another writer changed it), so git"
                            + " would not commit them; delete them from the session or write them elsewhere; nothing"
                            + " was published");
        }
        if (Objects.equals(FileMerge.head(workTree).orElse(null), base)) {
            List<FileChange> changes = new ArrayList<>();
            contents.forEach((path, text) -> changes.add(perform(paths, path, text)));
            return new ApplyResult.Changed(message, changes);
        }
        FileMerge.Result merged = FileMerge.merge(workTree, base, contents);
        if (merged instanceof FileMerge.Result.Conflicted conflicted) {
            onConflict.accept(conflicted.paths());
            return new ApplyResult.Refused(
                    SessionConflictException.CODE,
                    "another writer changed the same parts of " + conflicted.paths() + " first");
        }
        return new ApplyResult.Changed(message, ((FileMerge.Result.Merged) merged).files());
    }

    /**
     * The same paths with the texts {@code workTree} shows for them now (null: absent): right after a
     * {@link #replay}, the writes as carried onto its HEAD (merged where the head changed them too).
     */
    SessionWrites asIn(Path workTree) {
        SessionWrites carried = new SessionWrites();
        SafePaths paths = SafePaths.of(workTree);
        contents.keySet().forEach(path -> {
            Path file = paths.resolve(path);
            try {
                carried.contents.put(
                        path, Files.isRegularFile(file) ? Files.readString(file, StandardCharsets.UTF_8) : null);
            } catch (IOException e) {
                throw new UncheckedIOException("could not read " + path, e);
            }
        });
        return carried;
    }

    /** The KB-relative paths written or deleted, in the order first recorded. */
    List<String> paths() {
        return List.copyOf(contents.keySet());
    }

    /** Performs every write again on {@code workTree} (one a refused cycle put back as HEAD has it, say). */
    void performAll(Path workTree) {
        SafePaths paths = SafePaths.of(workTree);
        contents.forEach((path, text) -> perform(paths, path, text));
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
