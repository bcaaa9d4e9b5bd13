package dev.kbsync.git;

import dev.kbsync.api.FileChange;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheBuilder;
import org.eclipse.jgit.dircache.DirCacheEditor;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.merge.MergeStrategy;
import org.eclipse.jgit.merge.ResolveMerger;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.treewalk.TreeWalk;

/**
 * Carries a writer's whole-file edits, made over commit {@code base}, onto a work tree that was moved to a newer head
 * since (another writer pushed first): JGit's three-way merger (recursive strategy, in core) merges them with what the
 * head changed since {@code base} (the merge's base, even when the head no longer descends from it: a rewound
 * branch), path by path and line by line. Edits that do not overlap are merged; overlapping ones, or an edit of a
 * file the other side deleted (and the reverse), are a conflict and change nothing. Never writes whole files over the
 * other side's changes.
 */
public final class FileMerge {
    private FileMerge() {}

    /** How a merge ended. */
    public sealed interface Result {
        /** The merged files are in the work tree; {@code files} lists the written paths (against HEAD). */
        record Merged(List<FileChange> files) implements Result {
            public Merged {
                files = List.copyOf(files);
            }
        }

        /** Both sides changed {@code paths} in overlapping ways; the work tree is unchanged. */
        record Conflicted(List<String> paths) implements Result {
            public Conflicted {
                paths = List.copyOf(paths);
            }
        }
    }

    /** The commit HEAD of the work tree points at; empty before the first commit. */
    public static Optional<String> head(Path workTree) {
        try (Repository repo = open(workTree)) {
            return Optional.ofNullable(repo.resolve(Constants.HEAD)).map(ObjectId::name);
        } catch (IOException e) {
            throw GitFailures.wrap("rev-parse", e);
        }
    }

    /**
     * Merges {@code ours} (KB-relative path to its new text, null = deleted), written over {@code base} (null: the
     * empty tree), into the work tree, which must equal its HEAD. Paths must be checked (safe) by the caller.
     */
    public static Result merge(Path workTree, String base, Map<String, String> ours) {
        try (Repository repo = open(workTree);
                ObjectInserter inserter = repo.newObjectInserter();
                RevWalk walk = new RevWalk(repo)) {
            RevCommit head = walk.parseCommit(repo.resolve(Constants.HEAD));
            RevCommit baseCommit = base == null ? null : walk.parseCommit(repo.resolve(base));
            ObjectId oursCommit = oursCommit(repo, inserter, walk, baseCommit, ours);
            ResolveMerger merger = (ResolveMerger) MergeStrategy.RECURSIVE.newMerger(repo, true);
            if (baseCommit != null) {
                // the writes were made over base: a merge base computed from the history is older when the branch
                // was rewound past base since, and would bring back what the rewind dropped
                merger.setBase(baseCommit.getTree());
            }
            if (!merger.merge(head, oursCommit)) {
                TreeSet<String> paths = new TreeSet<>(merger.getUnmergedPaths());
                if (merger.getFailingPaths() != null) {
                    paths.addAll(merger.getFailingPaths().keySet());
                }
                return new Result.Conflicted(new ArrayList<>(paths));
            }
            return new Result.Merged(write(repo, workTree, head, merger.getResultTreeId(), ours.keySet()));
        } catch (IOException e) {
            throw GitFailures.wrap("merge", e);
        }
    }

    /** A commit of {@code base}'s tree with {@code ours} applied (parent {@code base}), in the object database only. */
    private static ObjectId oursCommit(
            Repository repo, ObjectInserter inserter, RevWalk walk, RevCommit base, Map<String, String> ours)
            throws IOException {
        DirCache index = DirCache.newInCore();
        if (base != null) {
            DirCacheBuilder builder = index.builder();
            builder.addTree(new byte[0], DirCacheEntry.STAGE_0, walk.getObjectReader(), base.getTree());
            builder.finish();
        }
        DirCacheEditor editor = index.editor();
        for (Map.Entry<String, String> edit : ours.entrySet()) {
            if (edit.getValue() == null) {
                editor.add(new DirCacheEditor.DeletePath(edit.getKey()));
            } else {
                ObjectId blob = inserter.insert(Constants.OBJ_BLOB, Constants.encode(edit.getValue()));
                editor.add(new DirCacheEditor.PathEdit(edit.getKey()) {
                    @Override
                    public void apply(DirCacheEntry entry) {
                        entry.setFileMode(FileMode.REGULAR_FILE);
                        entry.setObjectId(blob);
                    }
                });
            }
        }
        editor.finish();
        CommitBuilder commit = new CommitBuilder();
        commit.setTreeId(index.writeTree(inserter));
        if (base != null) {
            commit.setParentId(base);
        }
        PersonIdent ident = new PersonIdent("kbsync", "kbsync@localhost");
        commit.setAuthor(ident);
        commit.setCommitter(ident);
        commit.setMessage("session writes over " + (base == null ? "the empty tree" : base.name()));
        ObjectId id = inserter.insert(commit);
        inserter.flush();
        return id;
    }

    /** Writes the merged version of {@code paths} into the work tree; the changes against HEAD. */
    private static List<FileChange> write(
            Repository repo, Path workTree, RevCommit head, ObjectId merged, Iterable<String> paths)
            throws IOException {
        List<FileChange> changes = new ArrayList<>();
        for (String path : paths) {
            Path target = workTree.resolve(path);
            boolean inHead = exists(repo, path, head);
            try (TreeWalk result = TreeWalk.forPath(repo, path, merged)) {
                if (result == null) {
                    Files.deleteIfExists(target);
                    changes.add(new FileChange(path, FileChange.Change.DELETED, null));
                } else if (result.getFileMode(0) == FileMode.TREE) {
                    // a folder now: the file this side deleted, the other side replaced by a folder (the two deletes
                    // agree; a write there would have conflicted); the tree shows the folder as HEAD has it
                    continue;
                } else {
                    Files.createDirectories(target.getParent());
                    Files.write(target, repo.open(result.getObjectId(0)).getBytes());
                    changes.add(
                            new FileChange(path, inHead ? FileChange.Change.EDITED : FileChange.Change.CREATED, null));
                }
            }
        }
        return changes;
    }

    private static boolean exists(Repository repo, String path, RevCommit commit) throws IOException {
        try (TreeWalk walk = TreeWalk.forPath(repo, path, commit.getTree())) {
            return walk != null;
        }
    }

    private static Repository open(Path workTree) throws IOException {
        return new FileRepositoryBuilder()
                .setWorkTree(workTree.toFile())
                .setGitDir(workTree.resolve(".git").toFile())
                .setMustExist(true)
                .build();
    }
}
