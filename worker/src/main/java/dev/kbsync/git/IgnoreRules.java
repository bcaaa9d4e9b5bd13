package dev.kbsync.git;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jgit.errors.ConfigInvalidException;
import org.eclipse.jgit.ignore.IgnoreNode;
import org.eclipse.jgit.lib.ConfigConstants;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.storage.file.FileBasedConfig;
import org.eclipse.jgit.util.FS;
import org.eclipse.jgit.util.SystemReader;

/**
 * Whether a checkout's ignore rules exclude a path or a folder on its way: git does not stage such a new file, even
 * when it is named. The rules, nearest first as in git (and JGit's add): the {@code .gitignore} files of the work tree,
 * the checkout's {@code .git/info/exclude}, then its {@code core.excludesFile} (from the repository's, the user's or
 * the system's config; unset: {@code $XDG_CONFIG_HOME/git/ignore}, as JGit reads it). Reads only the rule files on the
 * path (no folder is listed): a note into a folder of thousands costs a few small reads.
 */
public final class IgnoreRules {
    private static final String GITIGNORE = ".gitignore";

    private final Optional<Source> infoExclude;
    private final Optional<Source> excludesFile;

    private IgnoreRules(Optional<Source> infoExclude, Optional<Source> excludesFile) {
        this.infoExclude = infoExclude;
        this.excludesFile = excludesFile;
    }

    /** A file of rules read once, with the name a refusal gives it. */
    private record Source(String name, IgnoreNode rules) {}

    /**
     * The rules of the checkout at {@code checkout} outside its work tree ({@code .git/info/exclude} and
     * {@code core.excludesFile}), read once; none if it has no {@code .git}.
     */
    public static IgnoreRules of(Path checkout) {
        Path gitDir = checkout.resolve(Constants.DOT_GIT);
        if (!Files.isDirectory(gitDir)) {
            return new IgnoreRules(Optional.empty(), Optional.empty());
        }
        Optional<Source> exclude = read(gitDir.resolve("info").resolve("exclude"))
                .map(n -> new Source("the checkout's .git/info/exclude", n));
        return new IgnoreRules(exclude, excludesFile(checkout, gitDir));
    }

    /**
     * The checkout's {@code core.excludesFile} as JGit's add reads it: from its config over the user's and the system's
     * ({@code ~/} and a relative path resolved), unset: {@code $XDG_CONFIG_HOME/git/ignore}. Reads the config file
     * alone (JGit keeps the user's and the system's): opening the repository to read it cost about a millisecond per
     * note.
     */
    private static Optional<Source> excludesFile(Path checkout, Path gitDir) {
        FS fs = FS.DETECTED;
        Path file;
        try {
            FileBasedConfig config = new FileBasedConfig(
                    SystemReader.getInstance().getUserConfig(),
                    gitDir.resolve(Constants.CONFIG).toFile(),
                    fs);
            config.load();
            file = config.getPath(
                    ConfigConstants.CONFIG_CORE_SECTION,
                    null,
                    ConfigConstants.CONFIG_KEY_EXCLUDESFILE,
                    fs,
                    checkout.toFile(),
                    null);
        } catch (IOException | ConfigInvalidException e) {
            throw GitFailures.wrap("read the git config", e);
        }
        if (file != null) {
            return read(file).map(n -> new Source("core.excludesFile (" + file + ")", n));
        }
        Path xdg = SystemReader.getInstance().getXdgConfigDirectory(fs);
        if (xdg == null) {
            return Optional.empty();
        }
        Path standard = xdg.resolve("git").resolve("ignore");
        return read(standard).map(n -> new Source("the default core.excludesFile (" + standard + ")", n));
    }

    /**
     * The rules that exclude {@code path} (relative to {@code workTree}: the checkout, or a copy of it without its
     * {@code .git}, an agent's scratch copy) or a folder on it, by the {@code .gitignore} files in {@code workTree} and
     * this checkout's rules, for a refusal to name: {@code the KB's <folder>/.gitignore}, {@code the checkout's
     * .git/info/exclude} or {@code core.excludesFile (<file>)}; empty if none does.
     */
    public Optional<String> excludedBy(Path workTree, String path) {
        String[] names = path.split("/");
        Map<Integer, Optional<IgnoreNode>> rules = new HashMap<>(); // per folder depth, read once per call
        for (int depth = 1; depth <= names.length; depth++) {
            Optional<String> by = excludedBy(workTree, names, depth, rules);
            if (by.isPresent()) {
                return by;
            }
        }
        return Optional.empty();
    }

    /** The rules that ignore the entry of the first {@code depth} names, if any: the nearest decide, as in git. */
    private Optional<String> excludedBy(
            Path workTree, String[] names, int depth, Map<Integer, Optional<IgnoreNode>> rules) {
        boolean folder = depth < names.length;
        for (int at = depth - 1; at >= 0; at--) { // the .gitignore of the folder made of the first `at` names
            int in = at;
            Optional<IgnoreNode> node = rules.computeIfAbsent(
                    in, d -> read(workTree(workTree, names, d).resolve(GITIGNORE)));
            Boolean matched = node.map(n -> n.checkIgnored(join(names, in, depth), folder))
                    .orElse(null);
            if (matched != null) {
                String file = in == 0 ? GITIGNORE : join(names, 0, in) + "/" + GITIGNORE;
                return matched ? Optional.of("the KB's " + file) : Optional.empty();
            }
        }
        String entry = join(names, 0, depth);
        for (Optional<Source> source : List.of(infoExclude, excludesFile)) { // nearer first
            Boolean matched =
                    source.map(s -> s.rules().checkIgnored(entry, folder)).orElse(null);
            if (matched != null) {
                return matched ? source.map(Source::name) : Optional.empty();
            }
        }
        return Optional.empty();
    }

    private static Path workTree(Path workTree, String[] names, int depth) {
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
