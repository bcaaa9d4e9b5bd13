package dev.kbsync.worker.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kbsync.api.Job;
import dev.kbsync.stop.StopDeadline;
import dev.kbsync.stop.StopOutcome;
import dev.kbsync.testing.ChildJvm;
import dev.kbsync.testing.RedisExtension;
import dev.kbsync.worker.fixture.CoordinatorFixture;
import dev.kbsync.worker.fixture.GitFixture;
import dev.kbsync.worker.fixture.WorkerFixture;
import dev.kbsync.worker.run.PhaseListener;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job waiting for its KB's local lock, held by another process, and what ends that wait early: the worker's stop
 * (the job is given back unrun) and a lost lease (the slot is free for other KBs at once, not at the grant's deadline).
 * Each test has KBs of its own, and leaves no job queued: the Redis is the class's.
 */
class LockWaitStopIT {
    private static final Duration GRACE = Duration.ofSeconds(10);

    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    @TempDir
    Path tmp;

    private Vertx vertx;
    private Process holder;

    @BeforeEach
    void setUp() {
        vertx = Vertx.vertx();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (holder != null) {
            holder.destroyForcibly().waitFor();
        }
        CoordinatorFixture.await(vertx.close());
    }

    @Test
    void shouldGiveTheJobBackWhenTheWorkerStopsWhileItWaitsForTheLocalLock() throws Exception {
        try (CoordinatorFixture coordinator = CoordinatorFixture.start(
                vertx,
                redis,
                Duration.ofSeconds(2),
                Map.of("stopping", GitFixture.bareRemote(tmp.resolve("stopping.git"))),
                Map.of("KBSYNC_LEASE_MAX_HOLD_SECONDS", "120"))) {
            WorkerProcess worker = startBehindAHeldLock(coordinator, "stopping");
            Job job = coordinator.submitNote("stopping", "alice", "behind a held lock", "Blocked");
            awaitWaitingForTheLock(coordinator, job);

            StopOutcome outcome = worker.stop(StopDeadline.after(GRACE));

            assertThat(outcome).isInstanceOf(StopOutcome.Stopped.class);
            Job after = coordinator.job(job.id());
            assertThat(after.state().wire()).isEqualTo("queued");
            assertThat(after.attempts()).as("attempts: given back, not counted").isZero();
            coordinator.client().cancel(job.id()); // not left queued for the next test's worker
        }
    }

    @Test
    void shouldFreeTheSlotAtOnceWhenTheLeaseOfAJobWaitingForTheLocalLockIsLost() throws Exception {
        try (CoordinatorFixture coordinator = CoordinatorFixture.start(
                vertx,
                redis,
                // a 6 s lease: the slot learns of the loss within a heartbeat period (2 s); should the other KB's
                // grant lapse unclaimed meanwhile, its job keeps its place before the blocked job's new grant
                // (ReadyOrderIT), which would take the slot back to the held lock
                Duration.ofSeconds(6),
                Map.of(
                        "blocked", GitFixture.bareRemote(tmp.resolve("blocked.git")),
                        "other", GitFixture.bareRemote(tmp.resolve("other.git"))),
                Map.of("KBSYNC_LEASE_MAX_HOLD_SECONDS", "60"))) {
            WorkerProcess worker = startBehindAHeldLock(coordinator, "blocked");
            try {
                Job blocked = coordinator.submitNote("blocked", "alice", "behind a held lock", "Blocked");
                awaitWaitingForTheLock(coordinator, blocked);
                // queued before the blocked job comes back (a force-release queues it again at once): next in line
                Job other = coordinator.submitNote("other", "bob", "another KB", "Other");

                coordinator.forceRelease("blocked");

                await().atMost(Duration.ofSeconds(20))
                        .alias("the other KB's note lands once the slot stops waiting (not at the 60 s deadline)")
                        .until(() -> coordinator.jobState(other.id()).equals("done"));
            } finally {
                holder.destroyForcibly().waitFor();
                worker.stop();
            }
        }
    }

    /** A worker with one slot, and another process that holds the local lock of {@code kb} in its cache until the test ends. */
    private WorkerProcess startBehindAHeldLock(CoordinatorFixture coordinator, String kb) throws Exception {
        Path cache = tmp.resolve("cache");
        Path held = tmp.resolve("held.log");
        holder = new ProcessBuilder(ChildJvm.command(
                        List.of(),
                        "dev.kbsync.lock.LockContenderMain",
                        List.of(Files.createDirectories(cache.resolve(kb)).toString(), held.toString(), "0", "0")))
                .redirectErrorStream(true)
                .redirectOutput(tmp.resolve("holder.out").toFile())
                .start();
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(held));
        return WorkerFixture.start(
                vertx,
                WorkerFixture.config(coordinator.url(), "w1", cache, 1, Optional.empty(), GRACE),
                PhaseListener.NONE);
    }

    /** The job runs, and its worker said (in a heartbeat) that it waits for the KB's local lock. */
    private static void awaitWaitingForTheLock(CoordinatorFixture coordinator, Job job) {
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            Job now = coordinator.job(job.id());
            return now.state().wire().equals("running")
                    && now.doing() != null
                    && now.doing().contains("local lock");
        });
    }
}
