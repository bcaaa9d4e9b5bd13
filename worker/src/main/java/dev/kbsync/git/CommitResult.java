package dev.kbsync.git;

import dev.kbsync.api.FileChange;
import java.util.List;

/** Outcome of {@link KbRepository#commit}. */
public sealed interface CommitResult {
    String message();

    /** A commit was made; {@code changes} lists files created/edited/deleted with GitHub or GitLab links when available. */
    record Committed(String commitId, List<FileChange> changes) implements CommitResult {
        public Committed {
            changes = List.copyOf(changes);
        }

        public String message() {
            return "Changes committed";
        }
    }

    /** The work tree equals HEAD. */
    record NothingToCommit() implements CommitResult {
        public String message() {
            return "No changes to commit";
        }
    }
}
