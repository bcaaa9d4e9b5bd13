package dev.kbsync.git;

import dev.kbsync.api.FileChange;
import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.eclipse.jgit.diff.DiffEntry;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;

/**
 * {@link CaseFolds} of HEAD's tree, built by one walk of the tree on first use and then moved along with HEAD: by the
 * checkout's own commits from the files they changed, by a sync's {@link FastForward} from the paths it wrote, and by the
 * diff of the two trees (equal subtrees skipped) when HEAD moved otherwise (a full reset). A lookup costs a read of
 * HEAD and a few hash lookups.
 */
final class CaseIndex implements FastForward.Listener {
    private final Checkout checkout;
    private final ChangedFiles changedFiles;
    private CaseFolds folds;
    /** The commit {@link #folds} holds the tree of (null: none, or not built). */
    private ObjectId head;

    CaseIndex(Checkout checkout, ChangedFiles changedFiles) {
        this.checkout = checkout;
        this.changedFiles = changedFiles;
    }

    /** See {@link KbRepository#caseTwin}. */
    Optional<String> twin(String path) {
        try {
            moveTo(checkout.resolve("HEAD"));
        } catch (IOException e) {
            throw GitFailures.wrap("case index", e);
        }
        return folds.twin(path);
    }

    /** HEAD moved from {@code parent} to {@code commit} by a commit of this checkout. */
    void committed(ObjectId parent, CommitResult result) {
        if (folds != null && Objects.equals(head, parent) && result instanceof CommitResult.Committed committed) {
            for (FileChange change : committed.changes()) {
                if (change.change() == FileChange.Change.CREATED) {
                    folds.add(change.path());
                } else if (change.change() == FileChange.Change.DELETED) {
                    folds.remove(change.path());
                }
            }
            head = ObjectId.fromString(committed.commitId());
        }
    }

    @Override
    public void moved(ObjectId from, ObjectId to, List<String> created, List<String> deleted) {
        if (folds != null && Objects.equals(head, from)) {
            deleted.forEach(folds::remove);
            created.forEach(folds::add);
            head = to.copy();
        }
    }

    private void moveTo(ObjectId now) throws IOException {
        if (folds != null && Objects.equals(head, now)) {
            return;
        }
        try (RevWalk walk = new RevWalk(checkout.repo())) {
            if (folds != null && head != null && now != null) {
                try {
                    apply(changedFiles.scan(
                            walk.parseCommit(head).getTree(),
                            walk.parseCommit(now).getTree()));
                    head = now;
                    return;
                } catch (MissingObjectException gone) {
                    // the old head is gone (a checkout cloned again): walk the new tree
                }
            }
            folds = new CaseFolds();
            head = now;
            if (now != null) {
                addAll(walk.parseCommit(now).getTree());
            }
        }
    }

    private void apply(List<DiffEntry> diff) {
        for (DiffEntry entry : diff) {
            if (entry.getChangeType() != DiffEntry.ChangeType.ADD) {
                folds.remove(entry.getOldPath());
            }
            if (entry.getChangeType() != DiffEntry.ChangeType.DELETE) {
                folds.add(entry.getNewPath());
            }
        }
    }

    private void addAll(ObjectId tree) throws IOException {
        try (TreeWalk walk = new TreeWalk(checkout.repo())) {
            walk.addTree(tree);
            walk.setRecursive(true);
            while (walk.next()) {
                folds.add(walk.getPathString());
            }
        }
    }
}
