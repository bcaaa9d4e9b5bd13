package dev.kbsync.worker.run;

import dev.kbsync.api.FileChange;
import dev.kbsync.api.JobError;
import dev.kbsync.git.KbRepository;
import java.util.List;
import java.util.Optional;

/**
 * Refuses a unit whose files a case-insensitive file system (macOS, Windows) would take for a file or folder the KB
 * already has: every clone there would be broken. Looked up in the checkout's
 * {@link KbRepository#caseTwin case index}, so the check costs no listing of a folder.
 */
final class CaseTwins {
    /** The error code of such a unit. */
    static final String PATH_CASE_CONFLICT = "PATH_CASE_CONFLICT";

    private CaseTwins() {}

    /** The unit's refusal, if a file it created or edited has a twin in HEAD (which holds the batch's earlier commits). */
    static Optional<JobError> refusal(KbRepository repo, List<FileChange> files) {
        for (FileChange file : files) {
            if (file.change() == FileChange.Change.DELETED) {
                continue;
            }
            Optional<String> twin = repo.caseTwin(file.path());
            if (twin.isPresent()) {
                return Optional.of(new JobError(
                        PATH_CASE_CONFLICT,
                        "'" + file.path() + "' differs only in letter case from '" + twin.get()
                                + "' in the KB; on a case-insensitive file system (macOS, Windows) the two would be"
                                + " one, so nothing was committed"));
            }
        }
        return Optional.empty();
    }
}
