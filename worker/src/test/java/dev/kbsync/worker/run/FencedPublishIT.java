package dev.kbsync.worker.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.git.GitAuth;
import dev.kbsync.git.GitCredentials;
import dev.kbsync.git.KbRepository;
import dev.kbsync.git.TrailerBound;
import dev.kbsync.worker.fixture.GitFixture;
import dev.kbsync.worker.fixture.GitHttpServer;
import dev.kbsync.worker.fixture.Jobs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The publish cycle's edges: fencing refusal, the fence-bounded exactly-once search, a push whose reply was lost. */
class FencedPublishIT {
    @TempDir
    Path tmp;

    private Path bare;
    private String remote;
    private KbCheckout checkout;

    @BeforeEach
    void setUp() {
        bare = tmp.resolve("remotes/team.git");
        remote = GitFixture.bareRemote(bare);
        checkout = new KbCheckout(remote, "main", tmp.resolve("cache/team/work"), GitAuth.NONE);
    }

    @AfterEach
    void tearDown() {
        checkout.close();
    }

    @Test
    void shouldWriteTheFenceAndItsKbIntoEveryCommit() {
        cycle(0).run(checkout, note("job-1", 7));

        assertThat(GitFixture.trailers(GitFixture.history(bare).get(0)))
                .containsEntry("Kbsync-Fence", "7")
                .containsEntry("Kbsync-Kb", "team");
    }

    @Test
    void shouldRefuseToPublishOnABranchFencedByALaterGrant() {
        GitFixture.pushCommits(remote, tmp.resolve("w"), "x.md", 1, i -> Map.of("Kbsync-Fence", "20"));

        Outcome outcome = cycle(0).run(checkout, note("job-2", 7));

        assertThat(outcome).isInstanceOf(Outcome.Failed.class);
        assertThat(((Outcome.Failed) outcome).error().code()).isEqualTo("STALE_FENCE");
        assertThat(GitFixture.commitsForJob(bare, "job-2")).isZero();
    }

    @Test
    void shouldRefuseAJobWhoseOwnTokenIsAlreadyOnTheBranch() {
        cycle(0).run(checkout, note("job-3", 7));

        Outcome outcome = cycle(0).run(checkout, note("job-4", 7));

        assertThat(((Outcome.Failed) outcome).error().code()).isEqualTo("STALE_FENCE");
        assertThat(GitFixture.commitsForJob(bare, "job-4")).isZero();
    }

    @Test
    void shouldLookPastFencesOfAnotherKbAndUnfencedCommits() {
        cycle(0).run(checkout, note("job-5", 7));
        GitFixture.pushCommits(
                remote,
                tmp.resolve("w"),
                "x.md",
                2,
                i -> i == 0 ? Map.of("Kbsync-Fence", "99", "Kbsync-Kb", "other") : Map.of());

        assertThat(cycle(0).run(checkout, note("job-6", 8))).isInstanceOf(Outcome.Published.class);
        assertThat(cycle(0).run(checkout, note("job-7", 8))).isInstanceOf(Outcome.Failed.class);
    }

    @Test
    void shouldFindAJobsCommitBehindMoreThanFiveHundredLaterCommits() {
        cycle(0).run(checkout, note("job-8", 10));
        GitFixture.pushCommits(
                remote, tmp.resolve("w"), "x.md", 600, i -> Map.of("Kbsync-Fence", Long.toString(11 + i)));

        // the job runs again under a later grant (its commit landed, but its report did not)
        Outcome again = cycle(0).run(checkout, new NoteUnit(note("job-8", 10).job(), 700, 10, () -> {}));

        assertThat(again).isInstanceOf(Outcome.AlreadyPublished.class);
        assertThat(GitFixture.commitsForJob(bare, "job-8")).isEqualTo(1);
    }

    /**
     * A job's commit behind more than {@link TrailerBound#DEFAULT_CAP} later commits of its KB (a busy KB: four
     * minutes at 40 notes/s) is still found by its retry: the fence bound, not the cap, ends the search.
     */
    @Test
    void shouldFindAJobsCommitBehindMoreThanTenThousandLaterFencedCommits() {
        cycle(0).run(checkout, note("job-15", 100));
        GitFixture.stackCommits(
                bare,
                TrailerBound.DEFAULT_CAP + 500,
                i -> Map.of("Kbsync-Job", "other-" + i, "Kbsync-Fence", Long.toString(101 + i), "Kbsync-Kb", "team"));

        // the retry runs under a later grant; its first token is the landed job's
        Outcome again = cycle(0).run(checkout, new NoteUnit(note("job-15", 100).job(), 20_000, 100, () -> {}));

        assertThat(again).isInstanceOf(Outcome.AlreadyPublished.class);
        assertThat(GitFixture.commitsForJob(bare, "job-15")).isEqualTo(1);
    }

