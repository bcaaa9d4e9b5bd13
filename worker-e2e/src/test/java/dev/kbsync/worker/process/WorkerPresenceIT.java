package dev.kbsync.worker.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kbsync.api.Job;
import dev.kbsync.api.JobState;
import dev.kbsync.api.KbId;
import dev.kbsync.api.Version;
import dev.kbsync.api.Worker;
import dev.kbsync.api.WorkerPresence;
import dev.kbsync.testing.RedisExtension;
import dev.kbsync.worker.fixture.CoordinatorFixture;
import dev.kbsync.worker.fixture.GitFixture;
import dev.kbsync.worker.fixture.WorkerFixture;
import dev.kbsync.worker.run.Phase;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real worker process against a real coordinator: its presence shows up (slots, host, version), shows the job a
 * slot runs, then the checkout it left at the job's commit, and goes when the worker stops.
 */
class WorkerPresenceIT {
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
    void shouldShowItsSlotsItsRunningJobItsCheckoutsAndThenBeGone() throws Exception {
        coordinator = CoordinatorFixture.start(
                vertx, redis, Duration.ofSeconds(1), Map.of("team", GitFixture.bareRemote(tmp.resolve("team.git"))));
        CountDownLatch applied = new CountDownLatch(1);
        CountDownLatch proceed = new CountDownLatch(1);
        worker = WorkerFixture.start(
                vertx,
                WorkerFixture.config(coordinator.url(), "w-presence", tmp.resolve("cache"), 2, Optional.empty()),
                (phase, id) -> {
                    if (phase == Phase.APPLIED) {
                        applied.countDown();
                        hold(proceed);
                    }
                });

        WorkerPresence idle = awaitWorker(w -> w.presence().idleSlots() == 2).presence();
        assertThat(idle.slots()).isEqualTo(2);
        assertThat(idle.version()).isEqualTo(Version.current()).doesNotContain("$");
        assertThat(idle.host()).isEqualTo(Presence.hostName());
        assertThat(idle.running()).isEmpty();

        Job job = coordinator.submitNote("team", "alice", "hello", "Hello");
        assertThat(applied.await(20, TimeUnit.SECONDS)).isTrue();
        WorkerPresence busy =
                awaitWorker(w -> !w.presence().running().isEmpty()).presence();
        assertThat(busy.running()).singleElement().satisfies(r -> {
            assertThat(r.kb()).isEqualTo(KbId.of("team"));
            assertThat(r.jobId()).isEqualTo(job.id());
        });
        assertThat(busy.idleSlots()).as("the other slot polls").isEqualTo(1);

        proceed.countDown();
        Job done = coordinator.client().awaitJob(job.id(), Duration.ofSeconds(20));
        assertThat(done.state()).isEqualTo(JobState.DONE);
        WorkerPresence after =
                awaitWorker(w -> !w.presence().checkouts().isEmpty()).presence();
        assertThat(after.checkouts()).singleElement().satisfies(c -> {
            assertThat(c.kb()).isEqualTo(KbId.of("team"));
            assertThat(c.commit()).isEqualTo(done.commit());
        });
        assertThat(after.running()).isEmpty();

        worker.stop();
        worker = null;
        long stopped = System.nanoTime();
        Worker gone = awaitWorker(w -> w.state() == Worker.State.GONE);
        assertThat(gone.presence().draining())
                .as("its last report said it was stopping")
                .isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - stopped)).isLessThan(Duration.ofSeconds(3));
    }

    private Worker awaitWorker(Predicate<Worker> condition) {
        Worker[] found = new Worker[1];
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    found[0] = coordinator.client().workers().workers().stream()
                            .filter(w -> w.id().equals("w-presence"))
                            .findFirst()
                            .orElse(null);
                    return found[0] != null && condition.test(found[0]);
                });
        return found[0];
    }

    private static void hold(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
