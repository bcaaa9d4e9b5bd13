package dev.kbsync.git;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The files of a tree and the folders on their paths, by their case-folded path: a case-insensitive file system (macOS,
 * Windows) holds one entry for all spellings of a folded path. A folder is known while a file under it is.
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
     * only (equal but for letter case); empty if every one is absent or spelled alike.
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

    /** Each folder on {@code path} and the path itself, shortest first, with its case-folded spelling. */
    private static void forEachPrefix(String path, PrefixVisitor visitor) {
        String folded = fold(path);
        for (int slash = path.indexOf('/'); slash >= 0; slash = path.indexOf('/', slash + 1)) {
            visitor.visit(path.substring(0, slash), folded.substring(0, slash));
        }
        visitor.visit(path, folded);
    }

    /**
     * Upper then lower case, character by character (as {@link String#equalsIgnoreCase}), so the folded path has the
     * same length and its folders end at the same offsets; the path itself when nothing changes.
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
