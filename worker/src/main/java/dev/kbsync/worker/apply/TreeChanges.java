package dev.kbsync.worker.apply;

import dev.kbsync.api.FileChange;
import dev.kbsync.api.InvalidInputException;
import dev.kbsync.git.HeadTree;
import dev.kbsync.git.IgnoreRules;
import dev.kbsync.git.paths.SafePaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The difference between an agent's scratch tree and the checkout, checked as a whole before any of it is applied:
 * every path must resolve inside the KB outside {@code .git} and every new link must point inside the KB. A new file
 * goes under its {@link NfcNames NFC name}; one the KB's ignore rules exclude (as the agent left them) is no change.
 */
final class TreeChanges {
    private final Path scratch;
    private final Map<String, TreeEntry> after;
    /** Every link of the checkout before the changes, by path, with its text. */
    private final Map<String, String> linksBefore = new HashMap<>();
    /** Every link of the checkout once the changes are applied, by path, with its text. */
    private final Map<String, String> linksAfter = new HashMap<>();

    private final List<FileChange> changes = new ArrayList<>();
    /** Each created file written under its NFC name: that name to the agent's. */
    private final Map<String, String> scratchNames = new HashMap<>();

    private NfcNames.Result names;

    private TreeChanges(Path scratch, Map<String, TreeEntry> after) {
        this.scratch = scratch;
        this.after = after;
    }

    /**
     * Compares {@code scratch} (agent's result) with {@code checkout} (before); a link of the checkout that the scratch
     * copy held as a plain file with its text ({@code flattened}) is unchanged while that file is.
     */
    static TreeChanges between(Path checkout, Path scratch, Map<String, String> flattened) {
        Map<String, TreeEntry> before = WorkTrees.entries(checkout, true);
        TreeChanges diff = new TreeChanges(scratch, WorkTrees.entries(scratch, false));
        // a new file the ignore rules (as the agent left them) exclude is left out, as git would not commit it
        IgnoreRules rules = IgnoreRules.of(checkout); // the checkout's info/exclude and core.excludesFile
        diff.after
                .keySet()
                .removeIf(path -> !before.containsKey(path)
                        && rules.excludedBy(scratch, path).isPresent());
        List<String> created = diff.after.keySet().stream()
                .filter(path -> !before.containsKey(path))
                .toList();
        diff.names = NfcNames.assign(before.keySet(), diff.after.keySet(), created);
        Map<String, String> renamed = diff.names instanceof NfcNames.Assigned assigned ? assigned.renamed() : Map.of();
        diff.after.forEach((path, entry) -> {
            TreeEntry old = before.get(path);
            if (old == null) {
                String name = renamed.getOrDefault(path, path);
                diff.scratchNames.put(name, path);
                diff.changes.add(new FileChange(name, FileChange.Change.CREATED, null));
            } else if (flattened.containsKey(path) ? !entry.holds(flattened.get(path)) : !entry.sameAs(old)) {
                diff.changes.add(new FileChange(path, FileChange.Change.EDITED, null));
            }
        });
        before.keySet().stream()
                .filter(path -> !diff.after.containsKey(path))
                .forEach(path -> diff.changes.add(new FileChange(path, FileChange.Change.DELETED, null)));
        before.forEach((path, entry) -> {
            if (entry.isLink()) {
                diff.linksBefore.put(path, entry.linkTarget());
            }
        });
        diff.linksAfter.putAll(diff.linksBefore);
        for (FileChange change : diff.changes) {
            diff.linksAfter.remove(change.path());
            TreeEntry entry = diff.after.get(diff.inScratch(change.path()));
            if (change.change() != FileChange.Change.DELETED && entry.isLink()) {
                diff.linksAfter.put(change.path(), entry.linkTarget());
            }
        }
        return diff;
    }

    List<FileChange> changes() {
        return List.copyOf(changes);
    }

    /** Where the new files go, or the one whose NFC name is taken (then nothing may be applied). */
    NfcNames.Result names() {
        return names;
    }

    /** The agent's name of the file at {@code path} in the checkout. */
    private String inScratch(String path) {
        return scratchNames.getOrDefault(path, path);
    }

