package dev.kbsync.coordinator.snapshot;

import java.util.Objects;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;

/** A KB's mirror at one commit: every read of a request goes through {@code repository} at {@code commit}. */
public record Snapshot(Repository repository, ObjectId commit) {
    public Snapshot {
        Objects.requireNonNull(repository, "repository");
        Objects.requireNonNull(commit, "commit");
    }
}
