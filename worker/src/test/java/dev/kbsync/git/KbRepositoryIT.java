package dev.kbsync.git;

import static dev.kbsync.git.GitFixture.AUTHOR;
import static dev.kbsync.git.GitFixture.BRANCH;
import static dev.kbsync.git.GitFixture.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kbsync.api.FileChange;
import dev.kbsync.api.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.StoredConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KbRepositoryIT {
    @TempDir
    Path tmp;

    @Test
    void shouldOpenAValidRepositoryAndRejectAnInvalidOne() throws Exception {
        Git.init().setDirectory(tmp.resolve("valid").toFile()).call().close();
        Files.createDirectories(tmp.resolve("plain"));
        try (KbRepository repo = KbRepository.open(tmp.resolve("valid"), BRANCH, GitAuth.NONE)) {
            assertThat(repo.hasRemote()).isFalse();
            assertThat(repo.head()).isEmpty();
        }
        assertThatThrownBy(() -> KbRepository.open(tmp.resolve("plain"), BRANCH, GitAuth.NONE))
                .isInstanceOf(GitException.class)
                .hasMessageContaining("Not a git repository");
    }

    @Test
    void shouldConfigureGcAndExcludeLockFilesOnClone() throws Exception {
        GitFixture fixture = GitFixture.seeded(tmp);
        try (KbRepository repo = fixture.cloneRepo()) {
            StoredConfig config =
                    Git.open(repo.workTree().toFile()).getRepository().getConfig();
            assertThat(config.getInt("gc", "auto", -1)).isZero();
            assertThat(config.getInt("gc", "autoPackLimit", -1)).isZero();
            assertThat(config.getBoolean("gc", "autoDetach", true)).isFalse();
            Files.writeString(repo.workTree().resolve(".kb_operations.lock"), "");
            assertThat(repo.hasChanges()).isFalse();
            assertThat(repo.commit("x", AUTHOR, Map.of())).isInstanceOf(CommitResult.NothingToCommit.class);
        }
    }

    @Test
    void shouldReopenAnExistingCheckoutButRefuseOneOfAnotherRemote() {
        GitFixture fixture = GitFixture.seeded(tmp);
        Path dir = tmp.resolve("cache");
        String head;
        try (KbRepository first = KbRepository.cloneOrOpen(fixture.url(), BRANCH, dir, GitAuth.NONE)) {
            head = first.head().orElseThrow();
        }
        try (KbRepository again = KbRepository.cloneOrOpen(fixture.url(), BRANCH, dir, GitAuth.NONE)) {
            assertThat(again.head()).contains(head);
        }
        GitFixture other = GitFixture.seeded(tmp.resolve("other"));
        assertThatThrownBy(() -> KbRepository.cloneOrOpen(other.url(), BRANCH, dir, GitAuth.NONE))
                .isInstanceOf(GitException.class)
                .hasMessageContaining("belongs to remote");
    }

    @Test
    void shouldAddFilesInsideAndRefuseOutsideOrMissingOnes() throws Exception {
        GitFixture fixture = GitFixture.seeded(tmp);
        Files.writeString(tmp.resolve("outside.md"), "secret");
        try (KbRepository repo = fixture.cloneRepo()) {
            write(repo, "notes/inside.md", "hi");
            repo.add("notes/inside.md");
            Files.createSymbolicLink(repo.workTree().resolve("link.md"), tmp.resolve("outside.md"));
            assertThatThrownBy(() -> repo.add("../outside.md"))
                    .isInstanceOfSatisfying(
                            InvalidInputException.class,
                            e -> assertThat(e.code()).isEqualTo("INVALID_PATH"));
            assertThatThrownBy(() -> repo.add("link.md")).isInstanceOf(InvalidInputException.class);
            assertThatThrownBy(() -> repo.add("missing.md"))
                    .isInstanceOfSatisfying(
                            InvalidInputException.class,
                            e -> assertThat(e.code()).isEqualTo("FILE_NOT_FOUND"));
            try (Git git = Git.open(repo.workTree().toFile())) {
                assertThat(git.status().call().getAdded()).containsExactly("notes/inside.md");
            }
        }
    }

    @Test
    void shouldCommitAllChangesWithTrailersAndReportEachFile() {
        GitFixture fixture = GitFixture.seeded(tmp);
        try (KbRepository repo = fixture.cloneRepo()) {
            write(repo, "notes/new note.md", "new");
            write(repo, "README.md", "# edited\n");
            Map<String, String> trailers = new LinkedHashMap<>();
            trailers.put("Kbsync-Job", "job-1");
            trailers.put("Kbsync-Fence", "42");
            var first = (CommitResult.Committed) repo.commit("Add: new note", AUTHOR, trailers);
            assertThat(first.changes())
                    .extracting(FileChange::path, FileChange::change)
                    .containsExactlyInAnyOrder(
                            org.assertj.core.groups.Tuple.tuple("README.md", FileChange.Change.EDITED),
                            org.assertj.core.groups.Tuple.tuple("notes/new note.md", FileChange.Change.CREATED));
            assertThat(first.changes()).allSatisfy(c -> assertThat(c.url()).isNull());

            assertThat(repo.workTree().resolve("notes/new note.md").toFile().delete())
                    .isTrue();
            var second = (CommitResult.Committed) repo.commit("Delete note", AUTHOR, Map.of());
            assertThat(second.changes())
                    .containsExactly(new FileChange("notes/new note.md", FileChange.Change.DELETED, null));
            assertThat(repo.changedFilesBetween(first.commitId(), second.commitId()))
                    .isEqualTo(second.changes());
            assertThat(repo.commit("again", AUTHOR, Map.of()))
                    .isInstanceOf(CommitResult.NothingToCommit.class)
                    .extracting(CommitResult::message)
                    .isEqualTo("No changes to commit");
            assertThat(repo.push()).isInstanceOf(PushResult.Pushed.class);
        }
        var pushed = fixture.remoteLog().get(1);
        assertThat(pushed.getFooterLines("Kbsync-Job")).containsExactly("job-1");
        assertThat(pushed.getFooterLines("Kbsync-Fence")).containsExactly("42");
        assertThat(pushed.getAuthorIdent().getName()).isEqualTo(AUTHOR.name());
        assertThat(pushed.getAuthorIdent().getEmailAddress()).isEqualTo(AUTHOR.email());
    }

    @Test
    void shouldCommitWithoutARemoteAndSaySoOnPush() throws Exception {
        Git.init().setInitialBranch(BRANCH).setDirectory(tmp.toFile()).call().close();
        try (KbRepository repo = KbRepository.open(tmp, BRANCH, GitAuth.NONE)) {
            write(repo, "a.md", "a");
            assertThat(repo.commit("Add: a", AUTHOR, Map.of())).isInstanceOf(CommitResult.Committed.class);
            PushResult push = repo.push();
            assertThat(push).isInstanceOf(PushResult.NoRemote.class);
            assertThat(push.message()).isEqualTo("No remote 'origin' to push to");
        }
    }

    @Test
    void shouldRefuseToCloneIntoANonEmptyDirectoryAndLeaveItAlone() throws Exception {
        GitFixture fixture = GitFixture.seeded(tmp);
        Path dir = Files.createDirectories(tmp.resolve("busy"));
        Files.writeString(dir.resolve("precious.txt"), "keep me");
        assertThatThrownBy(() -> KbRepository.cloneOrOpen(fixture.url(), BRANCH, dir, GitAuth.NONE))
                .isInstanceOf(GitException.class)
                .hasMessageContaining("not empty");
        assertThat(dir.resolve("precious.txt")).hasContent("keep me");
    }

    @Test
    void shouldCountUntrackedFilesAsChanges() {
        GitFixture fixture = GitFixture.seeded(tmp);
        try (KbRepository repo = fixture.cloneRepo()) {
            assertThat(repo.hasChanges()).isFalse();
            write(repo, "untracked.md", "x");
            assertThat(repo.hasChanges()).isTrue();
        }
    }

    @Test
    void shouldFindAPushedJobByItsTrailerOnTheRemoteBranch() {
        GitFixture fixture = GitFixture.seeded(tmp);
        try (KbRepository writer = fixture.cloneRepo();
                KbRepository checker = fixture.cloneRepo()) {
            write(writer, "a.md", "a");
            var job = (CommitResult.Committed) writer.commit("Add: a", AUTHOR, Map.of("Kbsync-Job", "job-7"));
            writer.push();
            for (int i = 0; i < 5; i++) {
                GitFixture.commitAndPush(writer, "n" + i + ".md", "n");
            }
            assertThat(checker.findCommitWithTrailer("Kbsync-Job", "job-7", 0)).isEmpty();
            checker.pull();
            assertThat(checker.findCommitWithTrailer("Kbsync-Job", "job-7", 0)).contains(job.commitId());
            assertThat(checker.findCommitWithTrailer("kbsync-job", "job-7", 10)).contains(job.commitId());
            assertThat(checker.findCommitWithTrailer("Kbsync-Job", "job-7", 3)).isEmpty();
            assertThat(checker.findCommitWithTrailer("Kbsync-Job", "job-8", 0)).isEmpty();
        }
    }

    @Test
    void shouldLinkChangedFilesToGitHubWhenTheRemoteIsGitHub() throws Exception {
        Git.init().setInitialBranch(BRANCH).setDirectory(tmp.toFile()).call().close();
        try (Git git = Git.open(tmp.toFile())) {
            git.remoteAdd()
                    .setName("origin")
                    .setUri(new org.eclipse.jgit.transport.URIish("git@github.com:acme/kb.git"))
                    .call();
        }
        try (KbRepository repo = KbRepository.open(tmp, BRANCH, GitAuth.NONE)) {
            Files.writeString(tmp.resolve("a b.md"), "x");
            var committed = (CommitResult.Committed) repo.commit("Add", AUTHOR, Map.of());
            assertThat(committed.changes().get(0).url()).isEqualTo("https://github.com/acme/kb/blob/main/a%20b.md");
        }
    }
}
