package dev.kbsync.worker.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kbsync.testing.RedisExtension;
import dev.kbsync.worker.fixture.CoordinatorFixture;
import dev.kbsync.worker.fixture.GitFixture;
import dev.kbsync.worker.fixture.WorkerFixture;
import dev.kbsync.worker.run.Phase;
import dev.kbsync.worker.run.PhaseListener;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A worker JVM stopped in each phase of a job. kill -9: the lease expires, the job runs again on another worker that
 * reuses the dead worker's cache dir (the checkout the crash left behind), and the remote ends with exactly one commit
 * for the job. SIGTERM while the batch holds its index lock: the worker finishes the job within its grace period,
 * reports it {@code done} with the commit it pushed, and exits (JGit releases every lock file it holds when the JVM
 * shuts down, so a worker that went on draining inside the JVM's shutdown lost its index lock mid-cycle and reported a
 * pushed note as failed).
 */
class CrashSafetyIT {
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    @TempDir
    Path tmp;

    private Vertx vertx;
    private Process child;

    @BeforeEach
    void setUp() {
        vertx = Vertx.vertx();
    }

    @AfterEach
    void tearDown() {
        if (child != null) {
            child.destroyForcibly();
        }
        CoordinatorFixture.await(vertx.close());
    }

    @ParameterizedTest
    @EnumSource(
            value = Phase.class,
            names = {"PULLED", "APPLIED", "COMMITTED", "PUSHED"})
    void shouldLeaveExactlyOneCommitWhenAWorkerIsKilledInAnyPhase(Phase phase) throws Exception {
        String kb = "crash-" + phase.name().toLowerCase();
        Path bare = tmp.resolve(kb + ".git");
        try (CoordinatorFixture coordinator = CoordinatorFixture.start(
                vertx, redis, Duration.ofSeconds(2), Map.of(kb, GitFixture.bareRemote(bare)))) {
            Path marker = tmp.resolve("marker");
            Path cache = tmp.resolve("cache");
            child = CrashingWorkerMain.spawn(coordinator, phase, marker, cache, Map.of());
            String id = coordinator
                    .submitNote(kb, "alice", "survives kill -9", "Crash " + phase)
                    .id();

            await().atMost(Duration.ofSeconds(90)).until(() -> Files.exists(marker));
            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            WorkerProcess survivor = WorkerFixture.start(
                    vertx,
                    WorkerFixture.config(coordinator.url(), "survivor", cache, 1, Optional.empty()),
                    PhaseListener.NONE);
            try {
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> coordinator.jobState(id).equals("done"));
            } finally {
                survivor.stop();
            }

            assertThat(GitFixture.commitsForJob(bare, id)).isEqualTo(1);
            assertThat(coordinator.job(id).commit())
                    .isEqualTo(GitFixture.history(bare).get(0).name());
            assertThat(GitFixture.history(bare)).allMatch(c -> c.getParentCount() <= 1);
        }
    }

    @ParameterizedTest
    @EnumSource(
            value = Phase.class,
            names = {"COMMITTED", "PUSHED"}) // the batch's index lock is held from the first note to after the push
    void shouldFinishAndReportTheRunningJobWhenStoppedWithSigterm(Phase phase) throws Exception {
        String kb = "stop-" + phase.name().toLowerCase();
        Path bare = tmp.resolve(kb + ".git");
        try (CoordinatorFixture coordinator = CoordinatorFixture.start(
                vertx, redis, Duration.ofSeconds(5), Map.of(kb, GitFixture.bareRemote(bare)))) {
            Path marker = tmp.resolve("marker");
            child = CrashingWorkerMain.spawn(
                    coordinator,
                    phase,
                    marker,
                    tmp.resolve("cache"),
                    Map.of("PAUSE_MILLIS", "1000", "KBSYNC_SHUTDOWN_GRACE", "30s"));
            String id = coordinator
                    .submitNote(kb, "alice", "lands once, reported done", "Stop " + phase)
                    .id();

            await().atMost(Duration.ofSeconds(90)).until(() -> Files.exists(marker));
            child.destroy(); // SIGTERM

            assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(coordinator.jobState(id)).isEqualTo("done");
            assertThat(GitFixture.commitsForJob(bare, id)).isEqualTo(1);
            assertThat(coordinator.job(id).commit())
                    .isEqualTo(GitFixture.history(bare).get(0).name());
        }
    }
}
