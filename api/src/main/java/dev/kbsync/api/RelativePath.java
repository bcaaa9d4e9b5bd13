package dev.kbsync.api;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The syntactic rules of a KB-relative path that every process can check without the KB at hand: not empty, relative,
 * no empty, {@code .} or {@code ..} segment, no {@code .git} segment (any case, trailing dots or spaces, or its Windows
 * short name), no backslash or control characters, at most {@link #MAX_SEGMENT_BYTES} per name and
 * {@link #MAX_PATH_BYTES} in all (UTF-8). The worker's path guard adds git's own name rules and checks symlinks against
 * the checkout.
 */
public final class RelativePath {
    /** Error code of every rejection. */
    public static final String INVALID_PATH = "INVALID_PATH";

    public static final int MAX_SEGMENT_BYTES = 255;
    public static final int MAX_PATH_BYTES = 1024;

    private RelativePath() {}

    /** {@code path} if it passes, else a 400 {@link #INVALID_PATH} saying why. */
    public static String check(String path) {
        if (path == null || path.isBlank()) {
            throw reject(String.valueOf(path), "is empty");
        }
        if (bytes(path) > MAX_PATH_BYTES) {
            throw reject(path, "is longer than " + MAX_PATH_BYTES + " bytes");
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
        return path;
    }

    /** {@code .git} in any case, with trailing dots/spaces, or its Windows short name. */
    public static boolean isGitName(String segment) {
        String name = segment.toLowerCase(Locale.ROOT).replaceAll("[. ]+$", "");
        return name.equals(".git") || name.equals("git~1");
    }

    /** A rejection of {@code path} with {@code reason}, in the one message format. */
    public static InvalidInputException reject(String path, String reason) {
        return new InvalidInputException(INVALID_PATH, "Invalid path '" + printable(path) + "': " + reason);
    }

    private static void checkSegment(String path, String segment) {
        if (segment.isEmpty()) {
            throw reject(path, "has an empty segment");
        }
        if (segment.equals(".") || segment.equals("..")) {
            throw reject(path, "contains a '" + segment + "' segment");
        }
        if (bytes(segment) > MAX_SEGMENT_BYTES) {
            throw reject(path, "has a name longer than " + MAX_SEGMENT_BYTES + " bytes");
        }
        if (isGitName(segment)) {
            throw reject(path, "points into the .git directory");
        }
    }

    private static int bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }

    private static String printable(String path) {
        String shown = path.length() > 80 ? path.substring(0, 80) + "..." : path;
        return shown.codePoints()
                .map(c -> Character.isISOControl(c) ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
                .toString();
    }
}
