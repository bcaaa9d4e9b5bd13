package dev.kbsync.worker.apply;

import java.util.Optional;

/**
 * The KB's paths as a case-insensitive or normalizing file system (macOS, Windows) sees them: which path of the KB
 * ({@code HEAD}, with the batch's earlier commits) a given path would collide with. A note named from its title skips
 * such a name as it skips one that exists.
 */
@FunctionalInterface
public interface CaseIndex {
    /** An index that knows no path: only exact names are taken. */
    CaseIndex NONE = path -> Optional.empty();

    /** The KB's path, or folder, that {@code path} (KB-relative) differs from only in letter case or Unicode form. */
    Optional<String> twin(String path);
}
