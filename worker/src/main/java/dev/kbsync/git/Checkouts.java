package dev.kbsync.git;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.errors.RepositoryNotFoundException;
import org.eclipse.jgit.util.FileUtils;

/** Clones, opens and prepares checkouts for long-running use. */
final class Checkouts {
    private Checkouts() {}

    static KbRepository cloneOrOpen(String remoteUrl, String branch, Path dir, GitAuth auth) {
        RemoteUrl url = RemoteUrl.parse(remoteUrl);
        GitAuth effective =
                url.embeddedCredentials().<GitAuth>map(GitAuth::fixed).orElse(auth);
        String stored = url.withoutCredentials();
        if (Files.isDirectory(dir.resolve(".git"))) {
            JGitKbRepository repo = open(dir, branch, effective);
            verifyOrigin(repo, stored);
            return repo;
        }
        Git git = cloneInto(stored, branch, dir, effective);
        return prepare(git, branch, effective);
    }

    static JGitKbRepository open(Path workTree, String branch, GitAuth auth) {
        try {
            Git git = Git.open(workTree.toFile());
            if (git.getRepository().isBare()) {
                git.close();
                throw new GitException("Not a git work tree (bare repository): " + workTree);
            }
            GitAuth effective = RepoSetup.stripCredentialsFromOrigin(git.getRepository())
                    .<GitAuth>map(GitAuth::fixed)
                    .orElse(auth);
            return prepare(git, branch, effective);
        } catch (RepositoryNotFoundException e) {
            throw new GitException("Not a git repository: " + workTree, e);
        } catch (IOException e) {
            throw new GitException("Cannot open git repository " + workTree + ": " + e.getMessage(), e);
        }
    }

    static void wipe(Path dir) {
        try {
            FileUtils.delete(dir.toFile(), FileUtils.RECURSIVE | FileUtils.SKIP_MISSING | FileUtils.RETRY);
        } catch (IOException e) {
            throw new GitException("Cannot delete checkout " + dir + ": " + e.getMessage(), e);
        }
    }

    private static Git cloneInto(String url, String branch, Path dir, GitAuth auth) {
        boolean existed = Files.isDirectory(dir);
        if (existed && !isEmpty(dir)) {
            throw new GitException("Cannot clone into " + dir + ": it exists, is not empty and is not a git checkout");
        }
        try {
            Files.createDirectories(dir);
            return BranchClone.into(dir, url, branch, auth);
        } catch (GitAPIException | IOException | URISyntaxException | RuntimeException e) {
            wipe(dir);
            if (existed) {
                recreate(dir);
            }
            throw GitFailures.wrap("clone", e);
        }
    }

    private static boolean isEmpty(Path dir) {
        try (var entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        } catch (IOException e) {
            throw new GitException("Cannot read " + dir + ": " + e.getMessage(), e);
        }
    }

    private static void recreate(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new GitException("Cannot create " + dir + ": " + e.getMessage(), e);
        }
    }

    private static JGitKbRepository prepare(Git git, String branch, GitAuth auth) {
        Checkout checkout = new Checkout(git, branch, auth);
        try {
            RepoSetup.configureForLongRunningUse(git.getRepository());
            RepoSetup.ensureBranch(checkout);
            return new JGitKbRepository(checkout);
        } catch (IOException | GitAPIException | RuntimeException e) {
            git.close();
            throw e instanceof GitException ge ? ge : GitFailures.wrap("open", e);
        }
    }

    private static void verifyOrigin(JGitKbRepository repo, String expected) {
        String actual = repo.checkout().remoteUrl();
        if (!expected.equals(actual)) {
            repo.close();
            throw new GitException(
                    "Checkout " + repo.workTree() + " belongs to remote " + actual + ", not " + expected);
        }
    }
}
