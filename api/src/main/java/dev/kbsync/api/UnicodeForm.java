package dev.kbsync.api;

import java.text.Normalizer;

/**
 * The one Unicode form kbsync writes paths in: NFC (composed: {@code é} as U+00E9, not {@code e} followed by
 * U+0301), the form git on macOS writes with {@code core.precomposeunicode}. macOS file systems take the two forms of a
 * name for one file, so a path kbsync creates is normalized to NFC, and paths are compared in it.
 */
public final class UnicodeForm {
    /** Below U+0300 (the first combining mark) every character is NFC as it stands and composes with nothing. */
    private static final char FIRST_COMBINING = '\u0300';

    private UnicodeForm() {}

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
