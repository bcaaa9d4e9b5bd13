package dev.kbsync.api;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The syntactic rules of a KB-relative path that every process can check without the KB at hand: not empty, relative,
 * no empty, {@code .} or {@code ..} segment, no {@code .git} segment (any case, trailing dots or spaces, or its Windows
 * short name, or with characters macOS ignores), no backslash or control characters, at most
 * {@link #MAX_SEGMENT_BYTES} per name and {@link #MAX_PATH_BYTES} in all (UTF-8). A path kbsync is to create
 * ({@link #checkNew}) is besides not a file git reads as configuration ({@code .gitattributes}, {@code .gitmodules}),
 * has no character that changes the text's direction, and has no name that git refuses, so that every checkout of the KB works on Windows: a device
 * name ({@code CON}, {@code PRN}, {@code AUX}, {@code NUL},
 * {@code COM1}-{@code COM9}, {@code LPT1}-{@code LPT9}, with any extension), one of {@code " * < > ? |}, or a trailing
 * dot or space. The worker's path guard checks git's own rules again (JGit's, which these agree with:
 * {@code GitNameRulesTest}) and checks symlinks against the checkout.
 */
public final class RelativePath {
    /** Error code of every rejection. */
    public static final String INVALID_PATH = "INVALID_PATH";

    public static final int MAX_SEGMENT_BYTES = 255;
    public static final int MAX_PATH_BYTES = 1024;

    private RelativePath() {}

    /**
     * {@code path} if it passes, else a 400 {@link #INVALID_PATH} saying why: a path that may be read from a KB (whose
     * files other tools may have named as git on Windows would not).
     */
    public static String check(String path) {
        return check(path, false);
    }

    /** {@code path} if kbsync may create it (git's Windows name rules too), else a 400 {@link #INVALID_PATH}. */
    public static String checkNew(String path) {
        return check(path, true);
    }

    private static String check(String path, boolean creating) {
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
            if (creating) {
                checkDirection(path, segment);
                checkGitConfigFile(path, segment);
                checkWindowsName(path, segment);
            }
        }
        return path;
    }

    /** {@code .git} in any case, with trailing dots/spaces or characters macOS ignores, or its Windows short name. */
    public static boolean isGitName(String segment) {
        String name = asGitSees(segment);
        return name.equals(".git") || name.equals("git~1");
    }

    /** A name as git compares it on case-folding file systems: lower case, without ignored characters and trailing dots/spaces. */
    private static String asGitSees(String segment) {
        return MAC_IGNORED
                .matcher(segment.toLowerCase(Locale.ROOT))
                .replaceAll("")
                .replaceAll("[. ]+$", "");
    }

    /** A Windows device name, with or without an extension ({@code con}, {@code aux.md}, {@code COM1.txt}): any case. */
    public static boolean isWindowsDevice(String segment) {
        int dot = segment.indexOf('.');
        return WINDOWS_DEVICE
                .matcher(dot < 0 ? segment : segment.substring(0, dot))
                .matches();
    }

    private static final Pattern MAC_IGNORED = Pattern.compile("[\u200C-\u200F\u202A-\u202E\u206A-\u206F\uFEFF]");
    private static final Pattern WINDOWS_DEVICE = Pattern.compile("(?i)con|prn|aux|nul|com[1-9]|lpt[1-9]");
    private static final Pattern BIDI_CONTROLS = Pattern.compile("[\u200E\u200F\u202A-\u202E\u2066-\u2069]");
    private static final Pattern WINDOWS_RESERVED = Pattern.compile("[\"*<>?|]");

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

    /** No character that changes the direction a name is shown in (so a name never reads as another). */
    private static void checkDirection(String path, String segment) {
        if (BIDI_CONTROLS.matcher(segment).find()) {
            throw reject(path, "has a character that changes the text's direction (U+200E/F, U+202A-E, U+2066-9)");
        }
    }

    /** {@code .gitattributes} or {@code .gitmodules} (as git sees names): configuration of every clone. */
    public static boolean isGitConfigFile(String segment) {
        String name = asGitSees(segment);
        return name.equals(".gitattributes") || name.equals(".gitmodules");
    }

    private static void checkGitConfigFile(String path, String segment) {
        if (isGitConfigFile(segment)) {
            throw reject(
                    path,
                    "is a file git reads as configuration of every clone ('" + printable(segment)
                            + "'): kbsync does not create or change it");
        }
    }

    private static void checkWindowsName(String path, String segment) {
        if (isWindowsDevice(segment)) {
            throw reject(path, "has a name git refuses (a Windows device name: '" + printable(segment) + "')");
        }
        if (WINDOWS_RESERVED.matcher(segment).find()) {
            throw reject(path, "has a name git refuses (one of \" * < > ? | in '" + printable(segment) + "')");
        }
        if (segment.endsWith(".") || segment.endsWith(" ")) {
            throw reject(path, "has a name git refuses (ends with a dot or a space: '" + printable(segment) + "')");
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
