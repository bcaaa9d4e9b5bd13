package dev.kbsync.git;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheEditor;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.ignore.IgnoreNode;
import org.eclipse.jgit.lib.Config;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectReader;

/**
 * The index of a batch of note commits, held in memory (and locked) from the first note to the end of the batch: read
 * once, its notes' entries applied together, and written back once by {@link #flush()}. Once a commit of the batch showed
 * the index equal to HEAD, each further note's tree is HEAD's with that one file set ({@link TreeEdit}). A note commit staged here skips
 * {@code AddCommand}'s read and write of the whole index file and its walk of the work tree. Only what
 * {@code AddCommand} would stage the same way takes this path: a regular, non-executable file, with no ignore or
 * attribute rules in play (no {@code .gitignore} or {@code .gitattributes} on the path, no {@code info/exclude} rule
 * matching it if untracked, no {@code info/attributes} rules, no {@code core.autocrlf}, {@code core.excludesFile} or
 * {@code core.attributesFile}); anything else is staged by the caller's {@code AddCommand}, after a {@link #flush()}.
 */
final class BatchIndex {
    private final Checkout checkout;
    private DirCache pending;
    private IgnoreNode excludes;
    /** The tree {@link #pending} equals but for the last staged note ({@link #edited}, {@link #blob}); null: unknown. */
    private ObjectId base;

    private String edited;
    private ObjectId blob;
    /** The staged notes' entries, not yet applied to {@link #pending} ({@link #applyEdits()}). */
    private final Map<String, DirCacheEditor.PathEdit> edits = new HashMap<>();

    BatchIndex(Checkout checkout) {
        this.checkout = checkout;
    }

