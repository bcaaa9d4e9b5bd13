package dev.kbsync.git;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.treewalk.TreeWalk;

/** What a checkout's HEAD holds at a path, for the appliers, which see only the work tree. */
public final class HeadTree {
    private HeadTree() {}

    /**
     * The first folder on {@code path} (relative to {@code workTree}) that HEAD holds as a gitlink (a submodule:
     * another repository's commit, checked out as an empty folder; git cannot stage a file under it), if any. Only a
     * folder that is empty in the work tree (or holds a {@code .git}) is looked up in HEAD, so a path through ordinary
     * folders costs no read of the repository.
     */
    public static Optional<String> gitlinkOn(Path workTree, String path) {
        String[] names = path.split("/");
        Path folder = workTree;
        for (int depth = 1; depth < names.length; depth++) {
            folder = folder.resolve(names[depth - 1]);
            if (!Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
                return Optional.empty();
            }
            if (maySubmodule(folder)) {
                String prefix = String.join("/", Arrays.copyOfRange(names, 0, depth));
                if (modeInHead(workTree, prefix)
                        .filter(FileMode.GITLINK::equals)
                        .isPresent()) {
                    return Optional.of(prefix);
                }
            }
        }
        return Optional.empty();
    }

    private static boolean maySubmodule(Path folder) {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder)) {
            return !entries.iterator().hasNext()
                    || Files.exists(folder.resolve(Constants.DOT_GIT), LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw GitFailures.wrap("list " + folder.getFileName(), e);
        }
    }

    /** Whether HEAD holds a file (or link) at {@code path}: git tracks it, whatever the ignore rules say. */
    public static boolean tracked(Path workTree, String path) {
        return modeInHead(workTree, path)
                .filter(mode -> mode.getObjectType() == Constants.OBJ_BLOB)
                .isPresent();
    }

    /** The mode of HEAD's entry at {@code path}; empty without a repository, a HEAD, or such an entry. */
    private static Optional<FileMode> modeInHead(Path workTree, String path) {
        Path gitDir = workTree.resolve(Constants.DOT_GIT);
        if (!Files.isDirectory(gitDir)) {
            return Optional.empty();
        }
        try (Repository repo = new FileRepositoryBuilder()
                        .setGitDir(gitDir.toFile())
                        .setWorkTree(workTree.toFile())
                        .build();
                RevWalk walk = new RevWalk(repo)) {
            ObjectId head = repo.resolve(Constants.HEAD);
            if (head == null) {
                return Optional.empty();
            }
            try (TreeWalk tree =
                    TreeWalk.forPath(repo, path, walk.parseCommit(head).getTree())) {
                return tree == null ? Optional.empty() : Optional.of(tree.getFileMode(0));
            }
        } catch (IOException e) {
            throw GitFailures.wrap("read HEAD", e);
        }
    }
}
