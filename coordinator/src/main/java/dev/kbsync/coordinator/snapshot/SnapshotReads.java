package dev.kbsync.coordinator.snapshot;

import dev.kbsync.api.Trailers;
import dev.kbsync.api.UnicodeForm;
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
 * reach here checked by the API's path guard; {@code at} picks an older commit of the mirror instead of its head. A
 * path that is not in the tree as sent is looked up in its NFC form too ({@link UnicodeForm}).
 */
public final class SnapshotReads {
    /** The longest subject a log entry answers, in characters (longer ones are cut, ending in an ellipsis). */
    static final int SUBJECT_MAX = 1_000;

    /** Files larger than this are refused (413 {@code FILE_TOO_LARGE}): the API is for notes, not for media. */
    public static final long MAX_FILE_BYTES = 8L * 1024 * 1024;

    /** Entries of a tree answer at most; a larger tree is cut ({@code truncated: true}). */
    public static final int MAX_TREE_ENTRIES = 10_000;

    private SnapshotReads() {}

    /** The file at {@code path}; {@code data} null when its blob id is one of {@code known} (an ETag match). */
    public static FileRead file(Snapshot snapshot, Optional<ObjectId> at, String path, Set<String> known)
            throws IOException {
        if (snapshot.isEmpty()) {
            refuseAnyCommit(at);
            throw new NotFoundException("FILE_NOT_FOUND", "no file '" + path + "': the KB has no commit yet");
        }
        Repository repo = snapshot.repository();
        try (RevWalk walk = new RevWalk(repo)) {
            RevCommit commit = commit(walk, snapshot, at);
            for (String form : forms(path)) {
                try (TreeWalk tree = TreeWalk.forPath(repo, form, commit.getTree())) {
                    if (tree != null && isFile(tree.getFileMode(0))) {
                        return read(walk.getObjectReader(), form, commit, tree.getObjectId(0), known);
                    }
                }
            }
            throw new NotFoundException("FILE_NOT_FOUND", "no file '" + path + "' at commit " + commit.name());
        }
    }

