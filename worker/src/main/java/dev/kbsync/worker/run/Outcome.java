package dev.kbsync.worker.run;

import dev.kbsync.api.FileChange;
import dev.kbsync.api.JobError;
import java.util.List;

/** How a publish cycle ended. {@code pushRejections} counts non-fast-forward rejections on the way. */
public sealed interface Outcome {
    int pushRejections();

    /** The change is on the remote in {@code commit}. */
    record Published(String commit, List<FileChange> files, int pushRejections) implements Outcome {
        public Published {
            files = List.copyOf(files);
        }
    }

    /** The remote already had a commit with this unit's {@code Kbsync-Job} trailer; nothing was applied again. */
    record AlreadyPublished(String commit, List<FileChange> files, int pushRejections) implements Outcome {
        public AlreadyPublished {
            files = List.copyOf(files);
        }
    }

    /** The change left the KB as it was; nothing to commit. */
    record Unchanged(int pushRejections) implements Outcome {}

    /** The unit failed with a stable code; nothing of it is on the remote. */
    record Failed(JobError error, int pushRejections) implements Outcome {
        public Failed(String code, String message, int pushRejections) {
            this(new JobError(code, message), pushRejections);
        }
    }
}
