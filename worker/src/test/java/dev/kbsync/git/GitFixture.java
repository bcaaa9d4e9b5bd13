package dev.kbsync.git;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.transport.URIish;

/** A local bare "remote" (non-fast-forward pushes denied) with one seeded commit, and clones of it. */
final class GitFixture {
    static final Author AUTHOR = new Author("Ada Lovelace", "ada@example.org");
    static final String BRANCH = "main";

    private final Path dir;
    private final Path remote;
    private int clones;

    GitFixture(Path dir) {
        this.dir = dir;
        this.remote = dir.resolve("remote.git");
        try (Git bare = Git.init()
                .setBare(true)
                .setInitialBranch(BRANCH)
                .setDirectory(remote.toFile())
                .call()) {
            StoredConfig config = bare.getRepository().getConfig();
            config.setBoolean("receive", null, "denyNonFastForwards", true);
            config.save();
        } catch (GitAPIException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The fixture with README.md committed and pushed to main. */
    static GitFixture seeded(Path dir) {
        GitFixture fixture = new GitFixture(dir);
        try (KbRepository seed = fixture.cloneRepo()) {
            write(seed, "README.md", "# KB\n");
            seed.commit("Initial commit", AUTHOR, Map.of());
            seed.push();
        }
        return fixture;
    }

    String url() {
        return remote.toString();
    }

    Path remoteDir() {
        return remote;
    }

    KbRepository cloneRepo() {
        return KbRepository.cloneOrOpen(url(), BRANCH, dir.resolve("clone-" + ++clones), GitAuth.NONE);
    }

    /** A fresh repository whose origin is {@code url} (not contacted), with one local commit. */
    static KbRepository localWithOrigin(Path dir, String url, GitAuth credentials) {
        try (Git git =
                Git.init().setInitialBranch(BRANCH).setDirectory(dir.toFile()).call()) {
            git.remoteAdd().setName("origin").setUri(new URIish(url)).call();
        } catch (GitAPIException | java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        KbRepository repo = KbRepository.open(dir, BRANCH, credentials);
        write(repo, "note.md", "x");
        repo.commit("Add: note", AUTHOR, Map.of());
        return repo;
    }

    static void write(KbRepository repo, String path, String content) {
        try {
            Path file = repo.workTree().resolve(path);
            Files.createDirectories(file.getParent());
            Files.writeString(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String read(KbRepository repo, String path) {
        try {
            return Files.readString(repo.workTree().resolve(path));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Commits and pushes one note; fails the test if the push is not accepted. */
    static String commitAndPush(KbRepository repo, String path, String content) {
        write(repo, path, content);
        var committed = (CommitResult.Committed) repo.commit("Add: " + path, AUTHOR, Map.of());
        var pushed = repo.push();
        if (!(pushed instanceof PushResult.Pushed)) {
            throw new AssertionError("push failed: " + pushed);
        }
        return committed.commitId();
    }

    /** The remote's commits on main, newest first. */
    List<RevCommit> remoteLog() {
        try (Git git = Git.open(remote.toFile())) {
            List<RevCommit> log = new ArrayList<>();
            git.log().add(git.getRepository().resolve(BRANCH)).call().forEach(log::add);
            return log;
        } catch (GitAPIException | IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
