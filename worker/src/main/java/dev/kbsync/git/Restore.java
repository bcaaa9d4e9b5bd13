package dev.kbsync.git;

import java.io.IOException;
import java.util.Collection;
import java.util.Optional;
import org.eclipse.jgit.dircache.Checkout;
import org.eclipse.jgit.dircache.DirCacheCheckout.CheckoutMetadata;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.TreeWalk.OperationType;
import org.eclipse.jgit.treewalk.filter.PathFilter;

/** Writes paths of the work tree back as HEAD has them (the index untouched): see {@link KbRepository#restore}. */
final class Restore {
    private final dev.kbsync.git.Checkout checkout;

    Restore(dev.kbsync.git.Checkout checkout) {
        this.checkout = checkout;
    }

    void restore(Collection<String> paths) {
        Repository repo = checkout.repo();
        try (RevWalk revs = new RevWalk(repo);
                ObjectReader reader = repo.newObjectReader()) {
            ObjectId head = checkout.resolve("HEAD");
            ObjectId tree = head == null ? null : revs.parseCommit(head).getTree();
            for (String path : paths) {
                Optional<Found> found = tree == null ? Optional.empty() : find(tree, path);
                FastForward.delete(repo.getWorkTree().toPath(), path);
                if (found.isPresent()) {
                    new Checkout(repo).checkout(found.get().entry(), found.get().metadata(), reader, path);
                }
            }
        } catch (IOException e) {
            throw GitFailures.wrap("restore", e);
        }
    }

    /** A file of HEAD's tree, as an entry to check out and how. */
    private record Found(DirCacheEntry entry, CheckoutMetadata metadata) {}

    /** The file HEAD's tree holds at exactly {@code path}. */
    private Optional<Found> find(ObjectId tree, String path) throws IOException {
        try (TreeWalk walk = walk(tree, path)) {
            while (walk.next()) {
                if (walk.getPathString().equals(path)) {
                    DirCacheEntry entry = new DirCacheEntry(path);
                    entry.setFileMode(walk.getFileMode(0));
                    entry.setObjectId(walk.getObjectId(0));
                    return Optional.of(new Found(
                            entry, new CheckoutMetadata(walk.getEolStreamType(OperationType.CHECKOUT_OP), null)));
                }
            }
            return Optional.empty();
        }
    }

    private TreeWalk walk(ObjectId tree, String path) throws IOException {
        TreeWalk walk = new TreeWalk(checkout.repo());
        walk.setOperationType(OperationType.CHECKOUT_OP);
        walk.addTree(tree);
        walk.setRecursive(true);
        walk.setFilter(PathFilter.create(path));
        return walk;
    }
}
