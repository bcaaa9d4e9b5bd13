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
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Agents that must stop, against a real coordinator with short holds: one that sleeps past the grant's maximum hold is
 * killed with its process tree before each deadline, nothing is pushed, the job ends MAX_HOLD_EXCEEDED after its
 * attempts and the KB's next job starts within one lease TTL; one whose lease is taken away is killed at once.
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
    private Path bare;
    private Path pids;

    @BeforeEach
    void setUp() {
        vertx = Vertx.vertx();
        bare = tmp.resolve("team.git");
        pids = tmp.resolve("agent-pids");
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
    void shouldKillAnAgentThatOverrunsTheMaximumHoldAndMoveOn() {
        start(Map.of("KBSYNC_LEASE_MAX_HOLD_SECONDS", "4", "KBSYNC_JOBS_MAX_ATTEMPTS", "2"), "");

        Job overrun = coordinator.submitAgentTask("team", "alice", "think for two minutes");
        Job next = coordinator.submitNote("team", "bob", "after the overrun", "Next");

        await().atMost(Duration.ofSeconds(40))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> coordinator.jobState(overrun.id()).equals("failed"));
        Job failed = coordinator.job(overrun.id());
        assertThat(failed.error().code()).isEqualTo("MAX_HOLD_EXCEEDED");
        assertThat(failed.error().message())
                .as("what the worker was doing when the hold ran out")
                .endsWith("; the last one was running the agent");
        assertThat(failed.attempts()).isEqualTo(2);
        List<Long> agents = agentPids();
        assertThat(agents).hasSize(4); // two attempts, an agent and its child each
        awaitAllDead(agents, Duration.ofSeconds(5));
        assertThat(GitFixture.commitsForJob(bare, overrun.id())).isZero();

        await().atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> coordinator.jobState(next.id()).equals("done"));
        Duration gap =
                Duration.between(failed.finishedAt(), coordinator.job(next.id()).startedAt());
        System.out.println("next job started " + gap.toMillis() + " ms after the overrun ended");
        assertThat(gap).isLessThanOrEqualTo(TTL);
    }

    @Test
    void shouldKillTheAgentAtOnceWhenItsLeaseIsLost() {
        // the agent's second run (after the lost lease) finishes at once without changes
        start(Map.of(), "[ -e " + tmp.resolve("ran-once") + " ] && exit 0; touch " + tmp.resolve("ran-once") + ";");

        Job job = coordinator.submitAgentTask("team", "alice", "think for two minutes");
        await().atMost(Duration.ofSeconds(20)).until(() -> agentPids().size() == 2);
        List<Long> agents = agentPids();
        Instant lost = Instant.now();
        coordinator.forceRelease("team");

        awaitAllDead(agents, TTL.plusSeconds(3)); // the next heartbeat (every TTL/3) finds the lease gone
        System.out.println(
                "agent killed " + Duration.between(lost, Instant.now()).toMillis() + " ms after its lease");
        await().atMost(Duration.ofSeconds(20))
                .until(() -> coordinator.jobState(job.id()).equals("done"));
        assertThat(GitFixture.commitsForJob(bare, job.id())).isZero();
        assertThat(coordinator.job(job.id()).attempts())
                .as("the admin's force-release ended the first attempt: it does not count")
                .isEqualTo(1);
    }

    /**
     * With a note agent, a group commit takes along only as many notes as their agent runs (each up to its timeout) fit
     * in the grant: five notes queued behind each other, each agent run 2 s of a 3.5 s timeout, in 11 s grants (12 s
     * hold less the margin, capped at half the 2 s TTL), all land on their first attempt. A batch of all five (16 by default) overran the
     * grant, was abandoned, and formed again until every note in it failed MAX_HOLD_EXCEEDED.
     */
    @Test
    void shouldTakeAlongOnlyTheNotesWhoseNoteAgentRunsFitInTheGrant() {
        coordinator = CoordinatorFixture.start(
                vertx,
                redis,
                TTL,
                Map.of("team", GitFixture.bareRemote(bare)),
                Map.of("KBSYNC_LEASE_MAX_HOLD_SECONDS", "12", "KBSYNC_JOBS_MAX_ATTEMPTS", "2"));
        List<Job> notes = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            notes.add(coordinator.submitNote("team", "ann", "note " + i, "Note " + i));
        }
        AgentCommand noteAgent =
                // 1.5 s to spare: a loaded full run took more than 0.5 s to start the agent (AGENT_TIMEOUT)
                new AgentCommand(List.of("sh", "-c", "sleep 2; cat >> notes.md"), Duration.ofMillis(3_500));
        worker = WorkerFixture.start(
                vertx,
                WorkerFixture.withNoteAgent(
                        WorkerFixture.config(coordinator.url(), "w1", tmp.resolve("cache"), 1, Optional.empty()),
                        noteAgent,
                        Duration.ofSeconds(12)),
                PhaseListener.NONE);

        for (Job note : notes) {
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> !coordinator.jobState(note.id()).matches("queued|running"));
            Job ended = coordinator.job(note.id());
            assertThat(ended.state().wire()).as("%s", ended).isEqualTo("done");
            assertThat(ended.attempts()).as("%s", ended).isEqualTo(1);
        }
    }

    /**
     * A KB whose local lock another process holds (a slot of this worker stuck in a git call that never returns, or
     * another tool) keeps a job's slot only until its lease's deadline, not for the lock's own 300 s: the slot then
     * serves other KBs.
     */
    @Test
    void shouldNotWaitForAKbsLocalLockPastTheLeasesDeadline() throws Exception {
        Path otherBare = tmp.resolve("other.git");
        coordinator = CoordinatorFixture.start(
                vertx,
                redis,
                TTL,
                Map.of("team", GitFixture.bareRemote(bare), "other", GitFixture.bareRemote(otherBare)),
                Map.of("KBSYNC_LEASE_MAX_HOLD_SECONDS", "4", "KBSYNC_JOBS_MAX_ATTEMPTS", "1"));
        Path cache = tmp.resolve("cache");
        worker = WorkerFixture.start(
                vertx, WorkerFixture.config(coordinator.url(), "w1", cache, 1, Optional.empty()), PhaseListener.NONE);
        Path held = tmp.resolve("held.log");
        Process holder = new ProcessBuilder(dev.kbsync.testing.ChildJvm.command(
                        List.of(),
                        "dev.kbsync.lock.LockContenderMain",
                        List.of(Files.createDirectories(cache.resolve("team")).toString(), held.toString(), "0", "0")))
                .redirectErrorStream(true)
                .redirectOutput(tmp.resolve("holder.out").toFile())
                .start();
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(held));
            Job blocked = coordinator.submitNote("team", "alice", "behind a held lock", "Blocked");
            Job other = coordinator.submitNote("other", "bob", "another KB", "Other");

            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> coordinator.jobState(other.id()).equals("done"));
            assertThat(coordinator.jobState(blocked.id())).isNotEqualTo("done");
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> coordinator.jobState(blocked.id()).equals("failed"));
            assertThat(coordinator.job(blocked.id()).error().message())
                    .endsWith("; the last one was waiting for the KB's local lock");
        } finally {
            holder.destroyForcibly().waitFor();
        }
    }

    /**
     * Coordinator with {@code settings}, a KB warmed up with one note (its checkout cached, so an agent starts at once),
     * one worker whose agent runs {@code prelude}, records its pid and its child's, then sleeps far past any hold.
     */
    private void start(Map<String, String> settings, String prelude) {
        coordinator =
                CoordinatorFixture.start(vertx, redis, TTL, Map.of("team", GitFixture.bareRemote(bare)), settings);
        AgentCommand sleeper = new AgentCommand(
                List.of(
                        "sh",
                        "-c",
                        prelude + " echo $$ >> " + pids + "; sleep 120 & echo $! >> " + pids
                                + "; echo busy > f.md; wait"),
                Duration.ofSeconds(60));
        worker = WorkerFixture.start(
                vertx,
                WorkerFixture.config(coordinator.url(), "w1", tmp.resolve("cache"), 1, Optional.of(sleeper)),
                PhaseListener.NONE);
        Job warm = coordinator.submitNote("team", "carol", "warm-up", "Warm-up");
        await().atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> coordinator.jobState(warm.id()).equals("done"));
    }

    private List<Long> agentPids() {
        try {
            return Files.exists(pids)
                    ? Files.readAllLines(pids).stream()
                            .map(String::strip)
                            .filter(l -> !l.isEmpty())
                            .map(Long::parseLong)
                            .toList()
                    : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void awaitAllDead(List<Long> pids, Duration within) {
        await().atMost(within)
                .pollInterval(Duration.ofMillis(50))
                .until(() -> pids.stream()
                        .noneMatch(pid -> ProcessHandle.of(pid)
                                .map(ProcessHandle::isAlive)
                                .orElse(false)));
    }
}
