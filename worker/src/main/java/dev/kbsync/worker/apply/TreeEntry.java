package dev.kbsync.worker.apply;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** One non-directory entry of a work tree: a regular file, or a symbolic link with its target text. */
record TreeEntry(Path path, String linkTarget) {
    static TreeEntry of(Path path) {
        try {
            return new TreeEntry(
                    path,
                    Files.isSymbolicLink(path) ? Files.readSymbolicLink(path).toString() : null);
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
            return !isLink() && Files.readString(path).equals(text);
        } catch (IOException e) {
            return false; // not text: not what was written
        }
    }

    boolean sameAs(TreeEntry other) {
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
