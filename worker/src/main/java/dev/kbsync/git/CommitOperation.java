package dev.kbsync.git;

import dev.kbsync.api.InvalidInputException;
import dev.kbsync.git.paths.SafePaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Status;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.api.errors.JGitInternalException;
import org.eclipse.jgit.diff.DiffEntry;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;

/**
 * Staging ({@code add -A}, single files, or just the files a job changed) and committing with trailers. The
 * path-limited commit never walks the whole work tree: on a large KB that walk ({@code add -A} + status) was most of
 * a job's git time. A note's single file is staged in the batch's in-memory {@link BatchIndex}, written to the index
 * file by {@link #flush()} (before any other staging, and by the repository before a clean mark).
 */
final class CommitOperation {
    private final Checkout checkout;
    private final ChangedFiles changedFiles;
    private final BatchIndex batch;

    CommitOperation(Checkout checkout, ChangedFiles changedFiles) {
        this.checkout = checkout;
        this.changedFiles = changedFiles;
        this.batch = new BatchIndex(checkout);
    }

    /** Writes the index of the note commits made since the last call to the index file; see {@link BatchIndex}. */
    void flush() {
        try {
            batch.flush();
        } catch (IOException e) {
            throw GitFailures.wrap("commit", e);
        }
    }

    /** Drops the unwritten index of the note commits made since the last {@link #flush()} (before a reset). */
    void discard() {
        batch.discard();
    }

