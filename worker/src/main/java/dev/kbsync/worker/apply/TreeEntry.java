package dev.kbsync.worker.apply;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * One non-directory entry of a work tree: a regular file, a symbolic link with its target text, or (special) a named
 * pipe, socket or device, which git cannot hold and which is never read: opening a pipe blocks until something writes.
 */
record TreeEntry(Path path, String linkTarget, boolean special) {
    /** {@code attrs}: the entry's own, its link not followed. */
    static TreeEntry of(Path path, BasicFileAttributes attrs) {
        try {
            return new TreeEntry(
                    path, attrs.isSymbolicLink() ? Files.readSymbolicLink(path).toString() : null, attrs.isOther());
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + path, e);
        }
    }

    boolean isLink() {
        return linkTarget != null;
    }

    /** Whether this is a plain file holding exactly {@code text}. */
    boolean holds(String text) {
        try {
            return !isLink() && !special && Files.readString(path).equals(text);
        } catch (IOException e) {
            return false; // not text: not what was written
        }
    }

    boolean sameAs(TreeEntry other) {
        if (special || other.special) {
            return false;
        }
        if (isLink() || other.isLink()) {
            return isLink() && other.isLink() && linkTarget.equals(other.linkTarget);
        }
        try {
            return Files.mismatch(path, other.path) == -1L;
        } catch (IOException e) {
            throw new UncheckedIOException("could not compare " + path, e);
        }
    }
}
