package dev.kbsync.git;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.TreeFormatter;
import org.eclipse.jgit.treewalk.CanonicalTreeParser;
import org.eclipse.jgit.util.Paths;

/**
 * A tree with one regular file set, written from the trees it replaces: only the trees on the file's path are read and
 * written again (for a note in {@code notes/ab/}: the root, {@code notes} and {@code notes/ab}), where writing the
 * tree of an index hashes every tree of the KB. The result is the tree an index holding the same entries would write.
 */
final class TreeEdit {
    private final ObjectReader reader;
    private final ObjectInserter inserter;

    TreeEdit(ObjectReader reader, ObjectInserter inserter) {
        this.reader = reader;
        this.inserter = inserter;
    }

    /**
     * {@code tree} (null: empty) with {@code path} a regular file holding {@code blob}; empty when the path cannot be
     * set this way (a folder on it is a file in {@code tree}, or the path itself is a folder or a link), which the
     * caller then leaves to the index.
     */
    Optional<ObjectId> put(ObjectId tree, String path, ObjectId blob) throws IOException {
        String[] parts = path.split("/", -1);
        if (Arrays.stream(parts).anyMatch(String::isEmpty)) {
            return Optional.empty();
        }
        return put(tree, parts, 0, blob);
    }

    private Optional<ObjectId> put(ObjectId tree, String[] parts, int depth, ObjectId blob) throws IOException {
        byte[] name = parts[depth].getBytes(StandardCharsets.UTF_8);
        boolean last = depth == parts.length - 1;
        FileMode mode = last ? FileMode.REGULAR_FILE : FileMode.TREE;
        TreeFormatter out = new TreeFormatter();
        boolean placed = false;
        if (tree != null) {
            CanonicalTreeParser entries = new CanonicalTreeParser(null, reader, tree);
            for (; !entries.eof(); entries.next()) {
                byte[] buffer = entries.getEntryPathBuffer();
                int length = entries.getNameLength();
                int entryMode = entries.getEntryRawMode();
                if (length == name.length && Arrays.equals(buffer, 0, length, name, 0, name.length)) {
                    if (last ? entryMode != FileMode.REGULAR_FILE.getBits() : !FileMode.TREE.equals(entryMode)) {
                        return Optional.empty(); // a file where a folder goes, or the other way round
                    }
                    Optional<ObjectId> id =
                            last ? Optional.of(blob) : put(entries.getEntryObjectId(), parts, depth + 1, blob);
                    if (id.isEmpty()) {
                        return Optional.empty();
                    }
                    out.append(name, mode, id.get());
                    placed = true;
                    continue;
                }
                if (!placed && Paths.compare(name, 0, name.length, mode.getBits(), buffer, 0, length, entryMode) < 0) {
                    out.append(name, mode, fresh(parts, depth, blob));
                    placed = true;
                }
                out.append(buffer, 0, length, FileMode.fromBits(entryMode), entries.getEntryObjectId());
            }
        }
        if (!placed) {
            out.append(name, mode, fresh(parts, depth, blob));
        }
        return Optional.of(out.insertTo(inserter));
    }

    /** The id of a new entry at {@code depth}: the blob, or a new folder holding the rest of the path. */
    private ObjectId fresh(String[] parts, int depth, ObjectId blob) throws IOException {
        return depth == parts.length - 1
                ? blob
                : put(null, parts, depth + 1, blob).orElseThrow();
    }
}
