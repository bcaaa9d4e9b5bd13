package dev.kbsync.worker.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kbsync.api.Job;
import dev.kbsync.api.JobState;
import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseRequest;
import dev.kbsync.api.NoteRequest;
import dev.kbsync.api.client.KbsyncClient;
import dev.kbsync.testing.RedisExtension;
import dev.kbsync.worker.fixture.CoordinatorFixture;
import dev.kbsync.worker.fixture.GitFixture;
import dev.kbsync.worker.fixture.WorkerFixture;
import dev.kbsync.worker.run.Phase;
import dev.kbsync.worker.run.PhaseListener;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A note lands once, or fails saying why; it is never lost while its job reads done, nor written twice.
 * <ul>
 *   <li>A job can read failed although its commit landed: its push went through, and its grant ended on its last
 *       attempt before its report arrived (a worker killed or stalled between the two, a push whose answer was
 *       lost). Its retry must not write the note a second time: it finds the failed job's commit by its
 *       {@code Kbsync-Job} trailer, as a job finds its own, and is done with it.
 *   <li>A note to a path the KB's {@code .gitignore} excludes is written to the checkout but git does not stage it: it
 *       must fail with a clear error (nothing committed, the checkout left clean), never read done without its
 *       commit.
 * </ul>
 */
class NoteOnceIT {
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    @TempDir
    Path tmp;

    private final Vertx vertx = Vertx.vertx();
    private CoordinatorFixture coordinator;
    private WorkerProcess worker;

    @AfterEach
    void tearDown() {
        if (worker != null) {
            worker.stop();
        }
        if (coordinator != null) {
            coordinator.close();
        }
        CoordinatorFixture.await(vertx.close());
    }

    @Test
    void shouldFinishARetryWithTheCommitOfTheFailedJobItRetriesWhenThatOneLanded() {
        Path bare = tmp.resolve("kb.git");
        Job first = landedButFailed(bare);
        RevCommit landed = GitFixture.history(bare).get(0);

        Job retry = coordinator.client().retry(first.id());
        coordinator.awaitDone(List.of(retry.id()));

        assertThat(coordinator.job(retry.id()).commit()).isEqualTo(landed.name());
        assertThat(GitFixture.history(bare))
                .extracting(RevCommit::getShortMessage)
                .containsExactly("Add: Once", "Initial commit");
    }

    /**
     * A retry that ended without running (cancelled while it waited behind another holder of the KB) is retried in
     * turn (retrying the landed job again answers the first retry): the retry of the retry finds the commit of the job
     * at the chain's start, not only its direct parent's, and does not write the note again.
     */
    @Test
    void shouldFinishARetryOfARetryThatNeverRanWithTheCommitOfTheJobTheChainStartsFrom() {
        Path bare = tmp.resolve("kb.git");
        Job first = landedButFailed(bare);
        RevCommit landed = GitFixture.history(bare).get(0);
        KbsyncClient client = coordinator.client();
        Lease held = client.requestLease(KbId.of("kb"), LeaseRequest.of("other"));
        client.awaitGrant(held.id(), Duration.ofSeconds(30), ahead -> {});

        Job retry = client.retry(first.id());
        assertThat(client.cancel(retry.id()).state()).isEqualTo(JobState.CANCELLED);
        assertThat(client.retry(first.id()).id())
                .as("the landed job's retry, again")
                .isEqualTo(retry.id());
        Job retryOfRetry = client.retry(retry.id());
        assertThat(retryOfRetry.retryOf()).isEqualTo(retry.id());
        client.release(held.id());
        coordinator.awaitDone(List.of(retryOfRetry.id()));

        assertThat(coordinator.job(retryOfRetry.id()).commit()).isEqualTo(landed.name());
        assertThat(GitFixture.commitsForJob(bare, first.id())).isEqualTo(1);
        assertThat(GitFixture.history(bare))
                .extracting(RevCommit::getShortMessage)
                .containsExactly("Add: Once", "Initial commit");
    }

