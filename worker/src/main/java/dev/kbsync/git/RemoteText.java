package dev.kbsync.git;

import java.util.Arrays;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What a remote said while refusing a push (the ref's status reason, and a hook's stderr that git sends as
 * {@code remote:} lines) as one line for a job's error: terminal escapes and control characters dropped, lines joined
 * with "; ", masked, at most {@link #MAX_LENGTH} characters.
 */
final class RemoteText {
    static final int MAX_LENGTH = 500;
    private static final Pattern ANSI_ESCAPE = Pattern.compile("\u001B\\[[0-?]*+[ -/]*+[@-~]");
    private static final Pattern LINE_BREAK = Pattern.compile("[\r\n]++");
    private static final Pattern CONTROL = Pattern.compile("[\\p{Cntrl}\\p{Zl}\\p{Zp}\\u200B-\\u200F\\u202A-\\u202E]");
    private static final Pattern SPACES = Pattern.compile("\\s{2,}+");

    private RemoteText() {}

    /** The ref's {@code reason}, then what the remote printed ({@code said}, may be empty); null if both are empty. */
    static String refusal(String reason, String said) {
        String why = oneLine(reason);
        String printed = oneLine(said);
        String text = printed.isEmpty() ? why : why.isEmpty() ? printed : why + "; the remote said: " + printed;
        return text.isEmpty() ? null : bounded(Secrets.mask(text)); // masked first: a cut secret would not match
    }

    private static String oneLine(String text) {
        if (text == null) {
            return "";
        }
        String plain = ANSI_ESCAPE.matcher(text).replaceAll("");
        return Arrays.stream(LINE_BREAK.split(plain))
                .map(line -> SPACES.matcher(CONTROL.matcher(line).replaceAll(" "))
                        .replaceAll(" ")
                        .strip())
                .filter(line -> !line.isEmpty())
                .collect(Collectors.joining("; "));
    }

    private static String bounded(String text) {
        if (text.length() <= MAX_LENGTH) {
            return text;
        }
        int end = MAX_LENGTH - 1;
        if (Character.isHighSurrogate(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(0, end) + "…";
    }
}
