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
import dev.kbsync.coordinator.engine.redis.KbKeys;
import dev.kbsync.coordinator.service.JobService;
import dev.kbsync.testing.RedisExtension;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.redisson.api.RLock;
import org.redisson.api.RScoredSortedSet;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * Which KB a polling worker gets when several KBs' jobs wait for one: the KB whose job has waited longest, a place the
 * job keeps whatever befalls its grant before a worker runs it (given back unrun by a stopping worker, found lapsed by a
 * poll before the sweep made it again), so that it is not passed over by KBs that became ready later. A job that had a
 * worker and lost it waits anew, behind the KBs that waited meanwhile.
 */
class ReadyOrderIT {
    private static final Duration TTL = Duration.ofSeconds(2);
    private static final long RAW_THREAD = 42;

    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    static Coordinators coordinators;
    static JobService jobs;
    static RedissonClient probe;

    @BeforeAll
    static void start() {
        coordinators = new Coordinators(redis);
        Engine engine = coordinators.start(new EngineConfig(
                "c1",
                TTL,
                Duration.ofSeconds(30),
                Duration.ofSeconds(3),
                Duration.ofSeconds(10),
                Duration.ofMillis(250)));
        coordinators.register(
                engine,
                "given-back",
                "came-later",
                "lapsed",
                "came-later-too",
                "unswept",
                "came-after-it",
                "held-by-redisson",
                "ready-meanwhile");
        jobs = engine.services().jobs();
        probe = coordinators.client(Coordinators.config("ready-probe"));
    }

    @AfterAll
    static void stop() {
        probe.shutdown();
        coordinators.close();
    }

    @Test
    void shouldKeepTheTurnOfAJobAStoppingWorkerGaveBackUnrun() {
        Job first = submit("given-back");
        Job later = submit("came-later");
        Assignment taken = await(jobs.poll("stopping", Duration.ofSeconds(5))).orElseThrow();
        assertThat(taken.job().id()).isEqualTo(first.id());

        assertThat(await(jobs.giveBack("stopping", taken))).isTrue();
        awaitReady("given-back");

        Assignment next = await(jobs.poll("w2", Duration.ofSeconds(5))).orElseThrow();
        assertThat(next.job().id())
                .as("the job given back became ready before the other KB's")
                .isEqualTo(first.id());
        completeWithTheOther(next, "w2", later);
    }

    @Test
    void shouldPutAJobWhoseWorkerWentSilentBehindTheKbsThatWaitedMeanwhile() {
        Job first = submit("lapsed");
        Double firstPlace = readySet().getScore("lapsed");
        Assignment taken = await(jobs.poll("gone", Duration.ofSeconds(5))).orElseThrow();
        assertThat(taken.job().id()).isEqualTo(first.id());
        Job later = submit("came-later-too"); // ready now, while "gone" holds the first job and never beats
        // a stale entry at the first job's old place, as the sweep leaves one when it adds a KB back while a poll that
        // took it claims it
        readySet().add(firstPlace, "lapsed");

        Awaitility.await()
                .atMost(TTL.multipliedBy(5))
                .alias("the first job granted again after its grant lapsed, at a new place")
                .until(() -> {
                    Job now = await(jobs.get(first.id()));
                    Double place = readySet().getScore("lapsed");
                    return now.state() == JobState.QUEUED && now.attempts() == 1 && place != null && place > firstPlace;
                });

        Assignment next = await(jobs.poll("w2", Duration.ofSeconds(5))).orElseThrow();
        assertThat(next.job().id())
                .as("the other KB's job waited while the first one had a worker")
                .isEqualTo(later.id());
        completeWithTheOther(next, "w2", first);
    }

    /**
     * A poll that finds the oldest ready KB's grant lapsed but not yet ended by the sweep (at most a pass, about a
     * second, after its expiry) does not take a later KB meanwhile: it waits for the sweep to grant that job again.
     */
    @Test
    void shouldWaitForTheOldestJobsGrantToBeMadeAgainWhenAPollFindsItLapsed() {
        Job first = submit("unswept");
        Job later = submit("came-after-it");
        // the grant lapses now; the sweep ends it and grants the job again at its next pass of the KB
        probe.getMap(new KbKeys(KbId.of("unswept")).prefix() + "lease", StringCodec.INSTANCE)
                .put("expires", "1");

        Assignment next = await(jobs.poll("w3", Duration.ofSeconds(5))).orElseThrow();
        assertThat(next.job().id())
                .as("the job whose grant the poll found lapsed became ready before the other KB's")
                .isEqualTo(first.id());
        completeWithTheOther(next, "w3", later);
    }

