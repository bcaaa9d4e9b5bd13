package dev.kbsync.worker.apply;

import dev.kbsync.api.UnicodeForm;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The names an agent's new files get in the checkout: kbsync writes no name that is not NFC ({@link UnicodeForm}), so
 * a file the agent created, or one in a folder it created, under another form is carried over under its NFC name. The
 * folders on its path the KB already has keep their names. The NFC name must be free: no file or folder of the KB or
 * of the agent's result, nor another new file's NFC name, is or holds it.
 */
final class NfcNames {
    /** The error code of a task whose new name's NFC form is taken, as for a case twin of a KB file. */
    static final String PATH_CASE_CONFLICT = "PATH_CASE_CONFLICT";

    /** Where the new files go, or the first one that cannot go under its NFC name. */
    sealed interface Result {}

    /** {@code renamed}: each created path not in NFC to the path it is written at; the others keep theirs. */
    record Assigned(Map<String, String> renamed) implements Result {
        Assigned {
            renamed = Map.copyOf(renamed);
        }
    }

    /** {@code created} (the agent's spelling) would be written at {@code nfc}, which is taken. */
    record Taken(String created, String nfc) implements Result {
        String message() {
            return "'" + created + "' cannot be written: kbsync writes names in NFC, and its NFC form '" + nfc
                    + "' is already a file or folder of the KB or of the agent's changes; a normalizing file system"
                    + " (macOS) would make the two one; nothing was committed";
        }
    }

    private final Set<String> files = new HashSet<>();
    private final Set<String> folders = new HashSet<>();
    private final Set<String> kbFolders = new HashSet<>();

    private NfcNames() {}

    /** The NFC names of {@code created}, with the files of the KB ({@code before}) and of the agent's result. */
    static Result assign(Collection<String> before, Collection<String> after, Collection<String> created) {
        if (created.stream().allMatch(path -> UnicodeForm.nfc(path).equals(path))) {
            return new Assigned(Map.of());
        }
        NfcNames names = new NfcNames();
        before.forEach(path -> names.add(path, names.kbFolders));
        after.forEach(path -> names.add(path, names.folders));
        names.folders.addAll(names.kbFolders);
        Map<String, String> renamed = new LinkedHashMap<>();
        for (String path : created) {
            String nfc = names.nfc(path);
            if (nfc.equals(path)) {
                continue;
            }
            if (names.taken(nfc)) {
                return new Taken(path, nfc);
            }
            names.add(nfc, names.folders);
            renamed.put(path, nfc);
        }
        return new Assigned(renamed);
    }

    /** {@code path} with every name after the longest folder of the KB on it in NFC. */
    private String nfc(String path) {
        int kept = -1;
        for (int slash = path.indexOf('/'); slash >= 0; slash = path.indexOf('/', slash + 1)) {
            if (kbFolders.contains(path.substring(0, slash))) {
                kept = slash;
            }
        }
        return path.substring(0, kept + 1) + UnicodeForm.nfc(path.substring(kept + 1));
    }

    /** Whether {@code path} is a file or folder, or a folder on it is a file. */
    private boolean taken(String path) {
        if (files.contains(path) || folders.contains(path)) {
            return true;
        }
        for (int slash = path.indexOf('/'); slash >= 0; slash = path.indexOf('/', slash + 1)) {
            if (files.contains(path.substring(0, slash))) {
                return true;
            }
        }
        return false;
    }

    private void add(String path, Set<String> folderSet) {
        files.add(path);
        for (int slash = path.indexOf('/'); slash >= 0; slash = path.indexOf('/', slash + 1)) {
            folderSet.add(path.substring(0, slash));
        }
    }
}
