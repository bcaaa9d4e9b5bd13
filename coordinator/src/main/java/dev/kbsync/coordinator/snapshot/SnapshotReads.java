package dev.kbsync.coordinator.snapshot;

import dev.kbsync.api.Trailers;
import dev.kbsync.coordinator.error.NotFoundException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.revwalk.filter.MaxCountRevFilter;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.filter.AndTreeFilter;
import org.eclipse.jgit.treewalk.filter.PathFilter;
import org.eclipse.jgit.treewalk.filter.TreeFilter;

/**
 * Reads of one snapshot through JGit's object database (no work tree): a file, the tree under a prefix, the log. Paths
 * reach here checked by the API's path guard; {@code at} picks an older commit of the mirror instead of its head.
 */
public final class SnapshotReads {
    /** Files larger than this are refused (413 {@code FILE_TOO_LARGE}): the API is for notes, not for media. */
    public static final long MAX_FILE_BYTES = 8L * 1024 * 1024;

    /** Entries of a tree answer at most; a larger tree is cut ({@code truncated: true}). */
    public static final int MAX_TREE_ENTRIES = 10_000;

    private SnapshotReads() {}

    /** The file at {@code path}; {@code data} null when its blob id is one of {@code known} (an ETag match). */
    public static FileRead file(Snapshot snapshot, Optional<ObjectId> at, String path, Set<String> known)
            throws IOException {
        Repository repo = snapshot.repository();
        try (RevWalk walk = new RevWalk(repo)) {
            RevCommit commit = commit(walk, snapshot, at);
            try (TreeWalk tree = TreeWalk.forPath(repo, path, commit.getTree())) {
                if (tree == null || !isFile(tree.getFileMode(0))) {
                    throw new NotFoundException("FILE_NOT_FOUND", "no file '" + path + "' at commit " + commit.name());
                }
                ObjectId blob = tree.getObjectId(0);
                ObjectReader reader = walk.getObjectReader();
                long size = reader.getObjectSize(blob, Constants.OBJ_BLOB);
                if (known.contains(blob.name())) {
                    return new FileRead(path, commit.name(), blob.name(), size, null);
                }
                if (size > MAX_FILE_BYTES) {
                    throw new TooLarge(path, size);
                }
                byte[] data = reader.open(blob, Constants.OBJ_BLOB).getBytes();
                return new FileRead(path, commit.name(), blob.name(), size, data);
            }
        }
    }

    /** {@code {kb?, commit, prefix, entries:[{path,size,blobId}], truncated}} under {@code prefix} (all: empty). */
    public static JsonObject tree(Snapshot snapshot, Optional<ObjectId> at, String prefix) throws IOException {
        Repository repo = snapshot.repository();
        JsonArray entries = new JsonArray();
        boolean truncated = false;
        try (RevWalk walk = new RevWalk(repo);
                TreeWalk tree = new TreeWalk(repo)) {
            RevCommit commit = commit(walk, snapshot, at);
            tree.addTree(commit.getTree());
            tree.setRecursive(true);
            String dir = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
            if (!dir.isEmpty()) {
                tree.setFilter(PathFilter.create(dir));
            }
            ObjectReader reader = walk.getObjectReader();
            while (tree.next()) {
                String path = tree.getPathString();
                if (!isFile(tree.getFileMode(0)) || !path.startsWith(prefix)) {
                    continue;
                }
                if (entries.size() == MAX_TREE_ENTRIES) {
                    truncated = true;
                    break;
                }
                ObjectId blob = tree.getObjectId(0);
                entries.add(new JsonObject()
                        .put("path", path)
                        .put("size", reader.getObjectSize(blob, Constants.OBJ_BLOB))
                        .put("blobId", blob.name()));
            }
            return new JsonObject()
                    .put("commit", commit.name())
                    .put("prefix", prefix)
                    .put("entries", entries)
                    .put("truncated", truncated);
        }
    }

    /** {@code {commit, path, commits:[{id,subject,author,time,job,fence}]}}, newest first, at most {@code limit}. */
    public static JsonObject log(Snapshot snapshot, Optional<ObjectId> at, Optional<String> path, int limit)
            throws IOException {
        Repository repo = snapshot.repository();
        JsonArray commits = new JsonArray();
        try (RevWalk walk = new RevWalk(repo)) {
            RevCommit head = commit(walk, snapshot, at);
            walk.markStart(head);
            path.ifPresent(p -> walk.setTreeFilter(AndTreeFilter.create(PathFilter.create(p), TreeFilter.ANY_DIFF)));
            walk.setRevFilter(MaxCountRevFilter.create(limit));
            for (RevCommit c : walk) {
                commits.add(new JsonObject()
                        .put("id", c.name())
                        .put("subject", c.getShortMessage())
                        .put("author", c.getAuthorIdent().getName())
                        .put("time", Instant.ofEpochSecond(c.getCommitTime()).toString())
                        .put("job", last(c.getFooterLines(Trailers.JOB)))
                        .put("fence", fence(last(c.getFooterLines(Trailers.FENCE)))));
            }
            return new JsonObject()
                    .put("commit", head.name())
                    .put("path", path.orElse(null))
                    .put("commits", commits);
        }
    }

    private static RevCommit commit(RevWalk walk, Snapshot snapshot, Optional<ObjectId> at) throws IOException {
        if (at.isEmpty()) {
            return walk.parseCommit(snapshot.commit());
        }
        try {
            RevCommit commit = walk.parseCommit(at.get());
            if (!walk.isMergedInto(commit, walk.parseCommit(snapshot.commit()))) {
                throw commitNotFound(at.get());
            }
            walk.reset();
            return walk.parseCommit(at.get());
        } catch (MissingObjectException | org.eclipse.jgit.errors.IncorrectObjectTypeException e) {
            throw commitNotFound(at.get());
        }
    }

    private static NotFoundException commitNotFound(ObjectId id) {
        return new NotFoundException(
                "COMMIT_NOT_FOUND", "commit " + id.name() + " is not on the KB's branch (as of the snapshot)");
    }

    private static boolean isFile(FileMode mode) {
        return mode == FileMode.REGULAR_FILE || mode == FileMode.EXECUTABLE_FILE;
    }

    private static String last(List<String> values) {
        return values.isEmpty() ? null : values.get(values.size() - 1).strip();
    }

    private static Long fence(String value) {
        try {
            return value == null ? null : Long.parseLong(value);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** A file over {@link #MAX_FILE_BYTES}. */
    public static final class TooLarge extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TooLarge(String path, long size) {
            super(
                    "file '" + path + "' has " + size + " bytes; reads serve at most " + MAX_FILE_BYTES,
                    null,
                    false,
                    false);
        }
    }
}
