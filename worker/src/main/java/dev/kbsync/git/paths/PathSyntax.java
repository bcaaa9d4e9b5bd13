package dev.kbsync.git.paths;

import dev.kbsync.api.RelativePath;
import java.nio.charset.StandardCharsets;
import org.eclipse.jgit.errors.CorruptObjectException;
import org.eclipse.jgit.lib.ObjectChecker;

/**
 * Syntactic rules for a KB-relative path, checked before touching the file system: {@link RelativePath}'s, plus git's
 * own name rules (safe for Windows and macOS checkouts).
 */
final class PathSyntax {
    private static final ObjectChecker GIT_RULES =
            new ObjectChecker().setSafeForWindows(true).setSafeForMacOS(true);

    private PathSyntax() {}

    static void check(String path) {
        RelativePath.checkNew(path);
        for (String segment : path.split("/", -1)) {
            byte[] raw = segment.getBytes(StandardCharsets.UTF_8);
            try {
                GIT_RULES.checkPathSegment(raw, 0, raw.length);
            } catch (CorruptObjectException e) {
                throw RelativePath.reject(path, "has a name git refuses (" + e.getMessage() + ")");
            }
        }
    }
}
