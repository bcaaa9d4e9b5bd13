package dev.kbsync.git;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Optional;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.RepositoryState;

/**
 * The cheap counterpart of {@link Repair}: no reset, no clean, no walk of the work tree. It trusts the caller's word
 * that the work tree and index equalled HEAD when the {@link CleanMark} was taken, and only checks what a cheap look
 * can: no lock files, no rebase, HEAD attached, the branch still at the mark, the index file untouched since. When
 * origin/branch is elsewhere (the remote moved, or the mark's head has unpushed commits of a rejected push), the
 * checkout is {@link FastForward moved} there path by path. Anything else is left to the full {@link Repair}.
 */
final class Resume {
    private final Checkout checkout;
    private final FastForward.Listener moves;

    /** {@code moves} hears of each {@link FastForward} this resume makes. */
    Resume(Checkout checkout, FastForward.Listener moves) {
        this.checkout = checkout;
        this.moves = moves;
    }

    /** The mark of the current state, if HEAD is on the branch (which has a commit) and nothing is locked. */
    Optional<CleanMark> mark() {
        try {
            ObjectId local = checkout.resolve(checkout.localRef());
            if (local == null || !untouched()) {
                return Optional.empty();
            }
            return indexStamp().map(index -> new CleanMark(local.name(), index));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * Empty when the checkout is not as marked (the caller runs the full {@link Repair#resetToRemote()}). Otherwise,
     * after a fetch if {@code fetch}: {@code Recovered} at the mark when origin/branch is still there (nothing to
     * reset), or moved onto origin/branch by a {@link FastForward} when it is elsewhere (the full repair if that
     * declines). A fetch failure is thrown.
     */
    Optional<Recovery> from(CleanMark mark, boolean fetch) {
        if (!mark.equals(mark().orElse(null))) {
            return Optional.empty();
        }
        try {
            if (fetch && checkout.hasRemote()) {
                PullOperation.fetch(checkout);
            }
            ObjectId remote = checkout.resolve(checkout.remoteRef());
            if (remote == null && checkout.hasRemote()) {
                return Optional.empty(); // the remote has no such branch (deleted?): the full reset decides
            }
            if (remote == null || mark.head().equals(remote.name())) {
                return Optional.of(new Recovery.Recovered(mark.head(), List.of()));
            }
            Optional<Integer> moved = new FastForward(checkout, moves).move(ObjectId.fromString(mark.head()), remote);
            return Optional.of(moved.<Recovery>map(paths -> new Recovery.Recovered(
                            remote.name(),
                            List.of("fast-forwarded " + paths + " path(s) from " + abbreviate(mark.head()))))
                    .orElseGet(() -> new Repair(checkout, false).resetToRemote()));
        } catch (GitAPIException | IOException | RuntimeException e) {
            if (GitFailures.isNetwork(e)) {
                throw GitFailures.wrap("reset", e);
            }
            return Optional.empty();
        }
    }

    private boolean untouched() {
        if (checkout.repo().getRepositoryState() != RepositoryState.SAFE) {
            return false;
        }
        try {
            if (!checkout.localRef().equals(checkout.repo().getFullBranch())) {
                return false;
            }
        } catch (IOException e) {
            return false;
        }
        return Repair.lockFiles(checkout).stream().noneMatch(lock -> Files.exists(lock, LinkOption.NOFOLLOW_LINKS));
    }

    private Optional<String> indexStamp() throws IOException {
        Path index = checkout.repo().getIndexFile().toPath();
        if (!Files.isRegularFile(index, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        BasicFileAttributes attributes = Files.readAttributes(index, BasicFileAttributes.class);
        return Optional.of(
                attributes.size() + ":" + attributes.lastModifiedTime().toInstant() + ":" + attributes.fileKey());
    }

    private static String abbreviate(String commit) {
        return commit.substring(0, Math.min(10, commit.length()));
    }
}
