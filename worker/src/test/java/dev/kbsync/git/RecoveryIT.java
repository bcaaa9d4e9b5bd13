package dev.kbsync.git;

import static dev.kbsync.git.GitFixture.AUTHOR;
import static dev.kbsync.git.GitFixture.commitAndPush;
import static dev.kbsync.git.GitFixture.read;
import static dev.kbsync.git.GitFixture.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecoveryIT {
    @TempDir
    Path tmp;

    @Test
    void shouldRemoveAStaleIndexLockLeftByAKilledProcess() throws Exception {
        GitFixture fixture = GitFixture.seeded(tmp);
        try (KbRepository repo = fixture.cloneRepo()) {
            Files.writeString(repo.workTree().resolve(".git/index.lock"), "");
            write(repo, "a.md", "a");
            assertThatThrownBy(() -> repo.commit("Add: a", AUTHOR, Map.of())).isInstanceOf(GitException.class);

            Recovery recovery = repo.resetToRemote();
            assertThat(recovery)
                    .isInstanceOfSatisfying(
                            Recovery.Recovered.class,
                            r -> assertThat(r.actions()).contains("removed stale index.lock"));
            write(repo, "a.md", "a");
            assertThat(repo.commit("Add: a", AUTHOR, Map.of())).isInstanceOf(CommitResult.Committed.class);
            assertThat(repo.push()).isInstanceOf(PushResult.Pushed.class);
        }
    }

    @Test
    void shouldResetHalfWrittenFilesAndUnpushedCommitsToTheRemote() throws Exception {
        GitFixture fixture = GitFixture.seeded(tmp);
        try (KbRepository other = fixture.cloneRepo();
                KbRepository repo = fixture.cloneRepo()) {
            String remoteHead = commitAndPush(other, "notes/remote.md", "remote");
            write(repo, "unpushed.md", "unpushed");
            repo.commit("Add: unpushed", AUTHOR, Map.of());
            write(repo, "README.md", "# half-writ");
            write(repo, "notes/partial.md", "partial ");
            repo.add("notes/partial.md");
            write(repo, "tmp/garbage.tmp", "\0\0\0");

            Recovery recovery = repo.resetToRemote();
            assertThat(recovery).isInstanceOfSatisfying(Recovery.Recovered.class, r -> {
                assertThat(r.head()).isEqualTo(remoteHead);
                assertThat(r.actions())
                        .as("dropping the unpushed commit is a repair")
                        .contains("moved main to " + remoteHead.substring(0, 10));
            });
            assertThat(repo.head()).contains(remoteHead);
            assertThat(repo.hasChanges()).isFalse();
            assertThat(read(repo, "README.md")).isEqualTo("# KB\n");
            assertThat(read(repo, "notes/remote.md")).isEqualTo("remote");
            assertThat(repo.workTree().resolve("unpushed.md")).doesNotExist();
            assertThat(repo.workTree().resolve("tmp")).doesNotExist();
            assertThat(repo.pull()).isInstanceOf(PullResult.UpToDate.class);
        }
    }

    @Test
    void shouldReportNoRepairWhenTheCheckoutWasOnlyBehindTheRemote() throws Exception {
        // The normal case when workers take turns on a KB: another worker pushed since this checkout's last cycle.
        GitFixture fixture = GitFixture.seeded(tmp);
        try (KbRepository other = fixture.cloneRepo();
                KbRepository repo = fixture.cloneRepo()) {
            String remoteHead = commitAndPush(other, "notes/remote.md", "remote");

            Recovery recovery = repo.resetToRemote();

            assertThat(recovery).isEqualTo(new Recovery.Recovered(remoteHead, List.of()));
            assertThat(read(repo, "notes/remote.md")).isEqualTo("remote");
        }
    }

    /**
     * A file the KB's {@code .gitignore} excludes is no part of the KB either: left in the checkout it would reach later
     * agents' scratch copies and count as an existing file for a later note. Only the lock files kbsync excludes itself
     * stay (the original bot may hold its lock in the work tree).
     */
    @Test
    void shouldRemoveIgnoredUntrackedFilesButKeepTheLockFiles() throws Exception {
        GitFixture fixture = GitFixture.seeded(tmp);
        try (KbRepository repo = fixture.cloneRepo()) {
            String head = commitAndPush(repo, ".gitignore", "*.tmp\nbuild/\n");
            write(repo, "leftover.tmp", "left by an agent");
            write(repo, "notes/deeper.tmp", "left by an agent");
            write(repo, "build/out.bin", "\0");
            write(repo, ".kb_operations.lock", "");
            write(repo, ".kbsync-worker.lock", "");

            Recovery recovery = repo.resetToRemote();

            assertThat(recovery).isInstanceOf(Recovery.Recovered.class);
            assertThat(repo.head()).contains(head);
            assertThat(repo.workTree().resolve("leftover.tmp")).doesNotExist();
            assertThat(repo.workTree().resolve("notes/deeper.tmp")).doesNotExist();
            assertThat(repo.workTree().resolve("build")).doesNotExist();
            assertThat(repo.workTree().resolve(".kb_operations.lock")).exists();
            assertThat(repo.workTree().resolve(".kbsync-worker.lock")).exists();
        }
    }

    @Test
    void shouldRebuildAHalfWrittenIndex() throws Exception {
        GitFixture fixture = GitFixture.seeded(tmp);
        try (KbRepository repo = fixture.cloneRepo()) {
            Path index = repo.workTree().resolve(".git/index");
            byte[] bytes = Files.readAllBytes(index);
            Files.write(index, java.util.Arrays.copyOf(bytes, bytes.length / 2));

            Recovery recovery = repo.resetToRemote();
            assertThat(recovery)
                    .isInstanceOfSatisfying(
                            Recovery.Recovered.class,
                            r -> assertThat(r.actions()).contains("removed corrupt index"));
            assertThat(repo.hasChanges()).isFalse();
            commitAndPush(repo, "after.md", "works");
        }
    }

    @Test
    void shouldAbortARebaseInterruptedByAKilledProcess() throws Exception {
        GitFixture fixture = GitFixture.seeded(tmp);
        try (KbRepository other = fixture.cloneRepo();
                KbRepository repo = fixture.cloneRepo();
                org.eclipse.jgit.api.Git git =
                        org.eclipse.jgit.api.Git.open(repo.workTree().toFile())) {
            String remoteHead = commitAndPush(other, "README.md", "# theirs\n");
            write(repo, "README.md", "# ours\n");
            repo.commit("ours", AUTHOR, Map.of());
            git.fetch().call();
            assertThat(git.rebase()
                            .setUpstream("refs/remotes/origin/main")
                            .call()
                            .getStatus())
                    .isEqualTo(org.eclipse.jgit.api.RebaseResult.Status.STOPPED);

            Recovery recovery = repo.resetToRemote();
            assertThat(recovery).isInstanceOfSatisfying(Recovery.Recovered.class, r -> {
                assertThat(r.actions()).contains("aborted an interrupted rebase");
                assertThat(r.head()).isEqualTo(remoteHead);
            });
            assertThat(git.getRepository().getRepositoryState().isRebasing()).isFalse();
            assertThat(read(repo, "README.md")).isEqualTo("# theirs\n");
            commitAndPush(repo, "after.md", "works");
        }
    }

    @Test
    void shouldAskForAFreshCloneWhenObjectsAreCorruptAndRecloneCleanly() throws Exception {
        GitFixture fixture = GitFixture.seeded(tmp);
        Path dir = tmp.resolve("cache");
        String head;
        try (KbRepository repo = KbRepository.cloneOrOpen(fixture.url(), "main", dir, GitAuth.NONE)) {
            head = repo.head().orElseThrow();
        }
        try (Stream<Path> objects = Files.walk(dir.resolve(".git/objects"))) {
            for (Path file : objects.filter(Files::isRegularFile).toList()) {
                file.toFile().setWritable(true);
                Files.write(file, new byte[0]);
            }
        }
        try (KbRepository broken = KbRepository.cloneOrOpen(fixture.url(), "main", dir, GitAuth.NONE)) {
            assertThat(broken.resetToRemote()).isInstanceOf(Recovery.NeedsReclone.class);
        }
        try (KbRepository fresh = KbRepository.reclone(fixture.url(), "main", dir, GitAuth.NONE)) {
            assertThat(fresh.head()).contains(head);
            assertThat(fresh.resetToRemote()).isInstanceOf(Recovery.Recovered.class);
        }
    }
}
