package dev.kbsync.worker.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kbsync.api.CredentialRef;
import dev.kbsync.api.Job;
import dev.kbsync.api.JobState;
import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import dev.kbsync.testing.RedisExtension;
import dev.kbsync.worker.credentials.CredentialSettings;
import dev.kbsync.worker.fixture.CoordinatorFixture;
import dev.kbsync.worker.fixture.GitFixture;
import dev.kbsync.worker.fixture.GitHttpServer;
import dev.kbsync.worker.fixture.WorkerFixture;
import dev.kbsync.worker.run.PhaseListener;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A KB's git host that is down for a while (every request answered 503, as a host under maintenance or a load balancer
 * without a backend) does not fail the notes accepted meanwhile: the job that holds the KB tries the remote again with
 * a growing pause until its grant's deadline, the notes behind it wait in the queue, and all land exactly once when
 * the host is back. A host down for longer than every attempt's hold fails the job with {@code REMOTE_UNAVAILABLE},
 * naming what the remote answered.
 */
class RemoteOutageIT {
    private static final String TOKEN = "outage-token-0123456789";

    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    @TempDir
    Path tmp;

    private Vertx vertx;
    private CoordinatorFixture coordinator;
    private WorkerProcess worker;
    private GitHttpServer git;
    private Path bare;

    @AfterEach
    void tearDown() {
        if (worker != null) {
            worker.stop();
        }
        if (coordinator != null) {
            coordinator.close();
        }
        if (git != null) {
            git.close();
        }
        CoordinatorFixture.await(vertx.close());
    }

    @Test
    void shouldWaitOutAShortOutageOfTheRemoteAndLandEveryNoteOnce() throws Exception {
        // a 6 s lease: on a loaded machine a 2 s one lapsed during a slow push, and the job ran twice (landed once)
        start(Map.of(), Duration.ofSeconds(30), Duration.ofSeconds(6));
        coordinator.assertDone(note("before the outage"));

        git.outage(503);
        List<String> notes = List.of(note("during the outage 1"), note("during the outage 2"), note("during 3"));
        await().atMost(Duration.ofSeconds(20)).until(() -> git.outageAnswers() >= 1);
        Thread.sleep(5_000); // longer than a push's retries (about 1.3 s)
        for (String id : notes) {
            assertThat(coordinator.jobState(id))
                    .as("job %s while the remote is down: %s", id, coordinator.job(id))
                    .isIn("queued", "running");
        }

        git.endOutage();
        notes.forEach(coordinator::assertDone);
        for (String id : notes) {
            assertThat(GitFixture.commitsForJob(bare, id)).as(id).isEqualTo(1);
            assertThat(coordinator.job(id).attempts()).as(id).isEqualTo(1);
        }
        System.out.println("requests answered 503 during the outage: " + git.outageAnswers());
    }

    @Test
    void shouldFailWithRemoteUnavailableOnceEveryAttemptWaitedUntilItsDeadline() throws Exception {
        start(Map.of("KBSYNC_LEASE_MAX_HOLD_SECONDS", "4", "KBSYNC_JOBS_MAX_ATTEMPTS", "2"));
        git.outage(503);

        String id = note("while the host is down for good");
        await().atMost(Duration.ofSeconds(40))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> !coordinator.jobState(id).matches("queued|running"));
        Job job = coordinator.job(id);
        assertThat(job.state()).as("%s", job).isEqualTo(JobState.FAILED);
        assertThat(job.error().code()).isEqualTo("REMOTE_UNAVAILABLE");
        assertThat(job.error().message()).contains("503").doesNotContain(TOKEN);
        assertThat(job.attempts())
                .as("each attempt waited until its deadline, then the job ran again")
                .isEqualTo(2);
        assertThat(Duration.between(job.startedAt(), job.finishedAt()))
                .as("the second attempt waited too")
                .isGreaterThanOrEqualTo(Duration.ofSeconds(2));