    /**
     * A poll waiting for a lapsed grant to be made again goes on as usual at the first ready event that is another
     * KB's: when the sweep cannot grant the job again (a Redisson client queued behind the grant takes the KB's lock
     * once the sweep ends it), the poll takes the other KB at once instead of sitting out its wait (2 s).
     */
    @Test
    void shouldTakeAnotherKbAtItsReadyEventWhenTheLapsedGrantIsNotMadeAgain() throws Exception {
        KbId held = KbId.of("held-by-redisson");
        Job blocked = submit(held.value());
        RLock raw = probe.getFairLock(new KbKeys(held).lock());
        raw.lockAsync(30, TimeUnit.SECONDS, RAW_THREAD);
        Awaitility.await()
                .atMost(Duration.ofSeconds(5))
                .alias("the Redisson client queued behind the job's grant")
                .until(() -> probe.getList("redisson_lock_queue:" + new KbKeys(held).lock(), StringCodec.INSTANCE)
                                .size()
                        > 0);
        probe.getMap(new KbKeys(held).prefix() + "lease", StringCodec.INSTANCE).put("expires", "1");

        long began = System.nanoTime();
        CompletableFuture<Optional<Assignment>> poll =
                jobs.poll("w4", Duration.ofSeconds(10)).toCompletionStage().toCompletableFuture();
        Awaitility.await()
                .atMost(Duration.ofSeconds(5))
                .alias("the sweep ended the lapsed grant and the Redisson client took the lock")
                .until(() -> raw.isHeldByThread(RAW_THREAD));
        assertThat(poll)
                .as("the poll found the grant lapsed and waits for it to be made again")
                .isNotDone();
        CompletableFuture<Long> answeredAt = poll.thenApply(x -> System.nanoTime());
        // the grant lapses at the TTL (2 s) unless its worker beats: the other KB's job is submitted, not awaited
        Job other = await(jobs.submit(
                KbId.of("ready-meanwhile"), "ann", new JobPayload.Note("a note", null, null), Optional.empty()));

        Assignment next = poll.get(10, TimeUnit.SECONDS).orElseThrow();
        assertThat(next.job().id()).as("the KB that became ready meanwhile").isEqualTo(other.id());
        assertThat(Duration.ofNanos(answeredAt.get() - began))
                .as("taken at its ready event, not after the poll's wait for the lapsed grant (2 s)")
                .isLessThan(Duration.ofMillis(1900));

        complete(next);
        raw.forceUnlock(); // the sweep grants the job again
        complete(await(jobs.poll("w4", Duration.ofSeconds(10))).orElseThrow());
        assertThat(await(jobs.get(blocked.id())).state()).isEqualTo(JobState.DONE);
    }

    /** Runs {@code next}, then the other job waiting, to their ends: the next test finds no job waiting. */
    private static void completeWithTheOther(Assignment next, String worker, Job other) {
        complete(next);
        complete(await(jobs.poll(worker, Duration.ofSeconds(5))).orElseThrow());
        assertThat(await(jobs.get(other.id())).state()).isEqualTo(JobState.DONE);
    }

    private static void awaitReady(String kb) {
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> readySet().contains(kb));
    }

    private static RScoredSortedSet<String> readySet() {
        return probe.getScoredSortedSet("kbsync:ready", StringCodec.INSTANCE);
    }

    private static Job submit(String kb) {
        Job job = await(jobs.submit(KbId.of(kb), "ann", new JobPayload.Note("a note", null, null), Optional.empty()));
        awaitReady(kb);
        return job;
    }

    private static void complete(Assignment a) {
        await(jobs.complete(
                a.job().id(),
                new JobOutcome.Done(
                        a.lease().id(), String.format("%040x", a.lease().fencingToken()), List.of(), 0)));
    }
}
