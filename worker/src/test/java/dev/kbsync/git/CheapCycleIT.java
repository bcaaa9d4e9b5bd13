package dev.kbsync.git;

import static dev.kbsync.git.GitFixture.AUTHOR;
import static dev.kbsync.git.GitFixture.commitAndPush;
import static dev.kbsync.git.GitFixture.read;
import static dev.kbsync.git.GitFixture.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kbsync.api.FileChange;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Path-limited commits and the cheap sync from a clean mark, on real repositories. */
class CheapCycleIT {
    @TempDir
    Path tmp;

    @Test
    void shouldCommitOnlyTheGivenPaths() {
        GitFixture fixture = GitFixture.seeded(tmp);
        try (KbRepository repo = fixture.cloneRepo()) {
            write(repo, "notes/a.md", "a");
            write(repo, "stray.md", "not ours");
            write(repo, "README.md", "edited, not ours");

            var committed = (CommitResult.Committed)
                    repo.commitPaths(List.of("notes/a.md"), "Add: a", AUTHOR, Map.of("Kbsync-Job", "j"));

            assertThat(committed.changes()).extracting(FileChange::path).containsExactly("notes/a.md");
            assertThat(repo.changedFilesBetween(committed.commitId() + "^", committed.commitId()))
                    .extracting(FileChange::path)
                    .containsExactly("notes/a.md");
            assertThat(repo.findCommitWithTrailer("Kbsync-Job", "j", 10)).isEmpty(); // not pushed yet
            assertThat(repo.head()).contains(committed.commitId());
            assertThat(repo.hasChanges()).isTrue(); // stray.md and README.md stay as they were
        }
    }