        git.endOutage();
        coordinator.assertDone(note("once the host is back"));
        assertThat(GitFixture.commitsForJob(bare, id)).isZero();
    }

    /**
     * While the job waits, {@code GET /v1/jobs/{id}} says so: its {@code doing} names the remote (masked), since when it
     * fails, how many tries and when the next one comes. With a TTL of 30 s the periodic heartbeats are 10 s apart: the
     * wait is told at once in a heartbeat of its own. Once the host is back the note lands, and a finished job says
     * nothing of its worker.
     */
    @Test
    void shouldShowOnTheRunningJobThatItWaitsForItsRemoteAndLandTheNoteOnceTheHostIsBack() throws Exception {
        start(Map.of(), Duration.ofSeconds(30), Duration.ofSeconds(30));
        coordinator.assertDone(note("before the outage"));
        git.outage(503);
        String id = note("while the host is down");
        await().atMost(Duration.ofSeconds(20)).until(() -> git.outageAnswers() >= 1);
        long firstFailure = System.nanoTime();

        await().atMost(Duration.ofSeconds(3))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> coordinator.job(id).doing() != null
                        && coordinator.job(id).doing().startsWith("waiting for"));
        long shownAfter = Duration.ofNanos(System.nanoTime() - firstFailure).toMillis();
        Job waiting = coordinator.job(id);
        assertThat(waiting.state()).isEqualTo(JobState.RUNNING);
        assertThat(waiting.doing())
                .matches("waiting for " + Pattern.quote(git.url("team.git"))
                        + " to answer: unreachable since \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ,"
                        + " \\d+ tr(y|ies), next in \\d+ s")
                .doesNotContain(TOKEN);
        System.out.println("the wait showed on GET job " + shownAfter + " ms after the first 503: " + waiting.doing());

        git.endOutage();
        coordinator.assertDone(id);
        assertThat(GitFixture.commitsForJob(bare, id)).isEqualTo(1);
        assertThat(coordinator.job(id).doing()).isNull();
    }

    /**
     * A worker that stops while its job waits for the remote gives the job up once its shutdown grace is over: the job
     * goes back to the queue (not failed WORKER_SHUTDOWN), and another worker lands it once the host is back.
     */
    @Test
    void shouldQueueAgainAJobThatWaitsForTheRemoteWhenItsWorkerStops() throws Exception {
        start(Map.of(), Duration.ofSeconds(4));
        git.outage(503);
        String id = note("while its worker stops");
        await().atMost(Duration.ofSeconds(20)).until(() -> git.outageAnswers() >= 1);

        worker.stop(); // returns once the grace is over and the waiting job gave up
        worker = null;

        Job job = coordinator.job(id);
        assertThat(job.state()).as("%s", job).isEqualTo(JobState.QUEUED);
        git.endOutage();
        worker = startWorker("w2", Duration.ofSeconds(30));
        coordinator.assertDone(id);
        assertThat(GitFixture.commitsForJob(bare, id)).isEqualTo(1);
    }

    private void start(Map<String, String> coordinatorSettings) throws Exception {
        start(coordinatorSettings, Duration.ofSeconds(30));
    }

    /** {@code grace}: the worker's shutdown grace. */
    private void start(Map<String, String> coordinatorSettings, Duration grace) throws Exception {
        start(coordinatorSettings, grace, Duration.ofSeconds(2));
    }

    /** {@code leaseTtl}: the coordinator's lease TTL (heartbeats go every third of it). */
    private void start(Map<String, String> coordinatorSettings, Duration grace, Duration leaseTtl) throws Exception {
        vertx = Vertx.vertx();
        Path remotes = Files.createDirectories(tmp.resolve("remotes"));
        bare = remotes.resolve("team.git");
        GitFixture.bareRemote(bare);
        git = new GitHttpServer(remotes, TOKEN::equals);
        Files.writeString(tmp.resolve("worker.env"), "KB_TEAM_TOKEN=" + TOKEN + "\n");
        coordinator = CoordinatorFixture.start(vertx, redis, leaseTtl, Map.of(), coordinatorSettings);
        KbConfig team = new KbConfig(KbId.of("team"), git.url("team.git"), "main")
                .withCredentials(new CredentialRef.Env("KB_TEAM_TOKEN", null));
        coordinator.register(team);
        worker = startWorker("w1", grace);
    }

    private WorkerProcess startWorker(String id, Duration grace) {
        return WorkerFixture.start(
                vertx,
                WorkerFixture.withCredentials(
                        WorkerFixture.config(
                                coordinator.url(), id, tmp.resolve("cache-" + id), 1, Optional.empty(), grace),
                        new CredentialSettings(
                                Optional.of(tmp.resolve("worker.env")), List.of(), "KB_", Optional.empty())),
                PhaseListener.NONE);
    }

    private String note(String text) {
        return coordinator.submitNote("team", "ada", text, text).id();
    }
}
