package dev.kbsync.worker.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.git.GitAuth;
import dev.kbsync.worker.fixture.GitFixture;
import dev.kbsync.worker.fixture.Jobs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.Status;
import org.eclipse.jgit.diff.DiffEntry;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A batch of note commits staged through one in-memory index: the same commits, index and work tree as before. */
class BatchIndexIT {
    @TempDir
    Path tmp;

    private Path bare;
    private String remote;
    private Path work;
    private KbCheckout checkout;

    @BeforeEach
    void setUp() {
        bare = tmp.resolve("remote.git");
        remote = GitFixture.bareRemote(bare);
        work = tmp.resolve("cache/team/work");
        checkout = new KbCheckout(remote, "main", work, GitAuth.NONE);
    }

    @AfterEach
    void tearDown() {
        checkout.close();
    }

    @Test
    void shouldCommitEachNoteOfABatchAloneAndLeaveIndexAndWorkTreeEqualToHead() throws Exception {
        cycle(PhaseListener.NONE).run(checkout, note("first", 5, "Note a", null));
        List<Boolean> heldInMemory = new ArrayList<>();
        PhaseListener locked = (phase, id) -> {
            if (phase == Phase.COMMITTED) {
                heldInMemory.add(Files.exists(work.resolve(".git/index.lock")));
            }
        };

        List<Outcome> outcomes = cycle(locked)
                .runAll(
                        checkout,
                        List.of(
                                note("a", 6, "Note a", null), // collides with the last batch's note-a.md
                                note("b", 7, "Note b", "deep/er/b.md"),
                                note("c", 8, "Note a", null), // collides with this batch's note-a-2.md
                                note("d", 9, "Note d", "README.md"))); // edits a tracked file

        assertThat(outcomes).allMatch(o -> o instanceof Outcome.Published);
        assertThat(heldInMemory)
                .as("each commit staged in the batch's in-memory index")
                .containsOnly(true);
        assertThat(outcomes)
                .extracting(o -> ((Outcome.Published) o).files().get(0).path())
                .containsExactly("note-a-2.md", "deep/er/b.md", "note-a-3.md", "README.md");
        List<RevCommit> history = GitFixture.history(bare);
        assertThat(history).hasSize(6);
        try (Git git = Git.open(work.toFile())) {
            Repository repo = git.getRepository();
            List<String> jobs = List.of("d", "c", "b", "a");
            List<String> files = List.of("README.md", "note-a-3.md", "deep/er/b.md", "note-a-2.md");
            for (int i = 0; i < 4; i++) {
                RevCommit commit = history.get(i);
                assertThat(GitFixture.trailers(commit))
                        .containsEntry("Kbsync-Job", jobs.get(i))
                        .containsEntry("Kbsync-Fence", Long.toString(9 - i));
                assertThat(changed(repo, history.get(i + 1), commit))
                        .as("the files of %s", jobs.get(i))
                        .containsExactly(files.get(i));
            }
            assertThat(repo.resolve("HEAD")).isEqualTo(history.get(0));
            Status status = git.status().call();
            assertThat(status.isClean())
                    .as("status %s", status.getUncommittedChanges())
                    .isTrue();
            assertThat(status.getUntracked()).isEmpty();
            DirCache index = repo.readDirCache();
            try (ObjectInserter inserter = repo.newObjectInserter()) {
                assertThat(index.writeTree(inserter)).isEqualTo(history.get(0).getTree());
            }
            assertThat(repo.getIndexFile().toPath().resolveSibling("index.lock"))
                    .doesNotExist();
        }
    }

    /** Git would not stage it: the note alone fails INVALID_PATH (it used to read done with nothing committed). */
    @Test
    void shouldRefuseANoteAtAnIgnoredPathAndCommitTheOthers() throws Exception {
        GitFixture.pushDirectly(remote, tmp.resolve("other"), ".gitignore", "ignored/\n");

        List<Outcome> outcomes = cycle(PhaseListener.NONE)
                .runAll(checkout, List.of(note("x", 5, "Note x", "ignored/x.md"), note("y", 6, "Note y", null)));

        assertThat(outcomes.get(0))
                .isInstanceOfSatisfying(
                        Outcome.Failed.class,
                        failed -> assertThat(failed.error().code()).isEqualTo("INVALID_PATH"));
        assertThat(outcomes.get(1)).isInstanceOf(Outcome.Published.class);
        assertThat(GitFixture.commitsForJob(bare, "x")).isZero();
        try (Git git = Git.open(work.toFile())) {
            assertThat(git.status().call().isClean()).isTrue();
        }
    }

    /**
     * The checkout's {@code core.excludesFile} (here in its repository's config; a host's {@code ~/.gitconfig} counts
     * the same) excludes the note's folder: the note alone fails INVALID_PATH. It used to read done with nothing
     * committed, as JGit's add honours that file and the applier's ignore check did not.
     */
    @Test
    void shouldRefuseANoteThatTheCoreExcludesFileIgnoresAndCommitTheOthers() throws Exception {
        checkout.syncToRemote();
        Path rules = tmp.resolve("host/global-ignore");
        Files.createDirectories(rules.getParent());
        Files.writeString(rules, "build/\n");
        try (Git git = Git.open(work.toFile())) {
            StoredConfig config = git.getRepository().getConfig();
            config.setString("core", null, "excludesFile", rules.toString());
            config.save();
        }

        List<Outcome> outcomes = cycle(PhaseListener.NONE)
                .runAll(checkout, List.of(note("x", 5, "Note x", "build/2024/x.md"), note("y", 6, "Note y", null)));

        assertThat(outcomes.get(0))
                .isInstanceOfSatisfying(
                        Outcome.Failed.class,
                        failed -> assertThat(failed.error().code()).isEqualTo("INVALID_PATH"));
        assertThat(outcomes.get(1)).isInstanceOf(Outcome.Published.class);
        assertThat(GitFixture.commitsForJob(bare, "x")).isZero();
        assertThat(work.resolve("build")).doesNotExist();
    }

    private static List<String> changed(Repository repo, RevCommit parent, RevCommit commit) throws IOException {
        try (TreeWalk walk = new TreeWalk(repo)) {
            walk.addTree(parent.getTree());
            walk.addTree(commit.getTree());
            walk.setRecursive(true);
            return DiffEntry.scan(walk).stream().map(DiffEntry::getNewPath).toList();
        }
    }

    private static NoteUnit note(String id, long fence, String title, String path) {
        return new NoteUnit(Jobs.note(id, "alice", "text of " + id, title, path), fence);
    }

    private static PublishCycle cycle(PhaseListener listener) {
        return new PublishCycle(new PushRetry(5, Duration.ofMillis(10)), listener, d -> {});
    }
}
