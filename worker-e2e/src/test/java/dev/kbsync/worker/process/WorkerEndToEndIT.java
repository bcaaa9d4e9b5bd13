package dev.kbsync.worker.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kbsync.api.Job;
import dev.kbsync.api.JobKind;
import dev.kbsync.api.KbId;
import dev.kbsync.api.NoteRequest;
import dev.kbsync.api.Worker;
import dev.kbsync.testing.RedisExtension;
import dev.kbsync.worker.apply.AgentCommand;
import dev.kbsync.worker.fixture.CoordinatorFixture;
import dev.kbsync.worker.fixture.GitFixture;
import dev.kbsync.worker.fixture.Scripts;
import dev.kbsync.worker.fixture.WorkerFixture;
import dev.kbsync.worker.run.Phase;
import dev.kbsync.worker.run.PhaseListener;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class WorkerEndToEndIT {
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    @TempDir
    Path tmp;

    private Vertx vertx;
    private final List<WorkerProcess> workers = new ArrayList<>();
    private CoordinatorFixture coordinator;

    @BeforeEach
    void setUp() {
        vertx = Vertx.vertx();
    }

    @AfterEach
    void tearDown() {
        workers.forEach(WorkerProcess::stop);
        if (coordinator != null) {
            coordinator.close();
        }
        CoordinatorFixture.await(vertx.close());
    }

    @Test
    void shouldSerializeTwoUsersWritingToTheSameKbAtTheSameMoment() {
        Path bare = tmp.resolve("team.git");
        coordinator = CoordinatorFixture.start(
                vertx, redis, Duration.ofSeconds(10), Map.of("team", GitFixture.bareRemote(bare)));
        startWorker("w1", Optional.empty(), PhaseListener.NONE);
        startWorker("w2", Optional.empty(), PhaseListener.NONE);

        CompletableFuture<Job> alice = CompletableFuture.supplyAsync(
                () -> coordinator.submitNote("team", "alice", "Alice's note", "From Alice"));
        CompletableFuture<Job> bob =
                CompletableFuture.supplyAsync(() -> coordinator.submitNote("team", "bob", "Bob's note", "From Bob"));
        List<String> ids = List.of(alice.join().id(), bob.join().id());
        coordinator.awaitDone(ids);

        List<RevCommit> history = GitFixture.history(bare);
        assertThat(history).hasSize(3);
        RevCommit second = history.get(0);
        RevCommit first = history.get(1);
        assertThat(second.getParent(0)).isEqualTo(first);
        assertThat(List.of(
                        GitFixture.trailers(first).get("Kbsync-Job"),
                        GitFixture.trailers(second).get("Kbsync-Job")))
                .containsExactlyInAnyOrderElementsOf(ids);
        assertThat(Long.parseLong(GitFixture.trailers(second).get("Kbsync-Fence")))
                .isGreaterThan(Long.parseLong(GitFixture.trailers(first).get("Kbsync-Fence")));
        assertThat(coordinator.job(ids.get(0)).commit()).isIn(first.name(), second.name());
        assertThat(coordinator.job(ids.get(0)).files()).hasSize(1);
    }

    @Test
    void shouldLandAJobWhenSomeoneElsePushesDuringIt() {
        Path bare = tmp.resolve("race.git");
        String remote = GitFixture.bareRemote(bare);
        coordinator = CoordinatorFixture.start(vertx, redis, Duration.ofSeconds(10), Map.of("race", remote));
        AtomicBoolean raced = new AtomicBoolean();
        startWorker("w1", Optional.empty(), (phase, id) -> {
            if (phase == Phase.APPLIED && raced.compareAndSet(false, true)) {
                GitFixture.pushDirectly(remote, tmp.resolve("other"), "direct.md", "direct\n");
            }
        });

        String id = coordinator.submitNote("race", "alice", "racing", "Race").id();
        coordinator.awaitDone(List.of(id));

        assertThat(GitFixture.history(bare))
                .extracting(RevCommit::getShortMessage)
                .containsExactly("Add: Race", "Direct: direct.md", "Initial commit");
        assertThat(GitFixture.commitsForJob(bare, id)).isEqualTo(1);
        // the worker counts its report once the coordinator answered it, which can be after the job reads done
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(workers.get(0).metrics().prometheus())
                        .contains("kbsync_worker_push_rejections_total 1"));
    }

    @Test
    void shouldReportTheFilesAnAgentCreatedEditedAndDeleted() throws IOException {
        Path bare = tmp.resolve("agent.git");
        String remote = GitFixture.bareRemote(bare);
        GitFixture.pushDirectly(remote, tmp.resolve("seed"), "old.md", "old\n");
        coordinator = CoordinatorFixture.start(vertx, redis, Duration.ofSeconds(10), Map.of("agentkb", remote));
        Files.createDirectories(tmp.resolve("scripts"));
        startWorker(
                "w1",
                Optional.of(Scripts.agent(
                        tmp.resolve("scripts"),
                        "agent",
                        "cat > task.md; echo more >> README.md; rm old.md; echo 'Wrote it down.'; echo noise >&2",
                        Duration.ofSeconds(60))),
                PhaseListener.NONE);

        awaitAgentWorker("w1");
        String id = coordinator
                .submitAgentTask("agentkb", "carol", "write the task down")
                .id();
        coordinator.awaitDone(List.of(id));

        Job job = coordinator.job(id);
        assertThat(job.files().stream()
                        .map(f -> f.path() + ":" + f.change().name().toLowerCase(Locale.ROOT)))
                .containsExactlyInAnyOrder("task.md:created", "README.md:edited", "old.md:deleted");
        assertThat(GitFixture.history(bare).get(0).getShortMessage()).isEqualTo("Agent task: write the task down");
        assertThat(job.result()).as("the agent's stdout, next to the files").isEqualTo("Wrote it down.");
    }

    @Test
    void shouldReturnTheAnswerOfAnAgentThatChangesNothingAsASuccess() throws IOException {
        Path bare = tmp.resolve("answer.git");
        String remote = GitFixture.bareRemote(bare);
        coordinator = CoordinatorFixture.start(vertx, redis, Duration.ofSeconds(10), Map.of("answers", remote));
        Files.createDirectories(tmp.resolve("scripts"));
        startWorker(
                "w1",
                Optional.of(Scripts.agent(
                        tmp.resolve("scripts"),
                        "agent",
                        "cat > /dev/null; printf 'There are 2 notes.\\nBoth are about standups.\\n'",
                        Duration.ofSeconds(60))),
                PhaseListener.NONE);
        int commits = GitFixture.history(bare).size();

        awaitAgentWorker("w1");
        String id = coordinator
                .submitAgentTask("answers", "carol", "how many notes?")
                .id();
        coordinator.awaitDone(List.of(id));

        Job job = coordinator.job(id);
        assertThat(job.state().wire()).isEqualTo("done");
        assertThat(job.commit()).isNull();
        assertThat(job.files()).isEmpty();
        assertThat(job.result()).isEqualTo("There are 2 notes.\nBoth are about standups.");
        assertThat(GitFixture.history(bare)).hasSize(commits);
    }

    @Test
    void shouldRefuseANoteWhosePathDiffersOnlyInCaseFromAFileOfTheKb() {
        Path bare = tmp.resolve("case.git");
        String remote = GitFixture.bareRemote(bare);
        GitFixture.pushDirectly(remote, tmp.resolve("other"), "readme.md", "existing\n");
        coordinator = CoordinatorFixture.start(vertx, redis, Duration.ofSeconds(10), Map.of("case", remote));
        startWorker("w1", Optional.empty(), PhaseListener.NONE);

        String twin = submitNote("case", "README.MD");
        String exact = submitNote("case", "readme.md");
        await().atMost(Duration.ofSeconds(60))
                .until(() -> List.of(twin, exact).stream()
                        .allMatch(id -> List.of("done", "failed").contains(coordinator.jobState(id))));

        assertThat(coordinator.jobState(exact)).isEqualTo("done");
        assertThat(coordinator.jobState(twin)).isEqualTo("failed");
        assertThat(coordinator.job(twin).error().code()).isEqualTo("PATH_CASE_CONFLICT");
        assertThat(coordinator.job(twin).error().message()).contains("'README.MD'", "'readme.md'");
        assertThat(GitFixture.jobs(bare)).containsExactly(exact);
    }

    private String submitNote(String kb, String path) {
        return coordinator
                .client()
                .submitNote(
                        KbId.of(kb), NoteRequest.of("alice", "text for " + path).withPath(path))
                .id();
    }

    @Test
    void shouldRefuseAnAgentThatLinksOutOfTheKbAndCommitNothing() throws IOException {
        Path bare = tmp.resolve("escape.git");
        coordinator = CoordinatorFixture.start(
                vertx, redis, Duration.ofSeconds(10), Map.of("escape", GitFixture.bareRemote(bare)));
        Files.createDirectories(tmp.resolve("scripts"));
        startWorker(
                "w1",
                Optional.of(Scripts.agent(
                        tmp.resolve("scripts"),
                        "agent",
                        "echo ok > fine.md; ln -s /tmp outside",
                        Duration.ofSeconds(60))),
                PhaseListener.NONE);

        awaitAgentWorker("w1");
        String id = coordinator.submitAgentTask("escape", "mallory", "escape").id();

        await().atMost(Duration.ofSeconds(60))
                .until(() -> coordinator.jobState(id).equals("failed"));
        assertThat(coordinator.job(id).error().code()).isEqualTo("AGENT_UNSAFE_CHANGE");
        assertThat(GitFixture.history(bare)).hasSize(1);
    }

    /**
     * A job its worker's stop cuts short before its push reports WORKER_SHUTDOWN and goes back to its place (nothing
     * was published): another worker lands it.
     */
    @Test
    void shouldQueueAgainAJobStillRunningAfterTheGracePeriodForAnotherWorkerToLand() throws Exception {
        Path bare = tmp.resolve("stop.git");
        coordinator = CoordinatorFixture.start(
                vertx, redis, Duration.ofSeconds(10), Map.of("stop", GitFixture.bareRemote(bare)));
        java.util.concurrent.CountDownLatch applied = new java.util.concurrent.CountDownLatch(1);
        WorkerProcess slow = WorkerFixture.start(
                vertx,
                WorkerFixture.config(
                        coordinator.url(),
                        "slow",
                        tmp.resolve("cache-slow"),
                        1,
                        Optional.empty(),
                        Duration.ofSeconds(8)), // the drain ends after 6 s, the whole stop's bound at 8 s
                (phase, id) -> {
                    if (phase == Phase.APPLIED) {
                        applied.countDown();
                        sleep(Duration.ofSeconds(7));
                    }
                });
        String id = coordinator.submitNote("stop", "alice", "slow", "Slow").id();
        assertThat(applied.await(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

        slow.stop();

        assertThat(coordinator.jobState(id)).isEqualTo("queued");
        assertThat(GitFixture.commitsForJob(bare, id)).isZero();
        WorkerProcess next = WorkerFixture.start(
                vertx,
                WorkerFixture.config(
                        coordinator.url(),
                        "next",
                        tmp.resolve("cache-next"),
                        1,
                        Optional.empty(),
                        Duration.ofSeconds(8)),
                PhaseListener.NONE);
        try {
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> coordinator.jobState(id).equals("done"));
            assertThat(GitFixture.commitsForJob(bare, id)).isEqualTo(1);
        } finally {
            next.stop();
        }
    }

    @Test
    void shouldStopARunningAgentWhenTheGracePeriodIsOver() throws Exception {
        Path bare = tmp.resolve("agentstop.git");
        coordinator = CoordinatorFixture.start(
                vertx, redis, Duration.ofSeconds(10), Map.of("agentstop", GitFixture.bareRemote(bare)));
        Path pidFile = tmp.resolve("agent.pid");
        AgentCommand agent = Scripts.agent(
                tmp, "long", "echo $$ > " + pidFile + "\nsleep 120\necho late > late.md", Duration.ofMinutes(4));
        WorkerProcess worker = WorkerFixture.start(
                vertx,
                WorkerFixture.config(
                        coordinator.url(),
                        "stopping",
                        tmp.resolve("cache-stopping"),
                        1,
                        Optional.of(agent),
                        Duration.ofSeconds(4)), // the drain ends after 3 s; 1 s left to kill the agent and report
                PhaseListener.NONE);
        awaitAgentWorker("stopping");
        String id = coordinator
                .submitAgentTask("agentstop", "carol", "take your time")
                .id();
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(pidFile) && Files.size(pidFile) > 0);
        long pid = Long.parseLong(Files.readString(pidFile).trim());

        long started = System.nanoTime();
        worker.stop();
        Duration stopping = Duration.ofNanos(System.nanoTime() - started);

        assertThat(stopping)
                .as("the stop ends the agent, not the other way round")
                .isLessThan(Duration.ofSeconds(30));
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                .as("the agent was killed")
                .isFalse();
        assertThat(coordinator.jobState(id))
                .as("queued again, for another worker")
                .isEqualTo("queued");
        assertThat(GitFixture.history(bare)).hasSize(1);
    }

    /**
     * Waits until the coordinator knows worker {@code id} runs agents: until then, with the notes-only workers of
     * earlier tests still remembered (one Redis for the class), an agent task is refused with NO_AGENT_WORKER.
     */
    private void awaitAgentWorker(String id) {
        await().atMost(Duration.ofSeconds(30))
                .until(() -> coordinator.client().workers().workers().stream()
                        .anyMatch(w -> w.id().equals(id)
                                && w.state() == Worker.State.UP
                                && w.presence().kinds().contains(JobKind.AGENT)));
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private WorkerProcess startWorker(String id, Optional<AgentCommand> agent, PhaseListener listener) {
        WorkerProcess worker = WorkerFixture.start(
                vertx, WorkerFixture.config(coordinator.url(), id, tmp.resolve("cache-" + id), 1, agent), listener);
        workers.add(worker);
        return worker;
    }
}