    private static FileRead read(ObjectReader reader, String path, RevCommit commit, ObjectId blob, Set<String> known)
            throws IOException {
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

    /**
     * {@code {kb?, commit, prefix, entries:[{path,size,blobId}], truncated}} under {@code prefix} (all: empty); an empty
     * KB's has no entries and a null commit.
     */
    public static JsonObject tree(Snapshot snapshot, Optional<ObjectId> at, String prefix) throws IOException {
        if (snapshot.isEmpty()) { // no commit yet: no files
            refuseAnyCommit(at);
            return new JsonObject()
                    .putNull("commit")
                    .put("prefix", prefix)
                    .put("entries", new JsonArray())
                    .put("truncated", false);
        }
        Repository repo = snapshot.repository();
        try (RevWalk walk = new RevWalk(repo)) {
            RevCommit commit = commit(walk, snapshot, at);
            Listing listing = null;
            for (String form : forms(prefix)) {
                listing = listing(repo, walk.getObjectReader(), commit, form);
                if (!listing.entries().isEmpty()) {
                    break;
                }
            }
            return new JsonObject()
                    .put("commit", commit.name())
                    .put("prefix", listing.prefix())
                    .put("entries", listing.entries())
                    .put("truncated", listing.truncated());
        }
    }

    private static Listing listing(Repository repo, ObjectReader reader, RevCommit commit, String prefix)
            throws IOException {
        JsonArray entries = new JsonArray();
        try (TreeWalk tree = new TreeWalk(repo, reader)) {
            tree.addTree(commit.getTree());
            tree.setRecursive(true);
            String dir = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
            if (!dir.isEmpty()) {
                tree.setFilter(PathFilter.create(dir));
            }
            while (tree.next()) {
                String path = tree.getPathString();
                if (!isFile(tree.getFileMode(0)) || !path.startsWith(prefix)) {
                    continue;
                }
                if (entries.size() == MAX_TREE_ENTRIES) {
                    return new Listing(prefix, entries, true);
                }
                ObjectId blob = tree.getObjectId(0);
                entries.add(new JsonObject()
                        .put("path", path)
                        .put("size", reader.getObjectSize(blob, Constants.OBJ_BLOB))
                        .put("blobId", blob.name()));
            }
            return new Listing(prefix, entries, false);
        }
    }

    /**
     * {@code {commit, path, commits:[{id,subject,author,time,job,fence}]}}, newest first, at most {@code limit}; an
     * empty KB's has no commits and a null commit.
     */
    public static JsonObject log(Snapshot snapshot, Optional<ObjectId> at, Optional<String> path, int limit)
            throws IOException {
        if (snapshot.isEmpty()) { // no commit yet
            refuseAnyCommit(at);
            return new JsonObject()
                    .putNull("commit")
                    .put("path", path.orElse(null))
                    .put("commits", new JsonArray());
        }
        Repository repo = snapshot.repository();
        ObjectId head;
        try (RevWalk walk = new RevWalk(repo)) {
            head = commit(walk, snapshot, at).copy();
        }
        List<Optional<String>> forms =
                path.map(p -> forms(p).stream().map(Optional::of).toList()).orElse(List.of(Optional.empty()));
        Optional<String> logged = forms.get(0);
        JsonArray commits = new JsonArray();
        for (Optional<String> form : forms) {
            logged = form;
            commits = commits(repo, head, form, limit);
            if (!commits.isEmpty()) {
                break;
            }
        }
        return new JsonObject()
                .put("commit", head.name())
                .put("path", logged.orElse(null))
                .put("commits", commits);
    }

    private static JsonArray commits(Repository repo, ObjectId head, Optional<String> path, int limit)
            throws IOException {
        JsonArray commits = new JsonArray();
        try (RevWalk walk = new RevWalk(repo)) {
            // the walk may pass the whole history (a path no commit touched): it keeps no commit's message, only the
            // answered ones' are read, one at a time
            walk.setRetainBody(false);
            walk.markStart(walk.parseCommit(head));
            path.ifPresent(p -> walk.setTreeFilter(AndTreeFilter.create(PathFilter.create(p), TreeFilter.ANY_DIFF)));
            walk.setRevFilter(MaxCountRevFilter.create(limit));
            for (RevCommit c : walk) {
                walk.parseBody(c);
                commits.add(new JsonObject()
                        .put("id", c.name())
                        .put("subject", cut(c.getShortMessage()))
                        .put("author", c.getAuthorIdent().getName())
                        .put("time", Instant.ofEpochSecond(c.getCommitTime()).toString())
                        .put("job", last(c.getFooterLines(Trailers.JOB)))
                        .put("fence", fence(last(c.getFooterLines(Trailers.FENCE)))));
                c.disposeBody();
            }
        }
        return commits;
    }

    /** {@code subject}, cut to {@link #SUBJECT_MAX} characters (the last one an ellipsis) when longer. */
    private static String cut(String subject) {
        if (subject.length() <= SUBJECT_MAX) {
            return subject;
        }
        int end = SUBJECT_MAX - 1;
        return subject.substring(0, Character.isHighSurrogate(subject.charAt(end - 1)) ? end - 1 : end) + "…";
    }

    /**
     * The forms a read looks {@code path} up in, in order: as sent, then its NFC form ({@link UnicodeForm}, the form
     * kbsync writes) when that differs; so an exact match wins, and an NFD name finds the file kbsync wrote in NFC.
     */
    private static List<String> forms(String path) {
        String nfc = UnicodeForm.nfc(path);
        return nfc.equals(path) ? List.of(path) : List.of(path, nfc);
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

    /** An empty KB has no commit: a read at one ({@code at}) is {@code COMMIT_NOT_FOUND}. */
    private static void refuseAnyCommit(Optional<ObjectId> at) {
        if (at.isPresent()) {
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

    /** The files under a prefix, as far as {@link #MAX_TREE_ENTRIES}. */
    private record Listing(String prefix, JsonArray entries, boolean truncated) {}

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
