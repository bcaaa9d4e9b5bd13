package dev.kbsync.git;

import java.util.List;

/** Outcome of {@link KbRepository#pull()}; {@link #message()} is the user-facing text. */
public sealed interface PullResult {
    String message();

    /** True when the checkout now contains the remote branch and the caller may go on. */
    default boolean ok() {
        return !(this instanceof MergeConflict || this instanceof NoRemote || this instanceof DetachedHead);
    }

    /** Nothing new on the remote. */
    record UpToDate() implements PullResult {
        public String message() {
            return "Already up to date";
        }
    }

    /** The local branch moved forward to the remote head. */
    record FastForwarded(String head) implements PullResult {
        public String message() {
            return "Successfully pulled (fast-forward)";
        }
    }

    /** Local commits were replayed on top of the remote head (history stays linear). */
    record Rebased(String head, int localCommits) implements PullResult {
        public String message() {
            return "Successfully pulled (rebased " + localCommits + " local commit(s) onto the remote)";
        }
    }

    /** Local and remote changes conflict; the rebase was aborted and the checkout is as before the pull. */
    record MergeConflict(List<String> paths) implements PullResult {
        public String message() {
            return "Merge conflict during pull. Please resolve manually.";
        }
    }

    /** No remote called origin. */
    record NoRemote(List<String> availableRemotes) implements PullResult {
        public String message() {
            return "Remote 'origin' not found. Available remotes: "
                    + (availableRemotes.isEmpty() ? "none" : String.join(", ", availableRemotes))
                    + ". To set a remote, run: git remote add origin <url>";
        }
    }

    /** The branch did not exist on the remote: it was pushed there. */
    record RemoteBranchCreated(String branch) implements PullResult {
        public String message() {
            return "Created branch '" + branch + "' on remote and pushed";
        }
    }

    /** HEAD is detached: pulling is refused ({@link KbRepository#resetToRemote()} repairs it). */
    record DetachedHead(String head) implements PullResult {
        public String message() {
            return "Cannot pull: HEAD is detached at " + head;
        }
    }

    /** The pull succeeded but local changes could not be re-applied; they are kept in the stash. */
    record ChangesLeftInStash(PullResult pulled, String stashCommit) implements PullResult {
        public String message() {
            return pulled.message() + "; local changes could not be restored and are kept in the stash (" + stashCommit
                    + ")";
        }
    }
}