    /**
     * Throws {@link InvalidInputException} naming the first unsafe change; nothing is written. A link the agent made
     * must lead inside the KB by its text in the scratch copy, and from where it will be in the checkout as the OS
     * follows it, component by component, through the links the checkout will hold (the agent's new ones included).
     */
    void check(SafePaths paths) {
        for (FileChange change : changes) {
            paths.resolve(change.path());
            if (change.change() != FileChange.Change.DELETED) {
                Optional<String> submodule = HeadTree.gitlinkOn(paths.root(), change.path());
                if (submodule.isPresent()) {
                    throw new InvalidInputException(
                            "AGENT_UNSAFE_CHANGE",
                            "agent wrote '" + change.path() + "' inside the submodule '" + submodule.get()
                                    + "' (another repository's commit), where git cannot commit a file");
                }
            }
            TreeEntry entry = after.get(inScratch(change.path()));
            if (entry != null && entry.special()) {
                throw new InvalidInputException(
                        "AGENT_UNSAFE_CHANGE",
                        "agent left '" + change.path() + "', which is not a file or a link (a named pipe, socket or"
                                + " device): git cannot hold it");
            }
            if (entry != null && entry.isLink() && leaves(change.path(), entry.linkTarget())) {
                throw new InvalidInputException(
                        "AGENT_UNSAFE_CHANGE",
                        "agent created a symbolic link '" + change.path() + "' pointing outside the knowledge base");
            }
        }
        // a link of the KB the agent left alone may lead out through the agent's links (d/../.. once d -> ..)
        for (Map.Entry<String, String> link : linksAfter.entrySet()) {
            String text = linksBefore.get(link.getKey());
            if (link.getValue().equals(text)
                    && KbLinks.leavesFollowing(link.getKey(), text, linksAfter)
                    && !KbLinks.leavesFollowing(link.getKey(), text, linksBefore)) {
                throw new InvalidInputException(
                        "AGENT_UNSAFE_CHANGE",
                        "the agent's changes make the symbolic link '" + link.getKey()
                                + "' of the knowledge base point outside it");
            }
        }
    }

    private boolean leaves(String path, String target) {
        return KbLinks.leavesByText(scratch, scratch.resolve(inScratch(path)), target)
                || KbLinks.leavesFollowing(path, target, linksAfter);
    }

    /**
     * Applies the checked changes to the checkout: the deletions first, deepest first, each with the folders it leaves
     * empty (as git does), then the creations and edits, so a folder swapped for a file (or a file for a folder) is
     * out of the way when its replacement is written.
     */
    void applyTo(SafePaths paths) {
        List<FileChange> deletions = changes.stream()
                .filter(change -> change.change() == FileChange.Change.DELETED)
                .sorted(Comparator.comparingLong((FileChange change) -> depth(change.path()))
                        .reversed())
                .toList();
        for (FileChange change : deletions) {
            Path target = located(paths, change.path());
            try {
                Files.deleteIfExists(target);
                pruneEmptyFolders(paths.root(), target.getParent());
            } catch (IOException e) {
                throw new UncheckedIOException("could not apply the agent's change to " + change.path(), e);
            }
        }
        for (FileChange change : changes) {
            if (change.change() == FileChange.Change.DELETED) {
                continue;
            }
            Path target = located(paths, change.path());
            try {
                Files.deleteIfExists(target); // a file, a link, or a folder its deletions emptied
                Files.createDirectories(target.getParent());
                Files.copy(
                        scratch.resolve(inScratch(change.path())),
                        target,
                        LinkOption.NOFOLLOW_LINKS,
                        StandardCopyOption.COPY_ATTRIBUTES);
            } catch (IOException e) {
                throw new UncheckedIOException("could not apply the agent's change to " + change.path(), e);
            }
        }
    }

    private static long depth(String path) {
        return path.chars().filter(c -> c == '/').count();
    }

    /** Deletes {@code folder} and the folders above it, up to {@code root} (kept), while they are empty. */
    private static void pruneEmptyFolders(Path root, Path folder) throws IOException {
        for (Path dir = folder; dir != null && dir.startsWith(root) && !dir.equals(root); dir = dir.getParent()) {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                if (entries.iterator().hasNext()) {
                    return;
                }
            }
            Files.delete(dir);
        }
    }

    /** The entry itself (a link is not followed): its real parent directory inside the KB plus its name. */
    private static Path located(SafePaths paths, String relative) {
        int slash = relative.lastIndexOf('/');
        Path parent = slash < 0 ? paths.root() : paths.resolve(relative.substring(0, slash));
        return parent.resolve(relative.substring(slash + 1));
    }
}
