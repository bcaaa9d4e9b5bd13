package dev.kbsync.git;

import static dev.kbsync.git.GitFixture.AUTHOR;
import static dev.kbsync.git.GitFixture.BRANCH;
import static dev.kbsync.git.GitFixture.commitAndPush;
import static dev.kbsync.git.GitFixture.read;
import static dev.kbsync.git.GitFixture.write;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PullIT {
    @TempDir
    Path tmp;

    @Test
    void shouldReportMissingRemoteWithTheOriginalHint() throws Exception {
        try (Git git =
                Git.init().setInitialBranch(BRANCH).setDirectory(tmp.toFile()).call()) {
            git.remoteAdd()
                    .setName("upstream")
                    .setUri(new org.eclipse.jgit.transport.URIish("/nowhere"))
                    .call();
        }
        try (KbRepository repo = KbRepository.open(tmp, BRANCH, GitAuth.NONE)) {
            PullResult result = repo.pull();
            assertThat(result).isInstanceOf(PullResult.NoRemote.class);
            assertThat(result.ok()).isFalse();
            assertThat(result.message())
                    .isEqualTo("Remote 'origin' not found. Available remotes: upstream."
                            + " To set a remote, run: git remote add origin <url>");
            assertThat(repo.push()).isInstanceOf(PushResult.NoRemote.class);
        }
    }

    @Test
    void shouldSayAlreadyUpToDate() {
        GitFixture fixture = GitFixture.seeded(tmp);
        try (KbRepository repo = fixture.cloneRepo()) {
            PullResult result = repo.pull();
            assertThat(result).isInstanceOf(PullResult.UpToDate.class);
            assertThat(result.message()).isEqualTo("Already up to date");
        }
    }

    @Test
    void shouldFastForwardToTheRemote() {
        GitFixture fixture = GitFixture.seeded(tmp);
        try (KbRepository a = fixture.cloneRepo();
                KbRepository b = fixture.cloneRepo()) {
            String pushed = commitAndPush(a, "notes/a.md", "from a");
            PullResult result = b.pull();
            assertThat(result).isEqualTo(new PullResult.FastForwarded(pushed));
            assertThat(result.message()).isEqualTo("Successfully pulled (fast-forward)");
            assertThat(read(b, "notes/a.md")).isEqualTo("from a");
        }
    }

    @Test
    void shouldKeepUncommittedAndUntrackedChangesAcrossThePull() {
        GitFixture fixture = GitFixture.seeded(tmp);
        try (KbRepository a = fixture.cloneRepo();
                KbRepository b = fixture.cloneRepo()) {
            commitAndPush(a, "notes/a.md", "from a");
            write(b, "README.md", "# local edit\n");
            write(b, "draft.md", "untracked draft");
            assertThat(b.pull()).isInstanceOf(PullResult.FastForwarded.class);
            assertThat(read(b, "README.md")).isEqualTo("# local edit\n");
            assertThat(read(b, "draft.md")).isEqualTo("untracked draft");
            assertThat(read(b, "notes/a.md")).isEqualTo("from a");
        }
    }

    @Test
    void shouldLeaveChangesInTheStashWhenTheyCannotBeRestored() throws Exception {
        GitFixture fixture = GitFixture.seeded(tmp);
        try (KbRepository a = fixture.cloneRepo();
                KbRepository b = fixture.cloneRepo()) {
            commitAndPush(a, "README.md", "# remote edit\n");
            write(b, "README.md", "# conflicting local edit\n");
            PullResult result = b.pull();
            assertThat(result).isInstanceOf(PullResult.ChangesLeftInStash.class);
            assertThat(result.message()).contains("Successfully pulled (fast-forward)", "kept in the stash");
            assertThat(read(b, "README.md")).isEqualTo("# remote edit\n");
            try (Git git = Git.open(b.workTree().toFile())) {
                assertThat(git.stashList().call()).hasSize(1);
            }
        }
    }

    @Test
    void shouldRebaseLocalCommitsSoHistoryStaysLinear() {
        GitFixture fixture = GitFixture.seeded(tmp);
        try (KbRepository a = fixture.cloneRepo();
                KbRepository b = fixture.cloneRepo()) {
            commitAndPush(a, "a.md", "a");
            write(b, "b.md", "b");
            b.commit("Add: b", AUTHOR, Map.of("Kbsync-Job", "b"));
            PullResult result = b.pull();
            assertThat(result).isInstanceOf(PullResult.Rebased.class);
            assertThat(((PullResult.Rebased) result).localCommits()).isEqualTo(1);
            assertThat(b.push()).isInstanceOf(PushResult.Pushed.class);
        }
        assertThat(fixture.remoteLog())
                .hasSize(3)
                .allSatisfy(c -> assertThat(c.getParentCount()).isLessThanOrEqualTo(1));
        assertThat(fixture.remoteLog().get(0).getFooterLines("Kbsync-Job")).containsExactly("b");
    }

    @Test
    void shouldAbortAConflictingPullAndLeaveTheCheckoutClean() {
        GitFixture fixture = GitFixture.seeded(tmp);
        try (KbRepository a = fixture.cloneRepo();
                KbRepository b = fixture.cloneRepo()) {
            commitAndPush(a, "README.md", "# a\n");
            write(b, "README.md", "# b\n");
            String local = ((CommitResult.Committed) b.commit("b", AUTHOR, Map.of())).commitId();
            PullResult result = b.pull();
            assertThat(result).isEqualTo(new PullResult.MergeConflict(java.util.List.of("README.md")));
            assertThat(result.message()).isEqualTo("Merge conflict during pull. Please resolve manually.");
            assertThat(b.head()).contains(local);
            assertThat(b.hasChanges()).isFalse();
        }
    }

    @Test
    void shouldCreateAndPushAMissingRemoteBranch() {
        GitFixture fixture = GitFixture.seeded(tmp);
        Path dir = tmp.resolve("feature");
        try (KbRepository repo = KbRepository.cloneOrOpen(fixture.url(), "notes", dir, GitAuth.NONE)) {
            assertThat(repo.branch()).isEqualTo("notes");
            PullResult result = repo.pull();
            assertThat(result).isEqualTo(new PullResult.RemoteBranchCreated("notes"));
            assertThat(result.message()).isEqualTo("Created branch 'notes' on remote and pushed");
            commitAndPush(repo, "n.md", "n");
            assertThat(repo.pull()).isInstanceOf(PullResult.UpToDate.class);
        }
    }

    @Test
    void shouldCloneAnEmptyRemoteAndPushTheFirstCommit() {
        GitFixture fixture = new GitFixture(tmp);
        try (KbRepository repo = fixture.cloneRepo()) {
            assertThat(repo.pull()).isInstanceOf(PullResult.UpToDate.class);
            commitAndPush(repo, "first.md", "1");
        }
        try (KbRepository other = fixture.cloneRepo()) {
            assertThat(read(other, "first.md")).isEqualTo("1");
        }
    }

    @Test
    void shouldRefuseToPullOnADetachedHead() throws Exception {
        GitFixture fixture = GitFixture.seeded(tmp);
        try (KbRepository repo = fixture.cloneRepo();
                Git git = Git.open(repo.workTree().toFile())) {
            git.checkout().setName(repo.head().orElseThrow()).call();
            PullResult result = repo.pull();
            assertThat(result).isInstanceOf(PullResult.DetachedHead.class);
            assertThat(result.ok()).isFalse();
            assertThat(repo.resetToRemote()).isInstanceOf(Recovery.Recovered.class);
            assertThat(repo.pull()).isInstanceOf(PullResult.UpToDate.class);
        }
    }
}
