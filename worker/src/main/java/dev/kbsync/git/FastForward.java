package dev.kbsync.git;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.eclipse.jgit.attributes.Attributes;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheCheckout.CheckoutMetadata;
import org.eclipse.jgit.dircache.DirCacheEditor;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.CoreConfig.EolStreamType;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.TreeWalk.OperationType;
import org.eclipse.jgit.treewalk.filter.TreeFilter;

/**
 * Moves a checkout whose index and work tree equal commit {@code from} (its caller vouches for that, see
 * {@link CleanMark}) to commit {@code to}: only the paths whose entries differ between the two trees are written or
 * deleted, in the work tree and in the index, and equal subtrees are skipped by id. The cheap counterpart of
 * {@link Repair}'s hard reset: its cost follows the size of the change, not the size of the KB. {@code to} need not
 * descend from {@code from} (unpushed commits of a rejected push are dropped the same way).
 */
final class FastForward {
    private final Checkout checkout;
    private final Listener listener;

    /** Hears of each move, with the paths it created and deleted (a file's change of content or mode is neither). */
    interface Listener {
        void moved(ObjectId from, ObjectId to, List<String> created, List<String> deleted);
    }

    FastForward(Checkout checkout, Listener listener) {
        this.checkout = checkout;
        this.listener = listener;
    }

    /** One path to write: its blob, mode and how to check it out. */
    private record Write(String path, ObjectId blob, FileMode mode, CheckoutMetadata metadata) {}

    /**
     * Moves the branch, index and work tree from {@code from} to {@code to}; returns how many paths it touched, or
     * empty (having changed nothing) when the change holds what it does not handle (a submodule, a smudge filter), so
     * the caller resets fully instead.
     */
    Optional<Integer> move(ObjectId from, ObjectId to) throws IOException {
        Repository repo = checkout.repo();
        List<String> deletes = new ArrayList<>();
        List<Write> writes = new ArrayList<>();
        List<String> created = new ArrayList<>();
        try (RevWalk revs = new RevWalk(repo);
                TreeWalk walk = new TreeWalk(repo)) {
            walk.setOperationType(OperationType.CHECKOUT_OP);
            walk.addTree(revs.parseCommit(from).getTree());
            walk.addTree(revs.parseCommit(to).getTree());
            walk.setHead(1);
            walk.setRecursive(true);
            walk.setFilter(TreeFilter.ANY_DIFF);
            while (walk.next()) {
                FileMode mode = walk.getFileMode(1);
                if (walk.getFileMode(0) == FileMode.GITLINK || mode == FileMode.GITLINK) {
                    return Optional.empty();
                }
                if (mode == FileMode.MISSING) {
                    deletes.add(walk.getPathString());
                    continue;
                }
                Attributes attributes = walk.getAttributes();
                if (attributes.getValue(Constants.ATTR_FILTER) != null) {
                    return Optional.empty();
                }
                if (walk.getFileMode(0) == FileMode.MISSING) {
                    created.add(walk.getPathString());
                }
                EolStreamType eol = walk.getEolStreamType(OperationType.CHECKOUT_OP);
                writes.add(new Write(walk.getPathString(), walk.getObjectId(1), mode, new CheckoutMetadata(eol, null)));
            }
        }
        apply(repo, deletes, writes);
        pointBranch(from, to);
        listener.moved(from, to, created, deletes);
        return Optional.of(deletes.size() + writes.size());
    }

    private void apply(Repository repo, List<String> deletes, List<Write> writes) throws IOException {
        DirCache index = repo.lockDirCache();
        try {
            DirCacheEditor editor = index.editor();
            deletes.forEach(path -> editor.add(new DirCacheEditor.DeletePath(path)));
            for (Write write : writes) {
                editor.add(new DirCacheEditor.PathEdit(write.path()) {
                    @Override
                    public void apply(DirCacheEntry entry) {
                        entry.setFileMode(write.mode());
                        entry.setObjectId(write.blob());
                    }
                });
            }
            editor.finish();
            Path root = repo.getWorkTree().toPath();
            for (String path : deletes) {
                delete(root, path);
            }
            var files = new org.eclipse.jgit.dircache.Checkout(repo).setRecursiveDeletion(true);
            try (ObjectReader reader = repo.newObjectReader()) {
                for (Write write : writes) {
                    files.checkout(index.getEntry(write.path()), write.metadata(), reader, write.path());
                }
            }
            index.write();
            index.commit();
        } finally {
            index.unlock();
        }
    }

    /** Deletes the file and the directories it leaves empty (as git does). */
    static void delete(Path root, String path) throws IOException {
        Path file = root.resolve(path);
        Files.deleteIfExists(file);
        for (Path dir = file.getParent(); dir != null && !dir.equals(root); dir = dir.getParent()) {
            try {
                if (!Files.deleteIfExists(dir)) {
                    return;
                }
            } catch (DirectoryNotEmptyException e) {
                return;
            }
        }
    }

    private void pointBranch(ObjectId from, ObjectId to) throws IOException {
        RefUpdate update = checkout.repo().updateRef(checkout.localRef());
        update.setExpectedOldObjectId(from);
        update.setNewObjectId(to);
        update.setRefLogMessage("kbsync: fast-forward to " + checkout.remoteRef(), false);
        RefUpdate.Result result = update.forceUpdate();
        if (result != RefUpdate.Result.FORCED
                && result != RefUpdate.Result.FAST_FORWARD
                && result != RefUpdate.Result.NO_CHANGE) {
            throw new GitException("Git error during reset: could not move " + checkout.branch() + " (" + result + ")");
        }
    }
}
