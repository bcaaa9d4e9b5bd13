package dev.kbsync.worker.run;

import dev.kbsync.api.FileChange;
import dev.kbsync.api.JobError;
import dev.kbsync.api.RelativePath;
import dev.kbsync.git.KbRepository;
import java.util.List;
import java.util.Optional;

/**
 * Refuses a unit that created a file the KB's {@code .gitignore} excludes: git would not stage it, so the unit would
 * commit nothing and its note would be lost while its job read done.
 */
final class IgnoredPaths {
    private IgnoredPaths() {}

    /** The unit's refusal ({@code INVALID_PATH}), if a file it created is ignored. */
    static Optional<JobError> refusal(KbRepository repo, List<FileChange> files) {
        for (FileChange file : files) {
            if (file.change() == FileChange.Change.CREATED && repo.ignored(file.path())) {
                return Optional.of(new JobError(
                        RelativePath.INVALID_PATH,
                        "'" + file.path() + "' is excluded by the KB's .gitignore: git would not commit it; write"
                                + " the note elsewhere, or change the .gitignore; nothing was committed"));
            }
        }
        return Optional.empty();
    }
}
