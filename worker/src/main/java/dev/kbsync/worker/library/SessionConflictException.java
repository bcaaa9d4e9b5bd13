package dev.kbsync.worker.library;

import java.util.List;

/**
 * Another writer changed the same lines of files this session wrote (or deleted a file it edited, or the reverse)
 * since the session read them: nothing of the session's writes was published. The session's checkout now shows the
 * other writer's version; read it again, redo the writes and commit again, or give up.
 */
public final class SessionConflictException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The error code, as in the outcome of a job refused for the same reason. */
    public static final String CODE = "MERGE_CONFLICT";

    private final List<String> paths;

    public SessionConflictException(List<String> paths) {
        super("another writer changed the same parts of " + paths + " first; nothing was published");
        this.paths = List.copyOf(paths);
    }

    /** The KB-relative paths both sides changed in overlapping ways. */
    public List<String> paths() {
        return paths;
    }
}
