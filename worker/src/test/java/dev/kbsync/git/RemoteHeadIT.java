package dev.kbsync.git;

import static dev.kbsync.git.GitFixture.commitAndPush;
import static dev.kbsync.git.GitFixture.read;
import static dev.kbsync.testing.BareRemotes.heads;
import static dev.kbsync.testing.BareRemotes.pushCommit;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.testing.BareRemotes;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.Constants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A checkout works on the KB's branch whatever the remote's HEAD names: a missing branch, or another one. */
class RemoteHeadIT {
    @TempDir
    Path tmp;

    @Test
    void shouldCloneTheConfiguredBranchWhenTheRemoteHeadIsDangling() throws Exception {
        Path remote = BareRemotes.init(tmp.resolve("remote.git"), "master"); // then only main pushed
        String main = pushCommit(remote, "main", "# main\n");
        try (KbRepository repo = checkout(remote, "main")) {
            assertThat(repo.head()).contains(main);
            assertThat(read(repo, "README.md")).isEqualTo("# main\n");
            assertThat(repo.pull()).isInstanceOf(PullResult.UpToDate.class);
            assertPushLandsOnItsBranchOnly(repo, remote);
        }
        try (Git git = Git.open(remote.toFile())) {
            assertThat(git.getRepository().exactRef(Constants.HEAD).getTarget().getName())
                    .isEqualTo("refs/heads/master");
        }
    }

    @Test
    void shouldWorkOnTheConfiguredBranchWhenTheRemoteHeadNamesAnother() throws Exception {
        Path remote = BareRemotes.init(tmp.resolve("remote.git"), "master");
        pushCommit(remote, "master", "# master\n");
        String notes = pushCommit(remote, "notes", "# notes\n");
        try (KbRepository repo = checkout(remote, "notes")) {
            assertThat(repo.head()).contains(notes);
            assertThat(read(repo, "README.md")).isEqualTo("# notes\n");
            assertPushLandsOnItsBranchOnly(repo, remote);
        }
    }

    @Test
    void shouldStartAMissingBranchAtTheRemoteDefaultBranch() throws Exception {
        Path remote = BareRemotes.init(tmp.resolve("remote.git"), "master");
        String master = pushCommit(remote, "master", "# master\n");
        try (KbRepository repo = checkout(remote, "notes")) {
            assertThat(repo.head()).contains(master);
            assertThat(repo.pull()).isEqualTo(new PullResult.RemoteBranchCreated("notes"));
            assertPushLandsOnItsBranchOnly(repo, remote);
        }
    }

    @Test
    void shouldStartAMissingBranchEmptyWhenTheRemoteHeadIsDangling() throws Exception {
        Path remote = BareRemotes.init(tmp.resolve("remote.git"), "master");
        pushCommit(remote, "main", "# main\n");
        try (KbRepository repo = checkout(remote, "notes")) {
            assertThat(repo.head()).isEmpty();
            assertThat(repo.pull()).isInstanceOf(PullResult.UpToDate.class);
            assertPushLandsOnItsBranchOnly(repo, remote);
        }
    }

    @Test
    void shouldPushTheFirstCommitOfAnEmptyRemoteToTheConfiguredBranch() throws Exception {
        Path remote = BareRemotes.init(tmp.resolve("remote.git"), "master");
        try (KbRepository repo = checkout(remote, "main")) {
            assertThat(repo.head()).isEmpty();
            assertThat(repo.pull()).isInstanceOf(PullResult.UpToDate.class);
            assertPushLandsOnItsBranchOnly(repo, remote);
        }
    }

    private KbRepository checkout(Path remote, String branch) {
        KbRepository repo = KbRepository.cloneOrOpen(remote.toString(), branch, tmp.resolve("work"), GitAuth.NONE);
        assertThat(repo.branch()).isEqualTo(branch);
        return repo;
    }

    /** The checkout holds no branch but its own, and a note pushed from it moves that branch alone on the remote. */
    private static void assertPushLandsOnItsBranchOnly(KbRepository repo, Path remote) throws Exception {
        String branch = Constants.R_HEADS + repo.branch();
        assertThat(heads(repo.workTree()).keySet())
                .as("the checkout's branches")
                .isSubsetOf(branch);
        Map<String, String> expected = new TreeMap<>(heads(remote));
        expected.put(branch, commitAndPush(repo, "n.md", "n"));
        assertThat(heads(remote)).isEqualTo(expected);
    }
}
