package dev.kbsync.git;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jgit.ignore.IgnoreNode;

/**
 * Whether a checkout's ignore rules ({@code .gitignore} files of the work tree, {@code .git/info/exclude}) exclude a
 * path or a folder on its way: git does not stage such a new file, even when it is named. Reads only the rule files on
 * the path (no folder is listed): a note into a folder of thousands costs a few small reads.
 */
public final class IgnoreRules {
    private static final String GITIGNORE = ".gitignore";

    private final Path workTree;
    private final Path infoExclude;

    private IgnoreRules(Path workTree, Path infoExclude) {
        this.workTree = workTree;
        this.infoExclude = infoExclude;
    }

    /** Whether {@code path} (relative to {@code workTree}) or a folder on it is ignored. */
    public static boolean ignored(Path workTree, String path) {
        return ignored(workTree, workTree.resolve(".git").resolve("info").resolve("exclude"), path);
    }

    /**
     * As {@link #ignored(Path, String)} for a work tree without its {@code .git} (an agent's scratch copy), by the
     * {@code .gitignore} files in it and the checkout's {@code infoExclude}.
     */
    public static boolean ignored(Path workTree, Path infoExclude, String path) {
        return new IgnoreRules(workTree, infoExclude).ignored(path);
    }

    private boolean ignored(String path) {
        String[] names = path.split("/");
        Map<Integer, Optional<IgnoreNode>> rules = new HashMap<>(); // per folder depth, read once per call
        for (int depth = 1; depth <= names.length; depth++) {
            if (ignored(names, depth, rules)) {
                return true;
            }
        }
        return false;
    }

    /** Whether the entry of the first {@code depth} names is ignored: the rules nearest to it decide, as in git. */
    private boolean ignored(String[] names, int depth, Map<Integer, Optional<IgnoreNode>> rules) {
        boolean folder = depth < names.length;
        for (int at = depth - 1; at >= 0; at--) { // the .gitignore of the folder made of the first `at` names
            int in = at;
            Optional<IgnoreNode> node =
                    rules.computeIfAbsent(in, d -> read(workTree(names, d).resolve(GITIGNORE)));
            Boolean matched = node.map(n -> n.checkIgnored(join(names, in, depth), folder))
                    .orElse(null);
            if (matched != null) {
                return matched;
            }
        }
        Optional<IgnoreNode> exclude = rules.computeIfAbsent(-1, d -> read(infoExclude));
        return exclude.map(n -> Boolean.TRUE.equals(n.checkIgnored(join(names, 0, depth), folder)))
                .orElse(false);
    }

    private Path workTree(String[] names, int depth) {
        Path dir = workTree;
        for (int i = 0; i < depth; i++) {
            dir = dir.resolve(names[i]);
        }
        return dir;
    }

    private static String join(String[] names, int from, int to) {
        return String.join("/", Arrays.copyOfRange(names, from, to));
    }

    private static Optional<IgnoreNode> read(Path file) {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try (InputStream in = Files.newInputStream(file)) {
            IgnoreNode node = new IgnoreNode();
            node.parse(file.toString(), in);
            return Optional.of(node);
        } catch (NoSuchFileException gone) {
            return Optional.empty();
        } catch (IOException e) {
            throw GitFailures.wrap("read " + file.getFileName(), e);
        }
    }
}
