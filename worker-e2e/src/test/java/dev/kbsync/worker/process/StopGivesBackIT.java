package dev.kbsync.worker.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kbsync.api.Job;
import dev.kbsync.api.JobState;
import dev.kbsync.api.Worker;
import dev.kbsync.stop.StopOutcome;
import dev.kbsync.testing.FaultProxy;
import dev.kbsync.testing.RedisExtension;
import dev.kbsync.worker.fixture.CoordinatorFixture;
import dev.kbsync.worker.fixture.GitFixture;
import dev.kbsync.worker.fixture.WorkerFixture;
import dev.kbsync.worker.run.PhaseListener;
import io.vertx.core.Vertx;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stopping worker whose poll was already in flight when the stop began, and then brings a job, gives it back instead
 * of running it: the job is not failed {@code WORKER_SHUTDOWN} untried (after the grace) nor started by a worker on its
 * way out (within it), its attempt is returned, and another worker lands it. The coordinator ends a draining worker's
 * polls at once, so the poll stays in flight here only because the worker's drain never reaches it (a proxy drops it:
 * a coordinator of a version before that, or another coordinator than the poll's); an idle worker whose drain does
 * reach it stops at once, whatever its {@code poll.wait}.
 */
class StopGivesBackIT {
    /**
     * The longest a poll may wait: the poll in flight when the stop begins (it began when the worker was seen polling,
     * which a loaded machine may take seconds to tell) must not end by its own wait within the stop's 12 s bound.
     */
    private static final Duration POLL_WAIT = Duration.ofSeconds(30);
    /** What a draining worker's presence says (compact JSON). */
    private static final String DRAINING = "\"draining\":true";

    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    @TempDir
    Path tmp;

    @Test
    void shouldGiveBackAJobItsInFlightPollBroughtAfterTheGraceWasOver() throws Exception {
        // the last quarter of the grace, the whole stop's bound: running jobs are being stopped, the poll still waits
        // (9-12 s: a 2.5 s window for the submit, which a loaded machine's sleep may overshoot by a second)
        shouldGiveBackAJobItsInFlightPollBrought("after", Duration.ofSeconds(12), Duration.ofMillis(9500));
    }

    @Test
    void shouldGiveBackAJobItsInFlightPollBroughtWithinTheGrace() throws Exception {
        shouldGiveBackAJobItsInFlightPollBrought("within", Duration.ofSeconds(30), Duration.ofMillis(500));
    }

    /** A note submitted {@code submitAfter} the stop of a worker with {@code grace} began, its poll in flight. */
    private void shouldGiveBackAJobItsInFlightPollBrought(String kb, Duration grace, Duration submitAfter)
            throws Exception {
        Vertx vertx = Vertx.vertx();
        Path bare = tmp.resolve(kb + ".git");
        String remote = GitFixture.bareRemote(bare);
        WorkerProcess next = null;
        try (CoordinatorFixture coordinator =
                        CoordinatorFixture.start(vertx, redis, Duration.ofSeconds(15), Map.of(kb, remote));
                FaultProxy deaf = FaultProxy.to(coordinator.url().getPort())) {
            deaf.dropChunksWith(DRAINING);
            WorkerProcess leaving = WorkerFixture.start(
                    vertx,
                    WorkerFixture.withPollWait(
                            WorkerFixture.config(
                                    URI.create("http://127.0.0.1:" + deaf.port()),
                                    kb + "-leaving",
                                    tmp.resolve("cache-leaving"),
                                    1,
                                    Optional.empty(),
                                    grace),
                            POLL_WAIT),
                    PhaseListener.NONE);
            awaitPolling(coordinator, kb + "-leaving");

            CompletableFuture<Void> stopped = CompletableFuture.runAsync(leaving::stop);
            Thread.sleep(submitAfter.toMillis());
            assertThat(stopped).as("the stop waits for the poll in flight").isNotDone();
            String id = coordinator
                    .submitNote(kb, "ann", "sent while a worker stops", "Late")
                    .id();
            stopped.get(60, TimeUnit.SECONDS);

            Job left = coordinator.job(id);
            assertThat(left.error())
                    .as("never tried, so not failed: %s", left.error())
                    .isNull();
            assertThat(left.state())
                    .as("given back by the stopping worker, not run by it")
                    .isEqualTo(JobState.QUEUED);
            assertThat(left.attempts())
                    .as("the attempt the stopping worker never made is returned")
                    .isZero();
            assertThat(GitFixture.commitsForJob(bare, id)).isZero();

            next = WorkerFixture.start(
                    vertx,
                    WorkerFixture.config(
                            coordinator.url(), kb + "-next", tmp.resolve("cache-next"), 1, Optional.empty()),
                    PhaseListener.NONE);
            coordinator.awaitDone(List.of(id));
            assertThat(coordinator.job(id).attempts()).isEqualTo(1);
            assertThat(GitFixture.commitsForJob(bare, id)).isEqualTo(1);
        } finally {
            if (next != null) {
                next.stop();
            }
            CoordinatorFixture.await(vertx.close());
        }
    }

    @Test
    void shouldStopAnIdleWorkerAtOnceAsItsCoordinatorEndsThePollInFlight() throws Exception {
        Vertx vertx = Vertx.vertx();
        try (CoordinatorFixture coordinator = CoordinatorFixture.start(
                vertx, redis, Duration.ofSeconds(15), Map.of("idle", GitFixture.bareRemote(tmp.resolve("idle.git"))))) {
            WorkerProcess idle = WorkerFixture.start(
                    vertx,
                    WorkerFixture.withPollWait(
                            WorkerFixture.config(
                                    coordinator.url(),
                                    "idle",
                                    tmp.resolve("cache-idle"),
                                    2,
                                    Optional.empty(),
                                    Duration.ofSeconds(30)),
                            POLL_WAIT),
                    PhaseListener.NONE);
            awaitPolling(coordinator, "idle", 2);

            long began = System.nanoTime();
            StopOutcome outcome = idle.stop();
            Duration took = Duration.ofNanos(System.nanoTime() - began);

            assertThat(outcome).isInstanceOf(StopOutcome.Stopped.class);
            assertThat(idle.stop())
                    .as("a later stop answers the first one's outcome")
                    .isEqualTo(outcome);
            assertThat(took)
                    .as("its polls (poll.wait %s) ended by its drain, not waited out", POLL_WAIT)
                    .isLessThan(Duration.ofSeconds(5));
        } finally {
            CoordinatorFixture.await(vertx.close());
        }
    }

    private static void awaitPolling(CoordinatorFixture coordinator, String workerId) {
        awaitPolling(coordinator, workerId, 1);
    }

    /** Waits until the worker's presence says its slots poll for work (its polls are in flight). */
    private static void awaitPolling(CoordinatorFixture coordinator, String workerId, int slots) {
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> coordinator.client().workers().workers().stream()
                        .filter(w -> w.id().equals(workerId))
                        .map(Worker::presence)
                        .anyMatch(p -> p.idleSlots() == slots));
        try {
            Thread.sleep(300); // the presence rides on the poll: let the poll itself reach its wait
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
