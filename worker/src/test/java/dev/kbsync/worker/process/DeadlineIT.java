package dev.kbsync.worker.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kbsync.api.Job;
import dev.kbsync.testing.RedisExtension;
import dev.kbsync.worker.apply.AgentCommand;
import dev.kbsync.worker.fixture.CoordinatorFixture;
import dev.kbsync.worker.fixture.GitFixture;
import dev.kbsync.worker.fixture.WorkerFixture;
import dev.kbsync.worker.run.PhaseListener;
import io.vertx.core.Vertx;
import java.io.IOException;
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
 * An agent that sleeps past the grant's maximum hold, against a real coordinator with short holds: the worker kills
 * its process tree before each deadline and pushes nothing, the job ends MAX_HOLD_EXCEEDED after its attempts, and
 * the KB's next job starts within one lease TTL.
 */
class DeadlineIT {
    private static final Duration TTL = Duration.ofSeconds(2);

    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    @TempDir
    Path tmp;

    private Vertx vertx;
    private CoordinatorFixture coordinator;
    private WorkerProcess worker;

    @BeforeEach
    void setUp() {
        vertx = Vertx.vertx();
    }

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
    void shouldKillAnAgentThatOverrunsTheMaximumHoldAndMoveOn() throws IOException {
        Path bare = tmp.resolve("team.git");
        coordinator = CoordinatorFixture.start(
                vertx,
                redis,
                TTL,
                Map.of("team", GitFixture.bareRemote(bare)),
                Map.of("KBSYNC_LEASE_MAX_HOLD_SECONDS", "4", "KBSYNC_JOBS_MAX_ATTEMPTS", "2"));
        Path pids = tmp.resolve("agent-pids");
        // the agent and a child of it both record their pids, then sleep far past the 4 s hold
        AgentCommand sleeper = new AgentCommand(
                List.of(
                        "sh",
                        "-c",
                        "echo $$ >> " + pids + "; sleep 120 & echo $! >> " + pids + "; echo busy > f.md;" + " wait"),
                Duration.ofSeconds(60));
        worker = WorkerFixture.start(
                vertx,
                WorkerFixture.config(coordinator.url(), "w1", tmp.resolve("cache"), 1, Optional.of(sleeper)),
                PhaseListener.NONE);

        Job overrun = coordinator.submitAgentTask("team", "alice", "think for two minutes");
        Job next = coordinator.submitNote("team", "bob", "after the overrun", "Next");

        await().atMost(Duration.ofSeconds(40))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> coordinator.jobState(overrun.id()).equals("failed"));
        Job failed = coordinator.job(overrun.id());
        assertThat(failed.error().code()).isEqualTo("MAX_HOLD_EXCEEDED");
        assertThat(failed.attempts()).isEqualTo(2);
        List<Long> agents = Files.readAllLines(pids).stream()
                .map(String::strip)
                .map(Long::parseLong)
                .toList();
        // an agent and its child per attempt whose agent started (a slow first checkout may leave it no time)
        assertThat(agents).isNotEmpty().hasSizeLessThanOrEqualTo(4);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> agents.stream()
                        .noneMatch(pid -> ProcessHandle.of(pid)
                                .map(ProcessHandle::isAlive)
                                .orElse(false)));
        assertThat(GitFixture.commitsForJob(bare, overrun.id())).isZero();

        await().atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> coordinator.jobState(next.id()).equals("done"));
        Job done = coordinator.job(next.id());
        Duration gap = Duration.between(failed.finishedAt(), done.startedAt());
        System.out.println("next job started " + gap.toMillis() + " ms after the overrun ended");
        assertThat(gap).isLessThanOrEqualTo(TTL);
    }
}
