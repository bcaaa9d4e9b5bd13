package dev.kbsync.git;

import static dev.kbsync.git.GitFixture.commitAndPush;
import static dev.kbsync.git.GitFixture.read;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.transport.RefSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A checkout works on the KB's branch whatever the remote's HEAD names: a missing branch, or another one. */
class RemoteHeadIT {
    @TempDir
    Path tmp;

    @Test
    void shouldCloneTheConfiguredBranchWhenTheRemoteHeadIsDangling() throws Exception {
        Path remote = bare("master"); // `git init --bare`, then only main pushed
        String main = pushCommit(remote, "main", "# main\n");
        try (KbRepository repo = KbRepository.cloneOrOpen(remote.toString(), "main", tmp.resolve("w"), GitAuth.NONE)) {
            assertThat(repo.branch()).isEqualTo("main");
            assertThat(repo.head()).contains(main);
            assertThat(read(repo, "README.md")).isEqualTo("# main\n");
            assertThat(repo.pull()).isInstanceOf(PullResult.UpToDate.class);
            String pushed = commitAndPush(repo, "n.md", "n");
            assertThat(heads(remote)).containsExactly(Map.entry("refs/heads/main", pushed));
        }
        assertThat(headTarget(remote)).isEqualTo("refs/heads/master");
    }

    @Test
    void shouldWorkOnTheConfiguredBranchWhenTheRemoteHeadNamesAnother() throws Exception {
        Path remote = bare("master");
        String master = pushCommit(remote, "master", "# master\n");
        String notes = pushCommit(remote, "notes", "# notes\n");
        try (KbRepository repo = KbRepository.cloneOrOpen(remote.toString(), "notes", tmp.resolve("w"), GitAuth.NONE)) {
            assertThat(repo.head()).contains(notes);
            assertThat(read(repo, "README.md")).isEqualTo("# notes\n");
            assertThat(heads(repo.workTree())).as("no branch but the KB's").containsOnlyKeys("refs/heads/notes");
            String pushed = commitAndPush(repo, "n.md", "n");
            assertThat(heads(remote))
                    .containsExactly(Map.entry("refs/heads/master", master), Map.entry("refs/heads/notes", pushed));
        }
    }

    @Test
    void shouldStartAMissingBranchAtTheRemoteDefaultBranch() throws Exception {
        Path remote = bare("master");
        String master = pushCommit(remote, "master", "# master\n");
        try (KbRepository repo = KbRepository.cloneOrOpen(remote.toString(), "notes", tmp.resolve("w"), GitAuth.NONE)) {
            assertThat(repo.head()).contains(master);
            assertThat(heads(repo.workTree())).containsOnlyKeys("refs/heads/notes");
            assertThat(repo.pull()).isEqualTo(new PullResult.RemoteBranchCreated("notes"));
            String pushed = commitAndPush(repo, "n.md", "n");
            assertThat(heads(remote))
                    .containsExactly(Map.entry("refs/heads/master", master), Map.entry("refs/heads/notes", pushed));
        }
    }

    @Test
    void shouldStartAMissingBranchEmptyWhenTheRemoteHeadIsDangling() throws Exception {
        Path remote = bare("master");
        String main = pushCommit(remote, "main", "# main\n");
        try (KbRepository repo = KbRepository.cloneOrOpen(remote.toString(), "notes", tmp.resolve("w"), GitAuth.NONE)) {
            assertThat(repo.branch()).isEqualTo("notes");
            assertThat(repo.head()).isEmpty();
            assertThat(repo.pull()).isInstanceOf(PullResult.UpToDate.class);
            String pushed = commitAndPush(repo, "n.md", "n");
            assertThat(heads(remote))
                    .containsExactly(Map.entry("refs/heads/main", main), Map.entry("refs/heads/notes", pushed));
        }
    }

    @Test
    void shouldPushTheFirstCommitOfAnEmptyRemoteToTheConfiguredBranch() throws Exception {
        Path remote = bare("master");
        try (KbRepository repo = KbRepository.cloneOrOpen(remote.toString(), "main", tmp.resolve("w"), GitAuth.NONE)) {
            assertThat(repo.head()).isEmpty();
            assertThat(repo.pull()).isInstanceOf(PullResult.UpToDate.class);
            String pushed = commitAndPush(repo, "first.md", "1");
            assertThat(heads(remote)).containsExactly(Map.entry("refs/heads/main", pushed));
        }
    }

    private Path bare(String head) throws Exception {
        Path remote = tmp.resolve("remote.git");
        Git.init()
                .setBare(true)
                .setInitialBranch(head)
                .setDirectory(remote.toFile())
                .call()
                .close();
        return remote;
    }

    /** Commits README.md with {@code content} (on a history of its own) and pushes it as {@code branch}. */
    private String pushCommit(Path remote, String branch, String content) throws Exception {
        Path scratch = Files.createTempDirectory(tmp, "scratch");
        try (Git git = Git.init()
                .setInitialBranch(branch)
                .setDirectory(scratch.toFile())
                .call()) {
            Files.writeString(scratch.resolve("README.md"), content);
            git.add().addFilepattern("README.md").call();
            RevCommit commit = git.commit()
                    .setMessage("Seed " + branch)
                    .setAuthor("Ada", "ada@example.org")
                    .setCommitter("Ada", "ada@example.org")
                    .call();
            git.push()
                    .setRemote(remote.toString())
                    .setRefSpecs(new RefSpec("refs/heads/" + branch + ":refs/heads/" + branch))
                    .call();
            return commit.name();
        }
    }

    /** The branches of the repository at {@code dir} (bare or work tree) and their commits, by name. */
    private static Map<String, String> heads(Path dir) throws Exception {
        try (Git git = Git.open(dir.toFile())) {
            Map<String, String> heads = new TreeMap<>();
            for (Ref ref : git.getRepository().getRefDatabase().getRefsByPrefix(Constants.R_HEADS)) {
                heads.put(ref.getName(), ref.getObjectId().name());
            }
            return heads;
        }
    }

    private static String headTarget(Path remote) throws Exception {
        try (Git git = Git.open(remote.toFile())) {
            return git.getRepository().exactRef(Constants.HEAD).getTarget().getName();
        }
    }
}
