package dev.kbsync.coordinator.engine;

import static dev.kbsync.coordinator.engine.Coordinators.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.Assignment;
import dev.kbsync.api.Job;
import dev.kbsync.api.JobOutcome;
import dev.kbsync.api.JobPayload;
import dev.kbsync.api.JobState;
import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.config.EngineConfig;
import dev.kbsync.coordinator.service.JobService;
import dev.kbsync.testing.RedisExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.redisson.api.RScoredSortedSet;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * Worker affinity on the real engine: a KB's next job goes to the worker that released its last grant while that worker
 * polls again within the window; a preferred worker that is gone or busy delays nobody beyond the window. The window
 * is long here (1 s) so that a loaded machine cannot make a worker miss it; the default is 50 ms.
 */
class AffinityIT {
    private static final Duration WINDOW = Duration.ofSeconds(1);

    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    static Coordinators coordinators;
    static JobService jobs;
    static ExecutorService threads = Executors.newCachedThreadPool();

    @BeforeAll
    static void start() {
        coordinators = new Coordinators(redis);
        // A slow sweep: it would put the KBs of grants not claimed yet back on the ready set at random moments
        // (entries that a worker finds stale), and so make which KB a poll finds first depend on timing.
        Engine engine = coordinators.start(new EngineConfig(
                        "c1",
                        Duration.ofSeconds(10),
                        Duration.ofSeconds(20),
                        Duration.ofSeconds(3),
                        Duration.ofMillis(1500),
                        Duration.ofSeconds(10))
                .withJobs(new EngineConfig.Jobs(3, Duration.ofHours(1), WINDOW)));
        coordinators.register(engine, "hot", "gone", "busy", "other");
        jobs = engine.services().jobs();
    }

    @AfterAll
    static void stop() {
        threads.shutdownNow();
        coordinators.close();
    }

    @Test
    void shouldKeepGivingTheKbToTheWorkerThatReleasedItWhileItPollsAgainInOrder() throws Exception {
        KbId kb = KbId.of("hot");
        int count = 12;
        List<Job> queued = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            queued.add(submit(kb, "n" + i));
        }
        List<String> takers = new CopyOnWriteArrayList<>();
        List<String> order = new CopyOnWriteArrayList<>();
        List<Assignment> grants = new CopyOnWriteArrayList<>();
        AtomicInteger done = new AtomicInteger();
        List<CompletableFuture<Void>> loops = List.of("wa", "wb").stream()
                .map(worker -> CompletableFuture.runAsync(
                        () -> {
                            while (done.get() < count) {
                                Optional<Assignment> got = await(jobs.poll(worker, Duration.ofMillis(500)));
                                if (got.isPresent()) {
                                    takers.add(worker);
                                    order.add(got.get().job().id());
                                    grants.add(got.get());
                                    complete(got.get());
                                    done.incrementAndGet();
                                }
                            }
                        },
                        threads))
                .toList();
        CompletableFuture.allOf(loops.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);

        assertThat(order).as("affinity never reorders a KB's jobs").containsExactlyElementsOf(ids(queued));
        assertThat(takers)
                .as("the worker that released the KB takes it again while it polls within the window, though the"
                        + " other worker waits in a poll the whole time")
                .containsOnly(takers.get(0));
        for (int i = 1; i < grants.size(); i++) {
            assertThat(grants.get(i).previousFencingToken())
                    .as("each grant carries the KB's token before it: the previous grant's")
                    .isEqualTo(grants.get(i - 1).lease().fencingToken());
        }
    }

    @Test
    void shouldGiveTheJobToAnyWorkerAfterTheWindowWhenThePreferredWorkerIsGone() throws Exception {
        KbId kb = KbId.of("gone");
        Job first = submit(kb, "first");
        Assignment taken = await(jobs.poll("leaving", Duration.ofSeconds(5))).orElseThrow();
        assertThat(taken.job().id()).isEqualTo(first.id());
        Job second = submit(kb, "second");
        CompletableFuture<Optional<Assignment>> other =
                CompletableFuture.supplyAsync(() -> await(jobs.poll("staying", Duration.ofSeconds(8))), threads);
        Thread.sleep(100); // the other worker's poll waits in the engine

        long released = System.nanoTime();
        complete(taken); // and "leaving" never polls again
        Assignment next = other.get(20, TimeUnit.SECONDS).orElseThrow();
        long tookMs = (System.nanoTime() - released) / 1_000_000;

        assertThat(next.job().id()).isEqualTo(second.id());
        assertThat(next.previousFencingToken())
                .as("the other worker learns from its grant that somebody else held the KB last")
                .isEqualTo(taken.lease().fencingToken());
        assertThat(tookMs)
                .as("the grant waited for the gone worker at most the window, not the other's poll deadline")
                .isLessThan(WINDOW.toMillis() + 4000);
        complete(next);
    }

    @Test
    void shouldGiveTheJobToAnyWorkerAtOnceWhenThePreferredWorkerTookAnotherJob() throws Exception {
        KbId kb = KbId.of("busy");
        Job first = submit(kb, "first");
        Assignment taken =
                await(jobs.poll("busy-worker", Duration.ofSeconds(5))).orElseThrow();
        assertThat(taken.job().id()).isEqualTo(first.id());
        Job second = submit(kb, "second");
        Job elsewhere = submit(KbId.of("other"), "elsewhere"); // ready for any poll, nobody polls yet
        // the grant's entry in the ready set is added right after the submit's step: wait for it, on a loaded machine
        RedissonClient probe = coordinators.client(Coordinators.config("ready-probe"));
        try {
            RScoredSortedSet<String> ready = probe.getScoredSortedSet("kbsync:ready", StringCodec.INSTANCE);
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> ready.contains("other"));
        } finally {
            probe.shutdown();
        }

        complete(taken); // "busy" is offered to busy-worker for the window ...
        Assignment otherJob =
                await(jobs.poll("busy-worker", Duration.ofSeconds(5))).orElseThrow();
        assertThat(otherJob.job().id())
                .as("a KB already waiting in the ready set comes before the one the worker is preferred for")
                .isEqualTo(elsewhere.id());
        // ... and loses it at once: it is busy now. A poll shorter than the window gets it.
        Optional<Assignment> next = await(jobs.poll("idle-worker", WINDOW.dividedBy(2)));

        assertThat(next).isPresent();
        assertThat(next.get().job().id()).isEqualTo(second.id());
        complete(next.get());
        complete(otherJob);
        assertThat(await(jobs.get(second.id())).state()).isEqualTo(JobState.DONE);
    }

    private static Job submit(KbId kb, String text) {
        return await(jobs.submit(kb, "ann", new JobPayload.Note(text, null, null), Optional.empty()));
    }

    private static void complete(Assignment a) {
        await(jobs.complete(
                a.job().id(),
                new JobOutcome.Done(a.lease().id(), "c" + a.lease().fencingToken(), List.of(), 0)));
    }

    private static List<String> ids(List<Job> queued) {
        return queued.stream().map(Job::id).toList();
    }
}
