package dev.kbsync.api;

import java.util.Locale;

/** Quotes user input for error messages: bounded length, control characters escaped. */
public final class Quoting {
    private static final int MAX = 80;

    private Quoting() {}

    public static String quote(String value) {
        if (value == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder("\"");
        value.codePoints().limit(MAX).forEach(cp -> {
            if (cp < 0x20 || cp == 0x7f) {
                out.append(String.format(Locale.ROOT, "\\u%04x", cp));
            } else {
                out.appendCodePoint(cp);
            }
        });
        if (value.codePointCount(0, value.length()) > MAX) {
            out.append("...");
        }
        return out.append('"').toString();
    }
}
