package dev.kbsync.git;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.eclipse.jgit.api.RebaseCommand;
import org.eclipse.jgit.api.ResetCommand;
import org.eclipse.jgit.api.Status;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.errors.CorruptObjectException;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.ignore.FastIgnoreRule;
import org.eclipse.jgit.ignore.IgnoreNode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.RepositoryState;
import org.eclipse.jgit.revwalk.RevWalk;

/** Brings a checkout back to exactly origin/branch after a crash, or says it must be re-cloned. */
final class Repair {
    private static final List<String> STALE_LOCKS =
            List.of("index.lock", "HEAD.lock", "config.lock", "packed-refs.lock");

    private final Checkout checkout;
    private final boolean fetch;

    Repair(Checkout checkout) {
        this(checkout, true);
    }

    /** {@code fetch} false: origin/branch was just fetched, reset to it as it is. */
    Repair(Checkout checkout, boolean fetch) {
        this.checkout = checkout;
        this.fetch = fetch;
    }

    Recovery resetToRemote() {
        List<String> actions = new ArrayList<>();
        try {
            removeStaleLocks(actions);
            removeCorruptIndex(actions);
            abortRebase(actions);
            if (fetch && checkout.hasRemote()) {
                PullOperation.fetch(checkout);
            }
            if (checkout.hasRemote() && checkout.resolve(checkout.remoteRef()) == null) {
                // Deleted on the remote, or not made yet: start as a new clone does, never from this checkout's own
                // history (which would make a deleted branch again, with whatever it held).
                return new Recovery.NeedsReclone("the remote has no branch '" + checkout.branch() + "'");
            }
            ObjectId target = target();
            verifyReadable(target);
            pointBranchAt(target, actions);
            checkout.git()
                    .reset()
                    .setMode(ResetCommand.ResetType.HARD)
                    .setRef(target.name())
                    .call();
            var cleaned = checkout.git()
                    .clean()
                    .setCleanDirectories(true)
                    .setForce(true)
                    .call();
            if (!cleaned.isEmpty()) {
                actions.add("removed untracked " + cleaned);
            }
            Status status = checkout.git().status().call();
            removeIgnored(status.getIgnoredNotInIndex(), actions);
            if (!status.isClean()) {
                return new Recovery.NeedsReclone("work tree still differs from " + target.name() + " after reset");
            }
            return new Recovery.Recovered(target.name(), actions);
        } catch (MissingObjectException | CorruptObjectException e) {
            return new Recovery.NeedsReclone(Secrets.mask("repository is corrupt: " + e.getMessage()));
        } catch (GitAPIException | IOException | RuntimeException e) {
            if (GitFailures.isNetwork(e)) {
                throw GitFailures.wrap("reset", e);
            }
            return new Recovery.NeedsReclone(Secrets.mask("reset failed: " + e.getMessage()));
        }
    }

    /**
     * Removes the untracked files the KB's ignore rules exclude (a clean leaves them): no part of the KB, they would
     * reach later agents' scratch copies and count as existing files for later notes. The lock files kbsync excludes
     * itself ({@link RepoSetup#EXCLUDED}: the original bot may hold its lock in the work tree) stay, also inside a
     * removed folder.
     */
    private void removeIgnored(Set<String> ignored, List<String> actions) throws IOException {
        IgnoreNode kept = new IgnoreNode(
                RepoSetup.EXCLUDED.stream().map(FastIgnoreRule::new).toList());
        Path root = checkout.repo().getWorkTree().toPath();
        List<String> removed = new ArrayList<>();
        for (String path : new TreeSet<>(ignored)) {
            Path entry = root.resolve(path);
            if (Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
                if (removeAllBut(root, entry, kept)) {
                    removed.add(path + "/");
                }
            } else if (!keeps(kept, path, false) && Files.deleteIfExists(entry)) {
                removed.add(path);
            }
        }
        if (!removed.isEmpty()) {
            actions.add("removed ignored " + removed);
        }
    }

