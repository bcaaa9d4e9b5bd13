package dev.kbsync.worker.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kbsync.api.FileChange;
import dev.kbsync.git.Author;
import dev.kbsync.git.GitAuth;
import dev.kbsync.worker.apply.ApplyResult;
import dev.kbsync.worker.apply.CaseIndex;
import dev.kbsync.worker.fixture.GitFixture;
import dev.kbsync.worker.fixture.Jobs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cheap sync after a clean cycle (no reset, and no fetch after a first-try push) and path-limited staging, against
 * real repositories: what it must never commit, and how the optimistic publish recovers when it was wrong.
 */
class CheapSyncIT {
    @TempDir
    Path tmp;

    private Path bare;
    private String remote;
    private Path work;
    private long fences;
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
    void shouldCommitOnlyTheReportedPathsAndLeaveStrayFilesToTheNextFullReset() throws IOException {
        published(cycle().run(checkout, note("job-1")));
        Files.writeString(work.resolve("stray.md"), "not reported by any applier");
        Files.writeString(work.resolve("README.md"), "edited behind the applier's back");

        Outcome second = cycle().run(checkout, note("job-2"));

        assertThat(((Outcome.Published) second).files())
                .extracting(FileChange::path)
                .containsExactly("note-job-2.md");
        assertThat(remoteFiles()).containsExactlyInAnyOrder("README.md", "note-job-1.md", "note-job-2.md");
        assertThat(remoteFile("README.md")).isEqualTo("# KB\n");
        assertThat(work.resolve("stray.md")).exists(); // the cheap sync does not walk the work tree

        checkout.close(); // as a restarted worker: no clean mark, so a full reset
        published(cycle().run(checkout, note("job-3")));

        assertThat(work.resolve("stray.md")).doesNotExist();
        assertThat(Files.readString(work.resolve("README.md"))).isEqualTo("# KB\n");
        assertThat(remoteFiles()).doesNotContain("stray.md");
    }

    @Test
    void shouldNotCommitTheLeftoverOfACycleThatThrewMidApply() {
        published(cycle().run(checkout, note("job-1")));
        WorkUnit crashing = new WriteUnit("job-crash", "half.md", "half a no", true);

        assertThatThrownBy(() -> cycle().run(checkout, crashing)).isInstanceOf(IllegalStateException.class);
        assertThat(work.resolve("half.md")).exists();

        Outcome next = cycle().run(checkout, new WriteUnit("job-2", "whole.md", "whole\n", false));

        published(next);
        assertThat(work.resolve("half.md")).doesNotExist(); // the aborted cycle left no mark: full reset
        assertThat(remoteFiles()).doesNotContain("half.md");
        assertThat(GitFixture.commitsForJob(bare, "job-crash")).isZero();
    }

    @Test
    void shouldNotPushTheLocalCommitOfACycleStoppedBeforeItsPush() {
        published(cycle().run(checkout, note("job-1")));
        NoteUnit stopped = new NoteUnit(Jobs.note("job-stopped", "alice", "t", "Stopped", null), ++fences, () -> {
            throw new UnitAbortedException("WORKER_SHUTDOWN", "shutting down");
        });
        assertThatThrownBy(() -> cycle().run(checkout, stopped)).isInstanceOf(UnitAbortedException.class);

        published(cycle().run(checkout, note("job-2")));

        assertThat(GitFixture.history(bare))
                .extracting(RevCommit::getShortMessage)
                .containsExactly("Add: Note job-2", "Add: Note job-1", "Initial commit");
        assertThat(work.resolve("note-job-stopped.md")).doesNotExist();
    }

    @Test
    void shouldRecoverWhenAnotherClonePushedBetweenTwoOptimisticCycles() {
        optimistic();
        published(cycle().run(checkout, note("job-1")));
        GitFixture.pushDirectly(remote, tmp.resolve("other"), "other.md", "pushed meanwhile\n");

        Outcome second = cycle().run(checkout, note("job-2"));

        published(second);
        assertThat(second.pushRejections()).isEqualTo(1); // no fetch first: the optimistic push was rejected
        assertThat(GitFixture.history(bare))
                .extracting(RevCommit::getShortMessage)
                .containsExactly(
                        "Add: Note job-2",
                        "Direct: other.md",
                        "Add: Note job-1",
                        "Add: Note warm-2",
                        "Add: Note warm-1",
                        "Initial commit");
        assertThat(GitFixture.commitsForJob(bare, "job-2")).isEqualTo(1);

        Outcome third = cycle().run(checkout, note("job-3"));
        assertThat(third.pushRejections()).isZero(); // after a rejection the next cycle fetches first
        published(third);
    }

