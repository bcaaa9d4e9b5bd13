package dev.kbsync.api;

import java.text.Normalizer;

/**
 * The one Unicode form kbsync writes paths in: NFC (composed: {@code é} as U+00E9, not {@code e} followed by
 * U+0301), the form git on macOS writes with {@code core.precomposeunicode}. macOS file systems take the two forms of a
 * name for one file, so a path kbsync creates is normalized to NFC, and paths are compared in it. A text with a lone
 * surrogate has no form at all ({@link #hasLoneSurrogate}).
 */
public final class UnicodeForm {
    /** Below U+0300 (the first combining mark) every character is NFC as it stands and composes with nothing. */
    private static final char FIRST_COMBINING = '\u0300';

    private UnicodeForm() {}

    /**
     * Whether {@code value} has a UTF-16 surrogate without its pair (a JSON {@code \\ud800} escape alone): it has no
     * UTF-8 form, and Redis, git and files would get {@code ?} rather than what was sent (and checked).
     */
    public static boolean hasLoneSurrogate(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isHighSurrogate(c)
                    && i + 1 < value.length()
                    && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    /** {@code text} in NFC; {@code text} itself when it already is (one scan of it when all of it is below U+0300). */
    public static String nfc(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) >= FIRST_COMBINING) {
                return Normalizer.isNormalized(text, Normalizer.Form.NFC)
                        ? text
                        : Normalizer.normalize(text, Normalizer.Form.NFC);
            }
        }
        return text;
    }
}