    /**
     * With a fence bound, the cap counts only commits in a row that carry no fence of the KB (written outside kbsync,
     * or another KB's): one fenced for the KB at or above the bound starts the count again.
     */
    @Test
    void shouldGiveUpAFenceBoundSearchOnlyAfterTheCapOfCommitsInARowWithoutTheKbsFence() {
        cycle(0).run(checkout, note("job-16", 5));
        GitFixture.stackCommits(bare, 7, i -> switch (i) {
            case 3 -> Map.of("Kbsync-Fence", "6", "Kbsync-Kb", "team");
            case 5 -> Map.of("Kbsync-Fence", "99", "Kbsync-Kb", "other");
            default -> Map.of();
        });
        KbRepository repo = checkout.syncToRemote();

        assertThat(repo.findCommitsWithTrailer("Kbsync-Job", List.of("job-16"), new TrailerBound("team", 5, 3)))
                .as("two runs of three commits without the KB's fence, split by one with it")
                .containsKey("job-16");
        assertThat(repo.findCommitsWithTrailer("Kbsync-Job", List.of("job-16"), new TrailerBound("team", 5, 2)))
                .as("given up at the third commit in a row without it")
                .isEmpty();
    }

    @Test
    void shouldStopTheSearchAtTheFirstCommitFencedBelowTheFirstGrant() {
        cycle(0).run(checkout, note("job-9", 5));
        cycle(0).run(checkout, note("job-10", 6));
        KbRepository repo = checkout.syncToRemote();

        assertThat(repo.findCommitsWithTrailer("Kbsync-Job", List.of("job-9"), new TrailerBound("team", 6, 1000)))
                .isEmpty();
        assertThat(repo.findCommitsWithTrailer("Kbsync-Job", List.of("job-9"), new TrailerBound("team", 5, 1000)))
                .containsKey("job-9");
        assertThat(repo.findCommitsWithTrailer("Kbsync-Job", List.of("job-9"), TrailerBound.capped(1)))
                .isEmpty();
    }

    @Test
    void shouldReportAPushWhoseReplyWasLostAsPublishedWhenItLanded() throws Exception {
        try (GitHttpServer server = new GitHttpServer(tmp.resolve("remotes"), "pw"::equals);
                KbCheckout viaHttp = viaHttp(server)) {
            cycle(0).run(viaHttp, note("job-11", 3));
            server.dropPushReplies(true);

            Outcome outcome = cycle(0).run(viaHttp, note("job-12", 4));

            List<RevCommit> history = GitFixture.history(bare);
            assertThat(GitFixture.trailers(history.get(0))).containsEntry("Kbsync-Job", "job-12");
            assertThat(outcome).isInstanceOf(Outcome.Published.class);
            assertThat(((Outcome.Published) outcome).commit())
                    .isEqualTo(history.get(0).name());
        }
    }

    @Test
    void shouldKeepCheckingTheRemoteWhenTheSyncAfterALostPushReplyFails() throws Exception {
        try (GitHttpServer server = new GitHttpServer(tmp.resolve("remotes"), "pw"::equals);
                KbCheckout viaHttp = viaHttp(server)) {
            cycle(0).run(viaHttp, note("job-13", 3));
            server.dropPushReplies(true);
            server.failAfterDroppedPush(2); // the first check of the remote fails as well

            Outcome outcome = cycle(3).run(viaHttp, note("job-14", 4));

            List<RevCommit> history = GitFixture.history(bare);
            assertThat(GitFixture.trailers(history.get(0))).containsEntry("Kbsync-Job", "job-14");
            assertThat(outcome)
                    .as("it landed: found on the remote by the next sync that worked")
                    .isInstanceOf(Outcome.AlreadyPublished.class);
            assertThat(GitFixture.commitsForJob(bare, "job-14")).isEqualTo(1);
        }
    }

    /** A checkout of the server's {@code team.git} over HTTP. */
    private KbCheckout viaHttp(GitHttpServer server) {
        return new KbCheckout(
                server.url("team.git"),
                "main",
                tmp.resolve("cache/http/work"),
                GitAuth.fixed(new GitCredentials("kbsync", "pw")));
    }

    private static NoteUnit note(String id, long fence) {
        return new NoteUnit(Jobs.note(id, "alice", "text of " + id, "Note " + id, null), fence);
    }

    private static PublishCycle cycle(int retries) {
        return new PublishCycle(new PushRetry(retries, Duration.ofMillis(10)), PhaseListener.NONE, d -> {});
    }
}
