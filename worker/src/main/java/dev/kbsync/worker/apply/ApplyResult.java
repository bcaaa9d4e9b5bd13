package dev.kbsync.worker.apply;

import dev.kbsync.api.FileChange;
import dev.kbsync.api.JobError;
import java.util.List;

/** What an applier did: changed files (with the commit message to use), or refused with an error code. */
public sealed interface ApplyResult {
    /**
     * Files changed in the work tree ({@code url} still null); an empty list means nothing to commit. {@code answer}:
     * what an agent answered (its stdout, capped and masked), or null.
     */
    record Changed(String commitMessage, List<FileChange> files, String answer) implements ApplyResult {
        public Changed {
            files = List.copyOf(files);
        }

        /** Without an answer. */
        public Changed(String commitMessage, List<FileChange> files) {
            this(commitMessage, files, null);
        }
    }

    /** The job cannot be applied; nothing was changed in the checkout. */
    record Refused(JobError error) implements ApplyResult {
        public Refused(String code, String message) {
            this(new JobError(code, message));
        }
    }
}
