package dev.kbsync.coordinator.engine;

import static dev.kbsync.coordinator.engine.Coordinators.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.Assignment;
import dev.kbsync.api.Job;
import dev.kbsync.api.JobKind;
import dev.kbsync.api.JobOutcome;
import dev.kbsync.api.JobPayload;
import dev.kbsync.api.JobState;
import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.config.EngineConfig;
import dev.kbsync.coordinator.service.JobService;
import dev.kbsync.testing.RedisExtension;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.redisson.api.RScoredSortedSet;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * A job goes only to a worker that runs its kind: a worker without an agent (it polls for note jobs only) never takes
 * an agent task, which waits at the head of its KB for a worker that runs agents, whoever polls first, whichever worker
 * the KB would be offered to (affinity), and whatever stale entry a ready set holds.
 */
class JobKindsIT {
    private static final Set<JobKind> NOTES = EnumSet.of(JobKind.NOTE);
    private static final Set<JobKind> ALL = EnumSet.allOf(JobKind.class);
    private static final Duration WINDOW = Duration.ofSeconds(3);

    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    static Coordinators coordinators;
    static JobService jobs;
    static ExecutorService threads = Executors.newCachedThreadPool();

    @BeforeAll
    static void start() {
        coordinators = new Coordinators(redis);
        Engine engine = coordinators.start(new EngineConfig(
                        "c1",
                        Duration.ofSeconds(10),
                        Duration.ofSeconds(20),
                        Duration.ofSeconds(3),
                        Duration.ofMillis(250),
                        Duration.ofSeconds(10))
                .withJobs(new EngineConfig.Jobs(3, Duration.ofHours(1), WINDOW)));
        coordinators.register(engine, "agents", "notes", "sticky", "stale", "first", "second", "stale-older", "newer");
        jobs = engine.services().jobs();
    }

    @AfterAll
    static void stop() {
        threads.shutdownNow();
        coordinators.close();
    }

    @Test
    void shouldHandAnAgentTaskOnlyToAWorkerThatRunsAgents() throws Exception {
        Job task = submit(KbId.of("agents"), new JobPayload.Agent("summarize"));

        assertThat(await(jobs.poll("plain", Duration.ofMillis(1500), NOTES)))
                .as("a worker without an agent finds nothing to do")
                .isEmpty();
        Job note = submit(KbId.of("notes"), note("hello"));
        Assignment plain =
                await(jobs.poll("plain", Duration.ofSeconds(5), NOTES)).orElseThrow();
        assertThat(plain.job().id()).as("it takes note jobs of other KBs").isEqualTo(note.id());
        assertThat(await(jobs.get(task.id())).state()).isEqualTo(JobState.QUEUED);

        Assignment agent =
                await(jobs.poll("runner", Duration.ofSeconds(5), ALL)).orElseThrow();
        assertThat(agent.job().id()).isEqualTo(task.id());
        complete(plain);
        complete(agent);
        assertThat(await(jobs.get(task.id())).attempts())
                .as("the worker without an agent never claimed it")
                .isEqualTo(1);
    }

    @Test
    void shouldNotOfferAnAgentTaskToThePreferredWorkerWhenItRunsNoAgents() throws Exception {
        KbId kb = KbId.of("sticky");
        submit(kb, note("first"));
        Assignment first =
                await(jobs.poll("plain-sticky", Duration.ofSeconds(5), NOTES)).orElseThrow();
        Job task = submit(kb, new JobPayload.Agent("then this"));
        CompletableFuture<Optional<Assignment>> runner = CompletableFuture.supplyAsync(
                () -> await(jobs.poll("runner-sticky", Duration.ofSeconds(10), ALL)), threads);
        Thread.sleep(200); // the runner's poll waits in the engine

        long released = System.nanoTime();
        complete(first); // plain-sticky released the KB just now: the KB's preferred worker, expected to poll again
        Assignment next = runner.get(20, TimeUnit.SECONDS).orElseThrow();
        long tookMs = (System.nanoTime() - released) / 1_000_000;

        assertThat(next.job().id()).isEqualTo(task.id());
        assertThat(tookMs)
                .as("the agent task was not held for the preferred worker's affinity window")
                .isLessThan(WINDOW.toMillis());
        complete(next);
    }