    /**
     * Stages {@code path} (relative to the work tree, already through the path guard) into the batch's index and
     * returns the index; empty (nothing changed) when the path must go through {@code AddCommand}.
     */
    Optional<DirCache> stage(String path, ObjectInserter inserter) throws IOException {
        Path file = checkout.repo().getWorkTree().toPath().resolve(path);
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return Optional.empty(); // a deletion
        }
        if (!attributes.isRegularFile() || Files.isExecutable(file) || !plainPath(path)) {
            return Optional.empty();
        }
        if (pending == null) {
            if (!plainCheckout()) {
                return Optional.empty();
            }
            excludes = excludes();
            pending = checkout.repo().lockDirCache();
            base = null;
        }
        edited = null;
        DirCacheEntry tracked = edits.containsKey(path) ? null : pending.getEntry(path);
        if (!edits.containsKey(path)
                && (tracked == null ? excludeRuleMatches(path) : tracked.getFileMode() != FileMode.REGULAR_FILE)) {
            return Optional.empty();
        }
        ObjectId blob = inserter.insert(Constants.OBJ_BLOB, Files.readAllBytes(file));
        this.edited = path;
        this.blob = blob;
        edits.put(path, new DirCacheEditor.PathEdit(path) {
            @Override
            public void apply(DirCacheEntry entry) {
                entry.setFileMode(FileMode.REGULAR_FILE);
                entry.setObjectId(blob);
                entry.setLength(attributes.size());
                entry.setLastModified(attributes.lastModifiedTime().toInstant());
            }
        });
        return Optional.of(pending);
    }

    /**
     * Applies the staged notes' entries to the batch's index in one pass: editing an index rewrites (and checks) all of
     * its entries, so one edit per note cost the KB's size per note.
     */
    private void applyEdits() {
        if (!edits.isEmpty()) {
            DirCacheEditor editor = pending.editor();
            edits.values().forEach(editor::add);
            edits.clear();
            editor.finish();
        }
    }

    /**
     * The tree of {@code index}, whose commit will have the tree {@code parentTree}. For the batch's index, when it was
     * known to equal that tree before the last note was staged into it, the tree is {@code parentTree} with that one
     * file set ({@link TreeEdit}: only the trees on its path are written); otherwise every tree of the index is
     * written. The batch learns the tree its index equals from {@link #committed}.
     */
    ObjectId writeTree(DirCache index, ObjectId parentTree, ObjectInserter inserter) throws IOException {
        ObjectId known = base;
        base = null;
        if (index == pending && edited != null && known != null && known.equals(parentTree)) {
            try (ObjectReader reader = inserter.newReader()) {
                Optional<ObjectId> tree = new TreeEdit(reader, inserter).put(parentTree, edited, blob);
                if (tree.isPresent()) {
                    return tree.get();
                }
            }
        }
        if (index == pending) {
            applyEdits();
        }
        return index.writeTree(inserter);
    }

    /** {@code index} was committed (or found to change nothing) with the tree {@code tree}: it equals that tree. */
    void committed(DirCache index, ObjectId tree) {
        if (index == pending) {
            base = tree;
        }
    }

    /** Writes the batch's index to the index file (releasing its lock); nothing if no note was staged here. */
    void flush() throws IOException {
        if (pending == null) {
            return;
        }
        DirCache index = pending;
        try {
            applyEdits();
            index.write();
            if (!index.commit()) {
                throw new IOException(
                        "could not write the index " + checkout.repo().getIndexFile());
            }
        } finally {
            pending = null;
            base = null;
            edits.clear();
            index.unlock();
        }
    }

    /** Drops the batch's index unwritten (a reset rewrites the index file anyway). */
    void discard() {
        base = null;
        edits.clear();
        if (pending != null) {
            pending.unlock();
            pending = null;
        }
    }

    /** No ignore or attribute file in the work tree's root or any folder on {@code path}. */
    private boolean plainPath(String path) {
        Path dir = checkout.repo().getWorkTree().toPath();
        String[] parts = path.split("/");
        for (int i = 0; i < parts.length; i++) {
            if (Files.exists(dir.resolve(Constants.DOT_GIT_IGNORE), LinkOption.NOFOLLOW_LINKS)
                    || Files.exists(dir.resolve(Constants.DOT_GIT_ATTRIBUTES), LinkOption.NOFOLLOW_LINKS)) {
                return false;
            }
            dir = dir.resolve(parts[i]);
        }
        return true;
    }

    /**
     * Whether an {@code info/exclude} rule (such as the checkout's own lock files') matches the untracked {@code path}
     * or a folder on it, either way: the path may be ignored, so {@code AddCommand} decides.
     */
    private boolean excludeRuleMatches(String path) {
        for (int slash = path.indexOf('/'); slash >= 0; slash = path.indexOf('/', slash + 1)) {
            if (excludes.checkIgnored(path.substring(0, slash), true) != null) {
                return true;
            }
        }
        return excludes.checkIgnored(path, false) != null;
    }

    private IgnoreNode excludes() throws IOException {
        IgnoreNode node = new IgnoreNode();
        Path exclude = checkout.repo().getDirectory().toPath().resolve("info").resolve("exclude");
        if (Files.exists(exclude, LinkOption.NOFOLLOW_LINKS)) {
            try (InputStream in = Files.newInputStream(exclude)) {
                node.parse(in);
            }
        }
        return node;
    }

    /** No configured filters, end-of-line conversion, excludes or attributes that {@code AddCommand} would apply. */
    private boolean plainCheckout() throws IOException {
        Config config = checkout.repo().getConfig();
        String autocrlf = config.getString("core", null, "autocrlf");
        if ((autocrlf != null && !"false".equalsIgnoreCase(autocrlf))
                || config.getString("core", null, "excludesFile") != null
                || config.getString("core", null, "attributesFile") != null) {
            return false;
        }
        return noRules(checkout.repo().getDirectory().toPath().resolve("info").resolve("attributes"));
    }

    private static boolean noRules(Path file) throws IOException {
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return true;
        }
        try (var lines = Files.lines(file)) {
            return lines.map(String::strip).allMatch(l -> l.isEmpty() || l.startsWith("#"));
        }
    }
}
