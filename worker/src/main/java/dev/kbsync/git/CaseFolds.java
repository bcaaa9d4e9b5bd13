package dev.kbsync.git;

import dev.kbsync.api.UnicodeForm;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The files of a tree and the folders on their paths, by their path in NFC, case-folded: a case-insensitive file system
 * (macOS, Windows) holds one entry for all spellings of a folded path, and macOS one for a name's NFC and NFD forms. A
 * folder is known while a file under it is.
 */
final class CaseFolds {
    private final Map<String, Spelling> byFold = new HashMap<>();

    /** One spelling of a folded path and how many files of the tree are it or under it; {@code next}: another one. */
    private static final class Spelling {
        final String path;
        int files;
        Spelling next;

        Spelling(String path, Spelling next) {
            this.path = path;
            this.next = next;
        }
    }

    void add(String path) {
        forEachPrefix(path, (prefix, fold) -> {
            Spelling first = byFold.get(fold);
            Spelling known = find(first, prefix);
            if (known == null) {
                known = new Spelling(prefix, first);
                byFold.put(fold, known);
            }
            known.files++;
        });
    }

    void remove(String path) {
        forEachPrefix(path, (prefix, fold) -> {
            Spelling first = byFold.get(fold);
            Spelling known = find(first, prefix);
            if (known != null && --known.files == 0) {
                Spelling rest = unlink(first, known);
                if (rest == null) {
                    byFold.remove(fold);
                } else {
                    byFold.put(fold, rest);
                }
            }
        });
    }

    /**
     * The path the tree holds for the first folder on {@code path}, or {@code path} itself, under another spelling
     * only (equal but for letter case or Unicode form); empty if every one is absent or spelled alike.
     */
    Optional<String> twin(String path) {
        String[] twin = {null};
        forEachPrefix(path, (prefix, fold) -> {
            Spelling known = byFold.get(fold);
            if (twin[0] == null && known != null && find(known, prefix) == null) {
                twin[0] = known.path;
            }
        });
        return Optional.ofNullable(twin[0]);
    }

    private interface PrefixVisitor {
        void visit(String prefix, String fold);
    }

    /**
     * Each folder on {@code path} and the path itself, shortest first, with its key: its NFC form ({@link UnicodeForm})
     * case-folded. NFC works within each name (no character composes with, or decomposes to, a {@code /}), so the key
     * has the path's folders, in order, though their names may differ in length.
     */
    private static void forEachPrefix(String path, PrefixVisitor visitor) {
        String key = fold(UnicodeForm.nfc(path));
        int keySlash = -1;
        for (int slash = path.indexOf('/'); slash >= 0; slash = path.indexOf('/', slash + 1)) {
            keySlash = key.indexOf('/', keySlash + 1);
            visitor.visit(path.substring(0, slash), key.substring(0, keySlash));
        }
        visitor.visit(path, key);
    }

    /**
     * Upper then lower case, character by character (as {@link String#equalsIgnoreCase}); the path itself when nothing
     * changes.
     */
    private static String fold(String path) {
        char[] chars = null;
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            char folded = Character.toLowerCase(Character.toUpperCase(c));
            if (folded != c) {
                if (chars == null) {
                    chars = path.toCharArray();
                }
                chars[i] = folded;
            }
        }
        return chars == null ? path : new String(chars);
    }

    private static Spelling find(Spelling first, String path) {
        for (Spelling s = first; s != null; s = s.next) {
            if (s.path.equals(path)) {
                return s;
            }
        }
        return null;
    }

    private static Spelling unlink(Spelling first, Spelling gone) {
        if (first == gone) {
            return first.next;
        }
        for (Spelling s = first; s.next != null; s = s.next) {
            if (s.next == gone) {
                s.next = gone.next;
                break;
            }
        }
        return first;
    }
}