    /** Deletes {@code dir}'s tree (links not followed) but the kept files; whether anything was deleted. */
    private static boolean removeAllBut(Path root, Path dir, IgnoreNode kept) throws IOException {
        boolean[] any = {false};
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (!keeps(kept, root.relativize(file).toString().replace('\\', '/'), false)) {
                    Files.delete(file);
                    any[0] = true;
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path folder, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                try (DirectoryStream<Path> left = Files.newDirectoryStream(folder)) {
                    if (!left.iterator().hasNext()) {
                        Files.delete(folder);
                        any[0] = true;
                    }
                }
                return FileVisitResult.CONTINUE;
            }
        });
        return any[0];
    }

    private static boolean keeps(IgnoreNode kept, String path, boolean folder) {
        return Boolean.TRUE.equals(kept.checkIgnored(path, folder));
    }

    /** The lock files a killed git process may leave behind in {@code checkout}'s git directory. */
    static List<Path> lockFiles(Checkout checkout) {
        Path gitDir = checkout.repo().getDirectory().toPath();
        List<Path> locks =
                new ArrayList<>(STALE_LOCKS.stream().map(gitDir::resolve).toList());
        locks.add(gitDir.resolve(checkout.localRef() + ".lock"));
        locks.add(gitDir.resolve(checkout.remoteRef() + ".lock"));
        return locks;
    }

    private void removeStaleLocks(List<String> actions) throws IOException {
        Path gitDir = checkout.repo().getDirectory().toPath();
        for (Path lock : lockFiles(checkout)) {
            if (Files.deleteIfExists(lock)) {
                actions.add("removed stale " + gitDir.relativize(lock));
            }
        }
    }

    /** A half-written index is rebuilt from HEAD by the hard reset below. */
    private void removeCorruptIndex(List<String> actions) throws IOException {
        try {
            checkout.repo().readDirCache();
        } catch (CorruptObjectException | java.io.EOFException e) {
            Files.deleteIfExists(checkout.repo().getIndexFile().toPath());
            actions.add("removed corrupt index");
        }
    }

    private void abortRebase(List<String> actions) throws GitAPIException {
        RepositoryState state = checkout.repo().getRepositoryState();
        if (state.isRebasing()) {
            checkout.git().rebase().setOperation(RebaseCommand.Operation.ABORT).call();
            actions.add("aborted an interrupted rebase");
        }
    }

    private ObjectId target() throws IOException {
        ObjectId remote = checkout.resolve(checkout.remoteRef());
        ObjectId target = remote != null ? remote : checkout.resolve(checkout.localRef());
        if (target == null) {
            throw new MissingObjectException(ObjectId.zeroId(), "commit " + checkout.remoteRef());
        }
        return target;
    }

    /** Reads the target commit and its whole tree so missing or corrupt objects show up before the reset. */
    private void verifyReadable(ObjectId target) throws IOException {
        try (RevWalk walk = new RevWalk(checkout.repo());
                var tree = new org.eclipse.jgit.treewalk.TreeWalk(checkout.repo())) {
            tree.addTree(walk.parseCommit(target).getTree());
            tree.setRecursive(true);
            while (tree.next()) {
                checkout.repo().open(tree.getObjectId(0)).getSize();
            }
        }
    }

    /**
     * Points the branch at {@code target}. Moving it forward (another worker pushed since) is no repair; moving it
     * anywhere else (unpushed commits dropped, a missing or diverged branch) is an action.
     */
    private void pointBranchAt(ObjectId target, List<String> actions) throws IOException {
        ObjectId local = checkout.resolve(checkout.localRef());
        if (!target.equals(local)) {
            boolean forward = local != null && isAncestor(local, target);
            RefUpdate update = checkout.repo().updateRef(checkout.localRef());
            update.setNewObjectId(target);
            update.setForceUpdate(true);
            update.update();
            if (!forward) {
                actions.add("moved " + checkout.branch() + " to "
                        + target.abbreviate(10).name());
            }
        }
        if (!checkout.localRef().equals(checkout.repo().getFullBranch())) {
            checkout.repo().updateRef("HEAD").link(checkout.localRef());
            actions.add("re-attached HEAD to " + checkout.branch());
        }
    }

    private boolean isAncestor(ObjectId ancestor, ObjectId of) throws IOException {
        try (RevWalk walk = new RevWalk(checkout.repo())) {
            return walk.isMergedInto(walk.parseCommit(ancestor), walk.parseCommit(of));
        } catch (MissingObjectException e) {
            return false;
        }
    }
}
