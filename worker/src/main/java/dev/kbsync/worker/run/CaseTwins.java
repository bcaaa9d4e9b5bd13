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
                return Optional.of(new JobError(PATH_CASE_CONFLICT, message(file.path(), twin.get())));
            }
        }
        return Optional.empty();
    }

    /** Names both paths: the note's (and its folder that differs, if it is a folder) and the KB's. */
    private static String message(String path, String twin) {
        String differing =
                path.length() == twin.length() ? "it" : "its folder '" + path.substring(0, twin.length()) + "'";
        return "'" + path + "' cannot be written: " + differing + " differs only in letter case from '" + twin
                + "' in the KB, and a case-insensitive file system (macOS, Windows) would make the two one; nothing"
                + " was committed";
    }
}