    @Test
    void shouldMoveAStaleReadyEntryOfAnAgentTaskToTheAgentsSet() throws Exception {
        KbId kb = KbId.of("stale");
        Job task = submit(kb, new JobPayload.Agent("stale entry"));
        RedissonClient probe = coordinators.client(Coordinators.config("stale-probe"));
        try {
            RScoredSortedSet<String> notes = leaveInTheNoteSet(probe, "stale");

            assertThat(await(jobs.poll("plain-stale", Duration.ofMillis(500), NOTES)))
                    .isEmpty();
            assertThat(notes.contains("stale")).isFalse();
            assertThat(await(jobs.get(task.id())).state()).isEqualTo(JobState.QUEUED);
            Assignment agent =
                    await(jobs.poll("runner-stale", Duration.ofSeconds(5), ALL)).orElseThrow();
            assertThat(agent.job().id()).isEqualTo(task.id());
            assertThat(await(jobs.get(task.id())).attempts()).isEqualTo(1);
            complete(agent);
        } finally {
            probe.shutdown();
        }
    }

    /** A stale entry moved to its kind's set keeps its place there: the KB granted earlier is handed out first. */
    @Test
    void shouldKeepTheOrderOfGrantsWhenAStaleEntryMovesToItsKindsSet() throws Exception {
        Job older = submit(KbId.of("stale-older"), new JobPayload.Agent("granted first"));
        RedissonClient probe = coordinators.client(Coordinators.config("stale-order-probe"));
        try {
            leaveInTheNoteSet(probe, "stale-older");
            RScoredSortedSet<String> agents = agentSet(probe);
            Thread.sleep(50);
            Job newer = submit(KbId.of("newer"), new JobPayload.Agent("granted second"));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> agents.contains("newer"));
            Thread.sleep(50);

            assertThat(await(jobs.poll("plain-order", Duration.ofMillis(500), NOTES)))
                    .as("the note worker finds the stale entry and moves it to the agent set")
                    .isEmpty();
            assertThat(agents.contains("stale-older")).isTrue();

            Assignment one =
                    await(jobs.poll("runner-order", Duration.ofSeconds(5), ALL)).orElseThrow();
            Assignment two = await(jobs.poll("runner-order-2", Duration.ofSeconds(5), ALL))
                    .orElseThrow();
            assertThat(List.of(one.job().id(), two.job().id()))
                    .as("in the order their KBs were granted")
                    .containsExactly(older.id(), newer.id());
            complete(one);
            complete(two);
        } finally {
            probe.shutdown();
        }
    }

    @Test
    void shouldGiveAWorkerThatRunsEveryKindTheKbThatBecameReadyFirst() throws Exception {
        Job agentFirst = submit(KbId.of("first"), new JobPayload.Agent("older"));
        Thread.sleep(50);
        Job noteSecond = submit(KbId.of("second"), note("newer"));
        RedissonClient probe = coordinators.client(Coordinators.config("order-probe"));
        try {
            RScoredSortedSet<String> notes = probe.getScoredSortedSet("kbsync:ready", StringCodec.INSTANCE);
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> notes.contains("second"));
        } finally {
            probe.shutdown();
        }

        Assignment one = await(jobs.poll("both", Duration.ofSeconds(5), ALL)).orElseThrow();
        Assignment two = await(jobs.poll("both-2", Duration.ofSeconds(5), ALL)).orElseThrow();

        assertThat(List.of(one.job().id(), two.job().id())).containsExactly(agentFirst.id(), noteSecond.id());
        complete(one);
        complete(two);
    }

    /**
     * Moves the agent-task grant of {@code kb} from the agent set to the note set, as a stale entry an earlier note grant
     * of the KB could leave behind; the note set.
     */
    private static RScoredSortedSet<String> leaveInTheNoteSet(RedissonClient probe, String kb) {
        RScoredSortedSet<String> notes = probe.getScoredSortedSet("kbsync:ready", StringCodec.INSTANCE);
        RScoredSortedSet<String> agents = agentSet(probe);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> agents.contains(kb));
        agents.remove(kb);
        notes.add(0, kb);
        return notes;
    }

    private static RScoredSortedSet<String> agentSet(RedissonClient probe) {
        return probe.getScoredSortedSet("{kbsync:ready}:agent", StringCodec.INSTANCE);
    }

    private static JobPayload note(String text) {
        return new JobPayload.Note(text, null, null);
    }

    private static Job submit(KbId kb, JobPayload payload) {
        return await(jobs.submit(kb, "ann", payload, Optional.empty()));
    }

    private static void complete(Assignment a) {
        await(jobs.complete(
                a.job().id(),
                new JobOutcome.Done(
                        a.lease().id(), String.format("%040x", a.lease().fencingToken()), List.of(), 0)));
    }
}
