package dev.kbsync.worker.run;

import dev.kbsync.api.FileChange;
import dev.kbsync.api.JobError;
import dev.kbsync.git.KbRepository;
import java.util.List;
import java.util.Optional;

/**
 * Refuses a unit whose files a case-insensitive file system (macOS, Windows) would take for a file or folder the KB
 * already has, or macOS would for its name in the other Unicode form (NFC, NFD): every clone there would be broken.
 * Looked up in the checkout's {@link KbRepository#caseTwin case index}, so the check costs no listing of a folder.
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
        int folders = count(twin, '/');
        String differing = folders == count(path, '/') ? "it" : "its folder '" + folder(path, folders) + "'";
        return "'" + path + "' cannot be written: " + differing + " differs only in letter case or Unicode form (NFC,"
                + " NFD) from '" + twin + "' in the KB, and a case-insensitive or normalizing file system (macOS,"
                + " Windows) would make the two one; nothing was committed";
    }

    /** The first {@code folders} + 1 names of {@code path}. */
    private static String folder(String path, int folders) {
        int end = -1;
        for (int i = 0; i <= folders; i++) {
            end = path.indexOf('/', end + 1);
        }
        return path.substring(0, end);
    }

    private static int count(String text, char c) {
        return (int) text.chars().filter(ch -> ch == c).count();
    }
}
