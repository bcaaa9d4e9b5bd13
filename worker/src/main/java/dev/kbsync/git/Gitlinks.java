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

/**
 * Submodules on a path: a gitlink entry of HEAD (another repository's commit) is checked out as an empty folder, and
 * git cannot stage a file under it. Only a folder that is empty in the work tree (or holds a {@code .git}) is looked up
 * in HEAD, so a path through ordinary folders costs no read of the repository.
 */
public final class Gitlinks {
    private Gitlinks() {}

    /** The first folder on {@code path} (relative to {@code workTree}) that HEAD holds as a gitlink, if any. */
    public static Optional<String> on(Path workTree, String path) {
        String[] names = path.split("/");
        Path folder = workTree;
        for (int depth = 1; depth < names.length; depth++) {
            folder = folder.resolve(names[depth - 1]);
            if (!Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
                return Optional.empty();
            }
            if (maySubmodule(folder)) {
                String prefix = String.join("/", Arrays.copyOfRange(names, 0, depth));
                if (gitlinkInHead(workTree, prefix)) {
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

    private static boolean gitlinkInHead(Path workTree, String folder) {
        Path gitDir = workTree.resolve(Constants.DOT_GIT);
        if (!Files.isDirectory(gitDir)) {
            return false;
        }
        try (Repository repo = new FileRepositoryBuilder()
                        .setGitDir(gitDir.toFile())
                        .setWorkTree(workTree.toFile())
                        .build();
                RevWalk walk = new RevWalk(repo)) {
            ObjectId head = repo.resolve(Constants.HEAD);
            if (head == null) {
                return false;
            }
            try (TreeWalk tree =
                    TreeWalk.forPath(repo, folder, walk.parseCommit(head).getTree())) {
                return tree != null && tree.getFileMode(0) == FileMode.GITLINK;
            }
        } catch (IOException e) {
            throw GitFailures.wrap("read HEAD", e);
        }
    }
}