    @Test
    void shouldNotResetTheWorkTreeWhenAnOptimisticPushIsRejectedAfterAnotherWorkersPush() throws IOException {
        optimistic();
        published(cycle().run(checkout, note("job-1")));
        try (KbCheckout other = new KbCheckout(remote, "main", tmp.resolve("host-b/team/work"), GitAuth.NONE)) {
            published(cycle().run(other, note("job-2")));
        }
        Files.writeString(work.resolve("stray.md"), "untracked: only a full reset would clean it away");

        Outcome third = cycle().run(checkout, note("job-3"));

        published(third);
        assertThat(third.pushRejections()).isEqualTo(1); // optimistic: no fetch first, so the push was rejected
        assertThat(work.resolve("stray.md")).exists(); // the retry fetched and fast-forwarded: no reset, no clean
        assertThat(work.resolve("note-job-2.md")).exists();
        assertThat(GitFixture.history(bare))
                .extracting(RevCommit::getShortMessage)
                .containsExactly(
                        "Add: Note job-3",
                        "Add: Note job-2",
                        "Add: Note job-1",
                        "Add: Note warm-2",
                        "Add: Note warm-1",
                        "Initial commit");
        assertThat(GitFixture.commitsForJob(bare, "job-3")).isEqualTo(1);

        Files.delete(work.resolve("stray.md"));
        try (Git git = Git.open(work.toFile())) {
            assertThat(git.status().call().isClean()).isTrue(); // index and work tree equal the pushed head
        } catch (org.eclipse.jgit.api.errors.GitAPIException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void shouldFetchFirstInsteadOfHavingPushesRejectedWhileAnotherWorkerTakesTurns() {
        optimistic();
        try (KbCheckout other = new KbCheckout(remote, "main", tmp.resolve("host-b/team/work"), GitAuth.NONE)) {
            for (int i = 0; i < 3; i++) {
                published(cycle().run(other, note("b-" + i)));
                Outcome ours = cycle().run(checkout, note("a-" + i));
                published(ours);
                // the first rejection shows the remote is shared; from then on every cycle fetches first
                assertThat(ours.pushRejections()).isEqualTo(i == 0 ? 1 : 0);
            }
        }
        assertThat(GitFixture.history(bare)).hasSize(9);
    }

    @Test
    void shouldStillFindAJobAnotherWorkerPublishedWhileThisCheckoutWasOptimistic() {
        optimistic();
        published(cycle().run(checkout, note("job-1")));
        String elsewhere;
        try (KbCheckout other = new KbCheckout(remote, "main", tmp.resolve("host-b/team/work"), GitAuth.NONE)) {
            elsewhere = ((Outcome.Published) cycle().run(other, note("job-2"))).commit();
        }
        long firstGrant = fences;

        // job-2 again under a later grant (its report was lost): its first grant bounds the search
        Outcome again = cycle().run(checkout, new NoteUnit(note("job-2").job(), ++fences, firstGrant, () -> {}));

        assertThat(again).isInstanceOf(Outcome.AlreadyPublished.class);
        assertThat(((Outcome.AlreadyPublished) again).commit()).isEqualTo(elsewhere);
        assertThat(GitFixture.commitsForJob(bare, "job-2")).isEqualTo(1);
        assertThat(GitFixture.history(bare)).hasSize(5);
    }

    @Test
    void shouldLandEveryUnitOfABatchExactlyOnceWhenTheOptimisticPushIsRejected() {
        optimistic();
        published(cycle().run(checkout, note("a")));
        GitFixture.pushDirectly(remote, tmp.resolve("other"), "other.md", "pushed meanwhile\n");

        List<Outcome> outcomes = cycle().runAll(checkout, List.of(note("b"), note("c")));

        assertThat(outcomes).allMatch(o -> o instanceof Outcome.Published && o.pushRejections() == 1);
        assertThat(GitFixture.history(bare))
                .extracting(RevCommit::getShortMessage)
                .containsExactly(
                        "Add: Note c",
                        "Add: Note b",
                        "Direct: other.md",
                        "Add: Note a",
                        "Add: Note warm-2",
                        "Add: Note warm-1",
                        "Initial commit");
    }

    @Test
    void shouldResetFullyWhenTheCheckoutWasTouchedSinceTheCleanCycle() throws Exception {
        published(cycle().run(checkout, note("job-1")));
        Files.writeString(work.resolve("extra.md"), "staged by hand");
        try (Git git = Git.open(work.toFile())) {
            git.add().addFilepattern("extra.md").call(); // rewrites the index: the clean mark no longer holds
        }

        published(cycle().run(checkout, note("job-2")));

        assertThat(remoteFiles()).doesNotContain("extra.md");
        assertThat(work.resolve("extra.md")).doesNotExist();
    }

    @Test
    void shouldSkipTheFetchOnlyWhileTheGrantsPreviousTokenIsThisCheckoutsLast() {
        // Tokens follow the Redis clock: grants a while apart are never contiguous
        checkout.granted(OptionalLong.of(0), 1000, 1000);
        published(cycle().run(checkout, note("warm-1")));
        checkout.granted(OptionalLong.of(1000), 2000, 2003); // nobody in between: optimistic at once
        GitFixture.pushDirectly(remote, tmp.resolve("outside"), "outside.md", "pushed outside kbsync\n");
        assertThat(cycle().run(checkout, note("job-1")).pushRejections())
                .as("no fetch before the push, so the push made outside kbsync is found by a rejection")
                .isEqualTo(1);
        published(cycle().run(checkout, note("job-2"))); // (its push went through at the first try)

        checkout.granted(OptionalLong.of(3005), 4000, 4000); // tokens up to 3005 went to another holder
        GitFixture.pushDirectly(remote, tmp.resolve("other"), "other.md", "pushed by the holder of token 3005\n");
        Outcome handedBack = cycle().run(checkout, note("job-3"));

        published(handedBack);
        assertThat(handedBack.pushRejections())
                .as("another holder since: the cycle fetched first, its push went through")
                .isZero();
    }

    @Test
    void shouldFetchFirstWhenTheGrantsFencingTokensShowAnotherHolderSinceTheLastCycle() {
        // A grant that does not tell the KB's previous token: only contiguous tokens show no other holder
        checkout.granted(OptionalLong.empty(), 1, 1);
        published(cycle().run(checkout, note("warm-1"))); // token 1
        checkout.granted(OptionalLong.empty(), 2, 4);
        published(cycle().run(checkout, note("warm-2"))); // token 2 (as the head of a batch up to token 4)
        GitFixture.pushDirectly(remote, tmp.resolve("other"), "other.md", "pushed by the holder of token 5\n");

        fences = 5;
        checkout.granted(OptionalLong.empty(), 6, 6); // token 5 went to somebody else
        Outcome handedBack = cycle().run(checkout, note("job-1")); // token 6

        published(handedBack);
        assertThat(handedBack.pushRejections())
                .as("a gap in the tokens: the cycle fetched first, its push went through")
                .isZero();
        checkout.granted(OptionalLong.empty(), 7, 7);
        published(cycle().run(checkout, note("job-2")));
        GitFixture.pushDirectly(remote, tmp.resolve("other-2"), "other-2.md", "pushed outside kbsync\n");
        checkout.granted(
                OptionalLong.empty(),
                8,
                8); // contiguous and the last two cycles clean: optimistic, so a push outside is rejected
        assertThat(cycle().run(checkout, note("job-3")).pushRejections()).isEqualTo(1);
    }

    /**
     * Two clean cycles: the second one's fetch finds the remote where the first one's push left it, so the next cycle
     * is optimistic (no fetch before its push).
     */
    private void optimistic() {
        published(cycle().run(checkout, note("warm-1")));
        published(cycle().run(checkout, note("warm-2")));
    }

    private static void published(Outcome outcome) {
        assertThat(outcome).isInstanceOf(Outcome.Published.class);
    }

    private List<String> remoteFiles() {
        try (Git git = Git.open(bare.toFile());
                RevWalk walk = new RevWalk(git.getRepository());
                TreeWalk tree = new TreeWalk(git.getRepository())) {
            ObjectId head = git.getRepository().resolve("refs/heads/main");
            tree.addTree(walk.parseCommit(head).getTree());
            tree.setRecursive(true);
            List<String> files = new java.util.ArrayList<>();
            while (tree.next()) {
                files.add(tree.getPathString());
            }
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String remoteFile(String path) {
        try (Git git = Git.open(bare.toFile())) {
            var repo = git.getRepository();
            try (TreeWalk tree = TreeWalk.forPath(
                    repo,
                    path,
                    repo.parseCommit(repo.resolve("refs/heads/main")).getTree())) {
                return new String(repo.open(tree.getObjectId(0)).getBytes(), java.nio.charset.StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A note unit under the next grant: fencing tokens increase in the order the units are made, as grants do. */
    private NoteUnit note(String id) {
        return new NoteUnit(Jobs.note(id, "alice", "text of " + id, "Note " + id, null), ++fences);
    }

    private static PublishCycle cycle() {
        return new PublishCycle(new PushRetry(5, Duration.ofMillis(10)), PhaseListener.NONE, d -> {});
    }

    /** Writes one file and reports it, or (crash) writes part of it and throws, like an applier dying mid-write. */
    private record WriteUnit(String id, String path, String content, boolean crash) implements WorkUnit {
        @Override
        public Author author() {
            return new Author("bob", "bob@users.kbsync");
        }

        @Override
        public Map<String, String> trailers() {
            return Map.of();
        }

        @Override
        public ApplyResult apply(Path workTree, CaseIndex names) {
            try {
                Files.writeString(workTree.resolve(path), content);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (crash) {
                throw new IllegalStateException("applier died mid-write");
            }
            return new ApplyResult.Changed(
                    "Add: " + path, List.of(new FileChange(path, FileChange.Change.CREATED, null)));
        }

        @Override
        public void checkBeforePush() {}
    }
}