    /**
     * Starts a coordinator (one attempt per job, grants held at most 5 s) and a worker that stalls after its first
     * push until the job reads failed; submits a note and waits for it to fail with its commit on {@code bare}.
     */
    private Job landedButFailed(Path bare) {
        coordinator = CoordinatorFixture.start(
                vertx,
                redis,
                Duration.ofSeconds(1),
                Map.of("kb", GitFixture.bareRemote(bare)),
                // 5 s: the worker's clone, write and commit must end before the deadline's margin (a loaded full
                // run took 1.5 s to commit, and a 2 s hold stopped the job before its push)
                Map.of("KBSYNC_JOBS_MAX_ATTEMPTS", "1", "KBSYNC_LEASE_MAX_HOLD_SECONDS", "5"));
        AtomicBoolean stalled = new AtomicBoolean();
        worker = WorkerFixture.start(
                vertx,
                WorkerFixture.config(coordinator.url(), "w1", tmp.resolve("cache-w1"), 1, Optional.empty()),
                (phase, id) -> {
                    if (phase == Phase.PUSHED && stalled.compareAndSet(false, true)) {
                        // pushed, not reported yet: the grant's maximum hold ends it on the job's only attempt
                        await().atMost(Duration.ofSeconds(30))
                                .until(() -> coordinator.jobState(id).equals("failed"));
                    }
                });

        Job first = coordinator.submitNote("kb", "alice", "written once", "Once");
        await().atMost(Duration.ofSeconds(30))
                .until(() -> coordinator.job(first.id()).state() == JobState.FAILED);
        assertThat(GitFixture.commitsForJob(bare, first.id()))
                .as("the failed job's commit")
                .isEqualTo(1);
        return first;
    }

    @Test
    void shouldFailANoteToAnIgnoredPathAndLandTheNextOne() {
        Path bare = tmp.resolve("kb.git");
        String remote = GitFixture.bareRemote(bare);
        GitFixture.pushDirectly(remote, tmp.resolve("scratch"), ".gitignore", "drafts/\n*.tmp\n!notes/kept.tmp\n");
        coordinator = CoordinatorFixture.start(vertx, redis, Duration.ofSeconds(10), Map.of("kb", remote));
        worker = WorkerFixture.start(
                vertx,
                WorkerFixture.config(coordinator.url(), "w1", tmp.resolve("cache-w1"), 1, Optional.empty()),
                PhaseListener.NONE);
        int before = GitFixture.history(bare).size();

        Job ignored = coordinator
                .client()
                .submitNote(KbId.of("kb"), new NoteRequest("alice", "a draft", "Draft", "drafts/plan.md", null));
        Job ignoredByName = coordinator
                .client()
                .submitNote(KbId.of("kb"), new NoteRequest("alice", "scratch", "Scratch", "notes/x.tmp", null));
        Job unignored = coordinator
                .client()
                .submitNote(KbId.of("kb"), new NoteRequest("alice", "kept", "Unignored", "notes/kept.tmp", null));
        Job kept = coordinator.submitNote("kb", "alice", "kept", "Kept");

        await().atMost(Duration.ofSeconds(30))
                .until(() -> coordinator.job(ignored.id()).state().terminal()
                        && coordinator.job(ignoredByName.id()).state().terminal()
                        && coordinator.job(unignored.id()).state().terminal()
                        && coordinator.job(kept.id()).state().terminal());
        for (Job job : List.of(ignored, ignoredByName)) {
            Job ended = coordinator.job(job.id());
            assertThat(ended.state()).as(job.id()).isEqualTo(JobState.FAILED);
            assertThat(ended.error().code()).isEqualTo("INVALID_PATH");
            assertThat(ended.error().message()).contains(".gitignore");
        }
        assertThat(coordinator.job(unignored.id()).state())
                .as("a path a ! rule takes back")
                .isEqualTo(JobState.DONE);
        assertThat(coordinator.job(kept.id()).state()).isEqualTo(JobState.DONE);
        assertThat(GitFixture.history(bare))
                .hasSize(before + 2)
                .extracting(RevCommit::getShortMessage)
                .contains("Add: Kept", "Add: Unignored");
    }
}
