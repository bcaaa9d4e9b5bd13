package dev.kbsync.faults.check;

import java.util.List;
import java.util.Objects;

/**
 * One commit of a KB's branch on its remote: the {@code Kbsync-Job} trailer values it carries and its
 * {@code Kbsync-Fence} ({@code 0} when it has none, as the seed commit).
 */
public record RemoteCommit(String sha, List<String> jobs, long fence) {
    public RemoteCommit {
        Objects.requireNonNull(sha, "sha");
        jobs = List.copyOf(jobs);
        if (fence < 0) {
            throw new IllegalArgumentException("fence " + fence);
        }
    }
}
