package dev.kbsync.git;

import dev.kbsync.api.FileChange;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One checkout of a KB (remote + branch). Not thread-safe: callers serialize access per KB (the KB lock) and run it
 * off the event loop. Pushes are never forced.
 */
public interface KbRepository extends AutoCloseable {

    /** Clones {@code remoteUrl} into {@code checkoutDir} on first use, opens it afterwards (origin must match). */
    static KbRepository cloneOrOpen(String remoteUrl, String branch, Path checkoutDir, GitAuth auth) {
        return Checkouts.cloneOrOpen(remoteUrl, branch, checkoutDir, auth);
    }

    /** Opens an existing work tree (with or without a remote); fails with {@link GitException} if it is none. */
    static KbRepository open(Path workTree, String branch, GitAuth auth) {
        return Checkouts.open(workTree, branch, auth);
    }

    /** Deletes {@code checkoutDir} and clones again: the answer to {@link Recovery.NeedsReclone}. */
    static KbRepository reclone(String remoteUrl, String branch, Path checkoutDir, GitAuth auth) {
        Checkouts.wipe(checkoutDir);
        return Checkouts.cloneOrOpen(remoteUrl, branch, checkoutDir, auth);
    }

    /** The work tree root. */
    Path workTree();

    /** The branch this checkout tracks. */
    String branch();

    /** True if a remote called origin is configured. */
    boolean hasRemote();

    /** True if the work tree differs from HEAD (untracked files count; ignored files do not). */
    boolean hasChanges();

    /** The commit HEAD points at; empty before the first commit. */
    Optional<String> head();

    /** Fetches origin and brings the branch up to date (fast-forward or rebase of local commits). */
    PullResult pull();

    /** Stages one existing file inside the work tree. */
    void add(String path);

    /** Stages everything ({@code add -A}) and commits with git trailers appended to {@code message}. */
    CommitResult commit(String message, Author author, Map<String, String> trailers);

    /**
     * Stages exactly {@code paths} (KB-relative files created, edited or deleted) and commits them with git trailers
     * appended to {@code message}; nothing else in the work tree is staged, and the work tree is not walked. The index
     * must otherwise equal HEAD (as after {@link #resetToRemote()}); staged changes elsewhere are refused with a
     * {@link GitException}, never committed. A single regular file is staged in an in-memory index kept for the
     * following commits, and written to the index file once, by the next other operation that reads it
     * ({@link #markClean()}, {@link #hasChanges()}, other staging; a reset drops it), so a batch of notes reads and
     * writes the index file once.
     */
    CommitResult commitPaths(Collection<String> paths, String message, Author author, Map<String, String> trailers);

    /**
     * The path HEAD holds, spelled otherwise, for {@code path} or the first folder on it (equal but for letter case or
     * Unicode form, NFC or NFD: a case-insensitive file system, as on macOS or Windows, would see one entry, and macOS
     * one for both forms); empty if none. The first call on a
     * checkout walks HEAD's tree once; afterwards a call costs a few hash lookups, and HEAD moved by a sync the diff of
     * the two trees.
     */
    Optional<String> caseTwin(String path);

    /**
     * Puts {@code paths} (KB-relative) in the work tree back as HEAD has them, without touching the index: a path HEAD
     * lacks is deleted, with the folders that leaves empty.
     */
    void restore(Collection<String> paths);

    /** Pushes the branch to origin with an explicit refspec, never forced; creates the remote branch if missing. */
    PushResult push();

    /** The newest commit on origin/branch (as of the last fetch) carrying trailer {@code key: value}. */
    default Optional<String> findCommitWithTrailer(String key, String value, int maxCommits) {
        return Optional.ofNullable(
                findCommitsWithTrailer(key, List.of(value), maxCommits).get(value));
    }

    /**
     * {@link #findCommitWithTrailer} for several values in one walk of at most {@code maxCommits} commits (0 = no
     * limit), which stops once every value was found: value to commit, for the values found.
     */
    Map<String, String> findCommitsWithTrailer(String key, Collection<String> values, int maxCommits);

    /** {@link #findCommitsWithTrailer} within {@code bound}: the walk stops at the first commit fenced below it. */
    Map<String, String> findCommitsWithTrailer(String key, Collection<String> values, TrailerBound bound);

    /**
     * The fencing token of the newest commit on origin/branch (as of the last fetch) fenced for {@code kb} (see
     * {@code Trailers.KB}), looking at most {@code maxCommits} commits back; empty if none.
     */
    OptionalLong latestFence(String kb, int maxCommits);

    /** Files changed between two commits ({@code fromCommit} null = the empty tree). */
    List<FileChange> changedFilesBetween(String fromCommit, String toCommit);

    /** Recovery: removes stale locks, fetches, hard-resets to origin/branch and cleans untracked files. */
    Recovery resetToRemote();

    /**
     * The caller vouches that the index and work tree equal HEAD (e.g. right after its own commits, pushed or
     * rejected): a mark to hand back to {@link #resetToRemote(CleanMark, boolean)}. Empty if HEAD is not on the branch
     * or the branch has no commit, or a lock file or rebase is in the way.
     */
    Optional<CleanMark> markClean();

    /**
     * {@link #resetToRemote()} for a checkout still as {@code mark} left it, without a walk of the work tree: nothing
     * to do when origin/branch (fetched first if {@code fetch}; as of the mark otherwise) equals the mark's head;
     * otherwise a fast-forward that writes only the paths that differ between the mark's head and origin/branch
     * (unpushed commits are dropped). The full reset when anything differs from the mark (locks, HEAD, branch, index
     * file).
     */
    Recovery resetToRemote(CleanMark mark, boolean fetch);

    /** Repacks the repository; run it periodically off the critical path, under the KB lock. */
    void maintain();

    @Override
    void close();
}
