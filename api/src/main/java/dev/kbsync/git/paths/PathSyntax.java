package dev.kbsync.git.paths;

import static dev.kbsync.git.paths.SafePaths.reject;

import java.nio.charset.StandardCharsets;
import org.eclipse.jgit.errors.CorruptObjectException;
import org.eclipse.jgit.lib.ObjectChecker;

/** Syntactic rules for a KB-relative path, checked before touching the file system. */
final class PathSyntax {
    private static final ObjectChecker GIT_RULES =
            new ObjectChecker().setSafeForWindows(true).setSafeForMacOS(true);

    private PathSyntax() {}

    static void check(String path) {
        if (path == null || path.isBlank()) {
            throw reject(String.valueOf(path), "is empty");
        }
        if (SafePaths.utf8Length(path) > SafePaths.MAX_PATH_BYTES) {
            throw reject(path, "is longer than " + SafePaths.MAX_PATH_BYTES + " bytes");
        }
        if (path.codePoints().anyMatch(Character::isISOControl)) {
            throw reject(path, "contains control characters");
        }
        if (path.indexOf('\\') >= 0) {
            throw reject(path, "contains a backslash");
        }
        if (path.startsWith("/") || path.matches("^[A-Za-z]:.*")) {
            throw reject(path, "is absolute");
        }
        for (String segment : path.split("/", -1)) {
            checkSegment(path, segment);
        }
    }

    private static void checkSegment(String path, String segment) {
        if (segment.isEmpty()) {
            throw reject(path, "has an empty segment");
        }
        if (segment.equals(".") || segment.equals("..")) {
            throw reject(path, "contains a '" + segment + "' segment");
        }
        if (SafePaths.utf8Length(segment) > SafePaths.MAX_SEGMENT_BYTES) {
            throw reject(path, "has a name longer than " + SafePaths.MAX_SEGMENT_BYTES + " bytes");
        }
        if (isGitName(segment)) {
            throw reject(path, "points into the .git directory");
        }
        byte[] raw = segment.getBytes(StandardCharsets.UTF_8);
        try {
            GIT_RULES.checkPathSegment(raw, 0, raw.length);
        } catch (CorruptObjectException e) {
            throw reject(path, "has a name git refuses (" + e.getMessage() + ")");
        }
    }

    /** {@code .git} in any case, with trailing dots/spaces, or its Windows short name. */
    static boolean isGitName(String segment) {
        String name = SafePaths.lower(segment).replaceAll("[. ]+$", "");
        return name.equals(".git") || name.equals("git~1");
    }
}
