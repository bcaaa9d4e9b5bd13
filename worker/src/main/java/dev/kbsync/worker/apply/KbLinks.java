package dev.kbsync.worker.apply;

import dev.kbsync.api.RelativePath;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Where a work tree's symbolic links lead: inside the tree (outside its top {@code .git}), or out of it. A link in a KB
 * comes from whoever can push to its remote, so one that leads out must never be followed by what the worker runs.
 */
final class KbLinks {
    private KbLinks() {}

    /** Whether a link at {@code link} (under the real {@code root}) with text {@code target} leads out by its text. */
    static boolean leavesByText(Path root, Path link, String target) {
        Path text = Paths.get(target);
        return text.isAbsolute() || outside(root, link.getParent().resolve(text).normalize());
    }

    /**
     * Whether the link at {@code link} (under the real {@code root}) leads out: by its text, or where it really ends
     * through other links. A link that ends nowhere, inside by its text, does not.
     */
    static boolean leaves(Path root, Path link) {
        try {
            if (leavesByText(root, link, Files.readSymbolicLink(link).toString())) {
                return true;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the link " + link, e);
        }
        try {
            return outside(root, link.toRealPath());
        } catch (IOException endsNowhere) {
            return false;
        }
    }

    /** Whether {@code path} (absolute, normalized) is not strictly inside {@code root}, or is in its top .git. */
    static boolean outside(Path root, Path path) {
        return !path.startsWith(root)
                || path.equals(root)
                || RelativePath.isGitName(root.relativize(path).getName(0).toString());
    }
}
