package dev.kbsync.git;

import dev.kbsync.api.FileChange;
import java.io.IOException;
import java.util.List;
import org.eclipse.jgit.diff.DiffEntry;
import org.eclipse.jgit.diff.DiffFormatter;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.util.io.DisabledOutputStream;

/** Lists files changed between two commits as {@link FileChange}s with GitHub or GitLab links. */
final class ChangedFiles {
    private final Checkout checkout;

    ChangedFiles(Checkout checkout) {
        this.checkout = checkout;
    }

    List<FileChange> between(String fromCommit, String toCommit) {
        try (RevWalk walk = new RevWalk(checkout.repo())) {
            ObjectId from = fromCommit == null ? null : tree(walk, fromCommit);
            return changes(scan(from, tree(walk, toCommit)));
        } catch (IOException e) {
            throw GitFailures.wrap("diff", e);
        }
    }

    /** The diff of two trees ({@code fromTree} null: the empty tree); equal subtrees are skipped by id. */
    List<DiffEntry> scan(ObjectId fromTree, ObjectId toTree) throws IOException {
        try (DiffFormatter diff = new DiffFormatter(DisabledOutputStream.INSTANCE)) {
            diff.setRepository(checkout.repo());
            return diff.scan(fromTree, toTree);
        }
    }

    /** The diff's entries as changed files. */
    List<FileChange> changes(List<DiffEntry> diff) {
        return diff.stream().map(this::toChange).toList();
    }

    private ObjectId tree(RevWalk walk, String commit) throws IOException {
        ObjectId id = checkout.resolve(commit);
        if (id == null) {
            throw new GitException("Unknown commit: " + commit);
        }
        return walk.parseCommit(id).getTree();
    }

    private FileChange toChange(DiffEntry entry) {
        return switch (entry.getChangeType()) {
            case ADD, COPY -> link(entry.getNewPath(), FileChange.Change.CREATED);
            case DELETE -> new FileChange(entry.getOldPath(), FileChange.Change.DELETED, null);
            case MODIFY, RENAME -> link(entry.getNewPath(), FileChange.Change.EDITED);
        };
    }

    private FileChange link(String path, FileChange.Change change) {
        String url = WebLinks.blobUrl(String.valueOf(checkout.remoteUrl()), checkout.branch(), path)
                .orElse(null);
        return new FileChange(path, change, url);
    }
}
