package dev.kbsync.faults.check;

import java.util.List;
import java.util.Objects;

/** What a KB's remote holds after a run: its branch, oldest commit first, and whether {@code git fsck} was clean. */
public record RemoteLog(String kb, List<RemoteCommit> commits, boolean fsckClean, String fsckOutput) {
    public RemoteLog {
        Objects.requireNonNull(kb, "kb");
        commits = List.copyOf(commits);
        fsckOutput = fsckOutput == null ? "" : fsckOutput;
    }
}
