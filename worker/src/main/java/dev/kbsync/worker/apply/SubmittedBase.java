package dev.kbsync.worker.apply;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.eclipse.jgit.errors.LargeObjectException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.treewalk.TreeWalk;

/**
 * A file as it was on the branch when a note was submitted: at the newest commit of the checkout's first-parent
 * history made strictly before the submission's second (commits within that second count as concurrent, so a
 * change that may have come after the submission is merged, never overwritten).
 */
final class SubmittedBase {
    private static final int MAX_WALK = 10_000;

    private SubmittedBase() {}

    /**
     * Empty when it cannot be told (no git checkout, no {@code submitted} time, history deeper than the walk);
     * else the file's bytes then, itself empty when there was no such file.
     */
    static Optional<Optional<byte[]>> of(Path checkout, String path, Instant submitted) {
        if (submitted == null || !Files.isDirectory(checkout.resolve(".git"))) {
            return Optional.empty();
        }
        try (Repository repo = new FileRepositoryBuilder()
                        .setGitDir(checkout.resolve(".git").toFile())
                        .setWorkTree(checkout.toFile())
                        .build();
                RevWalk walk = new RevWalk(repo)) {
            ObjectId head = repo.resolve(Constants.HEAD);
            if (head == null) {
                return Optional.of(Optional.empty());
            }
            walk.setFirstParent(true);
            walk.markStart(walk.parseCommit(head));
            long before = submitted.getEpochSecond();
            int seen = 0;
            for (RevCommit commit : walk) {
                if (commit.getCommitTime() < before) {
                    return Optional.of(read(repo, commit, path));
                }
                if (++seen >= MAX_WALK) {
                    return Optional.empty();
                }
            }
            return Optional.of(Optional.empty()); // the whole history is newer than the note
        } catch (IOException | LargeObjectException e) { // unreadable, or too large to hold: cannot be told
            return Optional.empty();
        }
    }

    private static Optional<byte[]> read(Repository repo, RevCommit commit, String path) throws IOException {
        try (TreeWalk tree = TreeWalk.forPath(repo, path, commit.getTree())) {
            if (tree == null || (tree.getRawMode(0) & 0170000) != 0100000) {
                return Optional.empty();
            }
            return Optional.of(
                    repo.open(tree.getObjectId(0), Constants.OBJ_BLOB).getBytes());
        }
    }
}