    @Test
    void shouldStageDeletionsAndSayNothingToCommitForUnchangedPaths() {
        GitFixture fixture = GitFixture.seeded(tmp);
        try (KbRepository repo = fixture.cloneRepo()) {
            write(repo, "README.md", "# KB\n");
            assertThat(repo.commitPaths(List.of("README.md"), "same", AUTHOR, Map.of()))
                    .isInstanceOf(CommitResult.NothingToCommit.class);
            assertThat(repo.commitPaths(List.of(), "none", AUTHOR, Map.of()))
                    .isInstanceOf(CommitResult.NothingToCommit.class);

            Files.delete(repo.workTree().resolve("README.md"));
            var deleted = (CommitResult.Committed) repo.commitPaths(List.of("README.md"), "Delete", AUTHOR, Map.of());

            assertThat(deleted.changes()).containsExactly(new FileChange("README.md", FileChange.Change.DELETED, null));
            assertThat(repo.hasChanges()).isFalse();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void shouldRefuseToCommitChangesStagedOutsideTheGivenPaths() {
        GitFixture fixture = GitFixture.seeded(tmp);
        try (KbRepository repo = fixture.cloneRepo()) {
            String before = repo.head().orElseThrow();
            write(repo, "leftover.md", "staged by a crashed cycle");
            repo.add("leftover.md");
            write(repo, "a.md", "a");

            assertThatThrownBy(() -> repo.commitPaths(List.of("a.md"), "Add: a", AUTHOR, Map.of()))
                    .isInstanceOf(GitException.class)
                    .hasMessageContaining("leftover.md");
            assertThat(repo.head()).contains(before);
        }
    }

    @Test
    void shouldRefuseADeletionStagedOutsideTheGivenPathsThoughTheDiffSeesARename() throws Exception {
        GitFixture fixture = GitFixture.seeded(tmp);
        try (KbRepository repo = fixture.cloneRepo();
                org.eclipse.jgit.api.Git git =
                        org.eclipse.jgit.api.Git.open(repo.workTree().toFile())) {
            String before = repo.head().orElseThrow();
            git.rm().addFilepattern("README.md").call(); // staged by a crashed cycle
            write(repo, "notes/copy.md", "# KB\n"); // README.md's content: a rename to git's diff

            assertThatThrownBy(() -> repo.commitPaths(List.of("notes/copy.md"), "Add: copy", AUTHOR, Map.of()))
                    .isInstanceOf(GitException.class)
                    .hasMessageContaining("README.md");
            assertThat(repo.head()).contains(before);
        }
    }

    @Test
    void shouldResumeFromACleanMarkWithoutResettingOrFetching() {
        GitFixture fixture = GitFixture.seeded(tmp);
        try (KbRepository other = fixture.cloneRepo();
                KbRepository repo = fixture.cloneRepo()) {
            String pushed = commitAndPush(repo, "a.md", "a");
            CleanMark mark = repo.markClean().orElseThrow();
            assertThat(mark.head()).isEqualTo(pushed);
            other.pull();
            commitAndPush(other, "b.md", "b");
            write(repo, "stray.md", "untracked");

            Recovery optimistic = repo.resetToRemote(mark, false);

            assertThat(optimistic).isEqualTo(new Recovery.Recovered(pushed, List.of()));
            assertThat(repo.workTree().resolve("stray.md")).exists(); // no reset, no clean
            assertThat(repo.workTree().resolve("b.md")).doesNotExist(); // no fetch
        }
    }

    @Test
    void shouldFetchAndResetWhenTheRemoteMovedAwayFromTheMark() {
        GitFixture fixture = GitFixture.seeded(tmp);
        try (KbRepository other = fixture.cloneRepo();
                KbRepository repo = fixture.cloneRepo()) {
            commitAndPush(repo, "a.md", "a");
            CleanMark mark = repo.markClean().orElseThrow();
            other.pull();
            String theirs = commitAndPush(other, "b.md", "b");

            Recovery recovery = repo.resetToRemote(mark, true);

            assertThat(recovery)
                    .isInstanceOfSatisfying(
                            Recovery.Recovered.class, r -> assertThat(r.head()).isEqualTo(theirs));
            assertThat(read(repo, "b.md")).isEqualTo("b");
            assertThat(repo.hasChanges()).isFalse();
        }
    }

    @Test
    void shouldResetFullyWhenTheCheckoutNoLongerMatchesItsMark() throws Exception {
        GitFixture fixture = GitFixture.seeded(tmp);
        try (KbRepository repo = fixture.cloneRepo()) {
            String pushed = commitAndPush(repo, "a.md", "a");
            CleanMark mark = repo.markClean().orElseThrow();
            write(repo, "half.md", "half-written");
            Files.writeString(repo.workTree().resolve(".git/index.lock"), "");

            Recovery recovery = repo.resetToRemote(mark, false);

            assertThat(recovery)
                    .isInstanceOfSatisfying(
                            Recovery.Recovered.class,
                            r -> assertThat(r.actions()).contains("removed stale index.lock"));
            assertThat(repo.head()).contains(pushed);
            assertThat(repo.workTree().resolve("half.md")).doesNotExist();

            write(repo, "c.md", "c");
            repo.commitPaths(List.of("c.md"), "Add: c", AUTHOR, Map.of()); // unpushed: HEAD is ahead of origin
            CleanMark stale = new CleanMark(pushed, mark.index());
            assertThat(repo.resetToRemote(stale, false)).isInstanceOf(Recovery.Recovered.class);
            assertThat(repo.head()).contains(pushed);
            assertThat(repo.workTree().resolve("c.md")).doesNotExist();
        }
    }

    @Test
    void shouldMoveOntoTheNewRemoteHeadPathByPathAfterARejectedPush() throws Exception {
        GitFixture fixture = GitFixture.seeded(tmp);
        try (KbRepository other = fixture.cloneRepo();
                KbRepository repo = fixture.cloneRepo()) {
            write(other, "gone.md", "to be deleted by the other clone");
            write(other, "kept/deep/file.md", "kept");
            commitAndPush(other, "edited.md", "v1");
            repo.pull();
            Files.delete(other.workTree().resolve("gone.md"));
            write(other, "edited.md", "v2");
            write(other, "notes/2026/01/new.md", "new");
            var theirs = (CommitResult.Committed) other.commitPaths(
                    List.of("gone.md", "edited.md", "notes/2026/01/new.md"), "Theirs", AUTHOR, Map.of());
            other.push();
            write(repo, "notes/2026/01/mine.md", "mine");
            repo.commitPaths(List.of("notes/2026/01/mine.md"), "Mine", AUTHOR, Map.of());
            assertThat(repo.push()).isInstanceOf(PushResult.RejectedNonFastForward.class);
            CleanMark mark = repo.markClean().orElseThrow();
            write(repo, "stray.md", "untracked, never walked"); // a full reset would clean it away
            long keptModified = Files.getLastModifiedTime(repo.workTree().resolve("kept/deep/file.md"))
                    .toMillis();

            Recovery recovery = repo.resetToRemote(mark, true);

            assertThat(recovery).isInstanceOfSatisfying(Recovery.Recovered.class, r -> {
                assertThat(r.head()).isEqualTo(theirs.commitId());
                assertThat(r.actions()).singleElement().asString().startsWith("fast-forwarded 4 path(s)");
            });
            assertThat(repo.head()).contains(theirs.commitId());
            assertThat(read(repo, "edited.md")).isEqualTo("v2");
            assertThat(repo.workTree().resolve("gone.md")).doesNotExist();
            assertThat(repo.workTree().resolve("notes/2026/01/mine.md")).doesNotExist();
            assertThat(repo.workTree().resolve("stray.md")).exists();
            assertThat(Files.getLastModifiedTime(repo.workTree().resolve("kept/deep/file.md"))
                            .toMillis())
                    .isEqualTo(keptModified);
            Files.delete(repo.workTree().resolve("stray.md"));
            assertThat(repo.hasChanges()).isFalse(); // index and work tree equal the new head
            commitAndPush(repo, "after.md", "pushes on top of theirs");
        }
    }
}