    void add(String path) {
        flush();
        SafePaths safe = SafePaths.of(checkout.repo().getWorkTree().toPath());
        Path file = safe.resolve(path);
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new InvalidInputException("FILE_NOT_FOUND", "File does not exist: " + path);
        }
        try {
            checkout.git()
                    .add()
                    .addFilepattern(safe.root().relativize(file).toString().replace('\\', '/'))
                    .call();
        } catch (GitAPIException | JGitInternalException e) {
            throw GitFailures.wrap("add", e);
        }
    }

    CommitResult commit(String message, Author author, Map<String, String> trailers) {
        String fullMessage = Trailers.append(message, trailers);
        flush();
        try {
            checkout.git().add().addFilepattern(".").setAll(true).call(); // add -A: new, modified and deleted
            Status staged = checkout.git().status().call();
            if (staged.getAdded().isEmpty()
                    && staged.getChanged().isEmpty()
                    && staged.getRemoved().isEmpty()) {
                return new CommitResult.NothingToCommit();
            }
            return commitIndex(fullMessage, author);
        } catch (GitAPIException | IOException | JGitInternalException e) {
            throw GitFailures.wrap("commit", e);
        }
    }

    /**
     * Stages exactly {@code paths} (created, edited or deleted files; ignored untracked files stay unstaged, as with
     * {@code add -A}) and commits. "Nothing to commit" is decided from the index's tree against HEAD's, not from a
     * status of the work tree, and the index's tree is computed once (a commit command would read the index and
     * compute it again). The index must otherwise equal HEAD (a synced checkout): staged changes outside
     * {@code paths} are refused with a {@link GitException} rather than committed.
     */
    CommitResult commitPaths(Collection<String> paths, String message, Author author, Map<String, String> trailers) {
        String fullMessage = Trailers.append(message, trailers);
        try (ObjectInserter inserter = checkout.repo().newObjectInserter()) {
            List<String> patterns = patterns(paths);
            DirCache index = stage(patterns, inserter);
            ObjectId parent = checkout.resolve("HEAD");
            ObjectId parentTree = parentTree(parent);
            ObjectId tree = batch.writeTree(index, parentTree, inserter);
            // One diff of the trees: what is staged is what the commit changes (no second diff of the commits)
            List<DiffEntry> staged = changedFiles.scan(parentTree, tree);
            if (staged.isEmpty()) {
                batch.committed(index, tree);
                return new CommitResult.NothingToCommit();
            }
            List<String> stray = staged.stream()
                    .flatMap(d -> Stream.of(d.getOldPath(), d.getNewPath()))
                    .filter(p -> !DiffEntry.DEV_NULL.equals(p))
                    .distinct()
                    .filter(p -> patterns.stream().noneMatch(q -> p.equals(q) || p.startsWith(q + "/")))
                    .toList();
            if (!stray.isEmpty()) {
                throw new GitException("Git error during commit: the index has staged changes outside the job's files "
                        + stray.subList(0, Math.min(5, stray.size())) + "; the checkout must be reset");
            }
            ObjectId commit = insertCommit(inserter, tree, parent, fullMessage, author);
            moveHead(parent, commit);
            batch.committed(index, tree);
            return new CommitResult.Committed(commit.name(), changedFiles.changes(staged));
        } catch (GitAPIException | IOException | JGitInternalException e) {
            throw GitFailures.wrap("commit", e);
        }
    }

    /**
     * The index with {@code patterns} staged: a single regular file in the batch's in-memory index, anything else
     * through {@code AddCommand} on the index file (the batch's index written first).
     */
    private DirCache stage(List<String> patterns, ObjectInserter inserter) throws GitAPIException, IOException {
        if (patterns.size() == 1) {
            Optional<DirCache> staged = batch.stage(patterns.get(0), inserter);
            if (staged.isPresent()) {
                return staged.get();
            }
        }
        batch.flush();
        return patterns.isEmpty()
                ? checkout.repo().readDirCache()
                : checkout.git().add().addFilepatterns(patterns).setAll(true).call();
    }

    private ObjectId parentTree(ObjectId parent) throws IOException {
        if (parent == null) {
            return null;
        }
        try (RevWalk revs = new RevWalk(checkout.repo())) {
            return revs.parseCommit(parent).getTree();
        }
    }

    private static ObjectId insertCommit(
            ObjectInserter inserter, ObjectId tree, ObjectId parent, String message, Author author) throws IOException {
        PersonIdent ident = new PersonIdent(author.name(), author.email());
        CommitBuilder commit = new CommitBuilder();
        commit.setTreeId(tree);
        if (parent != null) {
            commit.setParentId(parent);
        }
        commit.setAuthor(ident);
        commit.setCommitter(ident);
        commit.setMessage(message);
        ObjectId id = inserter.insert(commit);
        inserter.flush();
        return id;
    }

    /**
     * Moves the branch HEAD points at from {@code parent} to {@code commit}, as {@code git commit} does, without a
     * reflog entry: nothing reads a checkout's reflogs (it is disposable; the remote and the trailers are the record),
     * and writing the two of them (HEAD's and the branch's) was a tenth of a note's commit.
     */
    private void moveHead(ObjectId parent, ObjectId commit) throws IOException {
        RefUpdate update = checkout.repo().updateRef(Constants.HEAD);
        update.setNewObjectId(commit);
        update.setExpectedOldObjectId(parent == null ? ObjectId.zeroId() : parent);
        update.disableRefLog();
        RefUpdate.Result result = update.forceUpdate();
        if (result != RefUpdate.Result.NEW
                && result != RefUpdate.Result.FORCED
                && result != RefUpdate.Result.FAST_FORWARD) {
            throw new GitException("Git error during commit: could not move HEAD (" + result + ")");
        }
    }

    private List<String> patterns(Collection<String> paths) {
        SafePaths safe = SafePaths.of(checkout.repo().getWorkTree().toPath());
        List<String> patterns = new ArrayList<>();
        for (String path : paths) {
            String relative =
                    safe.root().relativize(entry(safe, path)).toString().replace('\\', '/');
            if (!patterns.contains(relative)) {
                patterns.add(relative);
            }
        }
        return patterns;
    }

    /** The entry itself (a symbolic link is staged as a link, not followed): its real parent plus its name. */
    private static Path entry(SafePaths safe, String path) {
        safe.resolve(path);
        int slash = path.lastIndexOf('/');
        Path parent = slash < 0 ? safe.root() : safe.resolve(path.substring(0, slash));
        return parent.resolve(path.substring(slash + 1));
    }

    private CommitResult commitIndex(String fullMessage, Author author) throws GitAPIException, IOException {
        ObjectId parent = checkout.resolve("HEAD");
        PersonIdent ident = new PersonIdent(author.name(), author.email());
        RevCommit commit = checkout.git()
                .commit()
                .setMessage(fullMessage)
                .setAuthor(ident)
                .setCommitter(ident)
                .setSign(false)
                .setNoVerify(true)
                .call();
        String from = parent == null ? null : parent.name();
        return new CommitResult.Committed(commit.name(), changedFiles.between(from, commit.name()));
    }
}
