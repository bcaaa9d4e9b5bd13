package dev.kbsync.coordinator.snapshot;

import java.util.Objects;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;

/**
 * A KB's mirror at one commit: every read of a request goes through {@code repository} at {@code commit}. An empty KB
 * (its remote answered, its branch does not exist yet: no job wrote to it) is a snapshot without a commit.
 */
public record Snapshot(Repository repository, ObjectId commit) {
    public Snapshot {
        Objects.requireNonNull(repository, "repository");
    }

    /** The snapshot of an empty KB. */
    static Snapshot empty(Repository repository) {
        return new Snapshot(repository, null);
    }

    /** Whether the KB's branch has no commit yet. */
    public boolean isEmpty() {
        return commit == null;
    }
}
