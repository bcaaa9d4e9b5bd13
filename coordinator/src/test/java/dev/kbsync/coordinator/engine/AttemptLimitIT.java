package dev.kbsync.coordinator.engine;

import static dev.kbsync.coordinator.engine.Coordinators.await;
import static dev.kbsync.coordinator.engine.Coordinators.sleep;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.Assignment;
import dev.kbsync.api.Job;
import dev.kbsync.api.JobPayload;
import dev.kbsync.api.JobState;
import dev.kbsync.api.KbId;
import dev.kbsync.api.RecentJobs;
import dev.kbsync.coordinator.config.EngineConfig;
import dev.kbsync.coordinator.error.ConflictException;
import dev.kbsync.coordinator.service.JobService;
import dev.kbsync.coordinator.service.LeaseService;
import dev.kbsync.coordinator.service.QueueService;
import dev.kbsync.redis.RespClient;
import dev.kbsync.testing.RedisExtension;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A job whose grants keep ending without an outcome (its worker goes silent, or overruns the maximum hold while
 * heartbeating) is retried only {@code maxAttempts} times (3 by default), then fails with a clear error code, and the
 * KB moves on to the next job within one lease TTL.
 */
class AttemptLimitIT {
    private static final Duration LEASE_TTL = Duration.ofMillis(1000);
    private static final Duration MAX_HOLD = Duration.ofMillis(2000);

    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    Coordinators coordinators;
    JobService jobs;
    LeaseService leases;
    QueueService queues;

    @BeforeEach
    void start() {
        coordinators = new Coordinators(redis);
        Engine engine = coordinators.start(new EngineConfig(
                "a1", LEASE_TTL, MAX_HOLD, Duration.ofSeconds(3), Duration.ofMillis(1500), Duration.ofMillis(100)));
        coordinators.register(engine, "overrun", "silent", "unlisted");
        jobs = engine.services().jobs();
        leases = engine.services().leases();
        queues = engine.services().queues();
    }

    /** Each test on an empty Redis: a job one test leaves queued must not reach another test's poll. */
    @AfterEach
    void stop() {
        coordinators.close();
        RespClient.once(redis.port(), Duration.ofSeconds(2), "FLUSHALL");
    }

    @Test
    void shouldFailAJobThatOverrunsTheMaximumHoldOnEveryAttemptAndStartTheNext() {
        KbId kb = KbId.of("overrun");
        Job slow = await(jobs.submit(kb, "ann", note("takes forever"), Optional.empty()));
        Job next = await(jobs.submit(kb, "ann", note("next"), Optional.empty()));

        long lost = 0;
        for (int attempt = 1; attempt <= 3; attempt++) {
            Assignment a = poll();
            assertThat(a.job().id()).as("attempt " + attempt).isEqualTo(slow.id());
            assertThat(a.job().attempts()).isEqualTo(attempt);
            lost = heartbeatUntilLost(a);
        }

        Assignment after = poll();
        long startedMs = (System.nanoTime() - lost) / 1_000_000;
        org.slf4j.LoggerFactory.getLogger(AttemptLimitIT.class)
                .info(
                        "next job started {} ms after the last overrun (lease TTL {} ms)",
                        startedMs,
                        LEASE_TTL.toMillis());
        assertThat(after.job().id()).isEqualTo(next.id());
        assertThat(startedMs).as("ms from the last overrun to the next job").isLessThan(LEASE_TTL.toMillis());
        Job failed = await(jobs.get(slow.id()));
        assertThat(failed.state()).isEqualTo(JobState.FAILED);
        assertThat(failed.error().code()).isEqualTo("MAX_HOLD_EXCEEDED");
        assertThat(failed.attempts()).isEqualTo(3);
    }

    @Test
    void shouldNameWhatTheLastOverrunningAttemptWasDoing() {
        Job job = await(jobs.submit(KbId.of("overrun"), "ann", note("an agent that never ends"), Optional.empty()));

        heartbeatUntilLost(poll(), Optional.of("committing"));
        heartbeatUntilLost(poll(), Optional.of("syncing with https://git.example.com/team.git"));
        heartbeatUntilLost(poll(), Optional.of("running the agent"));

        Job failed = failed(job);
        assertThat(failed.error().code()).isEqualTo("MAX_HOLD_EXCEEDED");
        assertThat(failed.error().message())
                .isEqualTo("no outcome within the maximum hold of 2 s on each of 3 attempts;"
                        + " the last one was running the agent");
    }

    @Test
    void shouldNotNameWhatAnEarlierAttemptWasDoingWhenTheLastSaidNothing() {
        Job job = await(jobs.submit(KbId.of("overrun"), "ann", note("an older worker last"), Optional.empty()));

        heartbeatUntilLost(poll(), Optional.of("running the agent"));
        heartbeatUntilLost(poll(), Optional.empty()); // an older worker
        heartbeatUntilLost(poll(), Optional.of("")); // blank: says nothing

        assertThat(failed(job).error().message())
                .isEqualTo("no outcome within the maximum hold of 2 s on each of 3 attempts");
    }

    @Test
    void shouldNameWhatTheLastSilentWorkerSaidItWasDoing() {
        Job job = await(jobs.submit(KbId.of("silent"), "ann", note("its worker dies in the push"), Optional.empty()));
        String push = "in the push to https://git.example.com/team.git or the sync after it";

        for (int attempt = 1; attempt <= 3; attempt++) {
            Assignment a = poll();
            await(leases.heartbeat(a.lease().id(), Optional.of(attempt < 3 ? "committing" : push)));
        }

        Job failed = failed(job);
        assertThat(failed.error().code()).isEqualTo("LEASE_EXPIRED");
        assertThat(failed.error().message()).endsWith("; the last one was, at its last heartbeat, " + push);
    }

    @Test
    void shouldNotNameWhatAWorkerThatGaveTheJobBackWasDoing() {
        Job job = await(jobs.submit(KbId.of("silent"), "ann", note("given back, then lost"), Optional.empty()));
        poll(); // two silent attempts
        poll();
        Assignment stopping = poll();
        await(leases.heartbeat(stopping.lease().id(), Optional.of("waiting for the KB's local lock")));
        assertThat(await(jobs.giveBack("w", stopping))).isTrue();
        Assignment last = poll(); // the same grant, claimed again under a new lease; its worker goes silent at once
        assertThat(last.job().id()).isEqualTo(job.id());
        assertThat(last.lease().id())
                .as("the lease given back is lost")
                .isNotEqualTo(stopping.lease().id());

        assertThat(failed(job).error().message())
                .as("the worker that gave the job back did not run its last attempt")
                .isEqualTo("the worker went silent (lease expired) on each of 3 attempts");
    }

    @Test
    void shouldFailAJobWhoseWorkersGoSilentOnEveryAttempt() {
        KbId kb = KbId.of("silent");
        Job job = await(jobs.submit(kb, "ann", note("nobody reports me"), Optional.empty()));

        for (int attempt = 1; attempt <= 3; attempt++) {
            Assignment a = poll();
            assertThat(a.job().id()).as("attempt " + attempt).isEqualTo(job.id());
        }

        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .until(() -> await(jobs.get(job.id())).state() == JobState.FAILED);
        Job failed = await(jobs.get(job.id()));
        assertThat(failed.error().code()).isEqualTo("LEASE_EXPIRED");
        assertThat(await(jobs.poll("w", Duration.ofMillis(1500)))).isEmpty();
        RecentJobs recent = await(queues.recent(kb));
        assertThat(recent.jobs())
                .as("a job the sweep failed is among the KB's recent jobs")
                .containsExactly(failed);
        assertThat(recent.failures()).containsExactly(failed);
    }

    @Test
    void shouldNotCountGrantsEndedByAReleaseOrAnAdminAsAttempts() {
        KbId kb = KbId.of("silent");
        Job job = await(jobs.submit(kb, "ann", note("released twice, then lost once"), Optional.empty()));
        Assignment first = poll();
        await(leases.release(first.lease().id())); // through the lease API
        poll();
        await(leases.forceRelease(kb)); // by an admin

        Assignment third = poll(); // and its worker goes silent
        assertThat(third.job().attempts()).as("only this claim counts").isEqualTo(1);
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .until(() -> await(jobs.get(job.id())).state() != JobState.RUNNING);
        assertThat(await(jobs.get(job.id())).state())
                .as("one lapse of three allowed: queued again, not failed")
                .isEqualTo(JobState.QUEUED);
    }

    @Test
    void shouldGiveBackAClaimWhosePollFailedAfterIt() {
        KbId kb = KbId.of("unlisted");
        Job job = await(jobs.submit(kb, "ann", note("claimed, never handed out"), Optional.empty()));
        // the poll's read of where the KB lives, after its claim, fails (as a registry shard that does not answer)
        RespClient.once(redis.port(), Duration.ofSeconds(2), "HDEL", "kbsync:kbs", "unlisted");

        assertThat(await(jobs.poll("w", Duration.ofMillis(500))))
                .as("the poll is answered without a job, not failed")
                .isEmpty();

        Job after = await(jobs.get(job.id()));
        assertThat(after.state()).as("no worker has it").isEqualTo(JobState.QUEUED);
        assertThat(after.attempts()).as("no attempt was made").isZero();
    }

    /** Heartbeats like a live worker whose agent never finishes; returns System.nanoTime() when the lease was lost. */
    private long heartbeatUntilLost(Assignment a) {
        return heartbeatUntilLost(a, Optional.empty());
    }

    /** {@link #heartbeatUntilLost(Assignment)}, each heartbeat saying {@code doing}. */
    private long heartbeatUntilLost(Assignment a, Optional<String> doing) {
        long giveUp = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < giveUp) {
            try {
                await(leases.heartbeat(a.lease().id(), doing));
            } catch (ConflictException lost) {
                return System.nanoTime();
            }
            sleep(200);
        }
        throw new AssertionError("the overrunning grant was never ended");
    }

    /** The job once the sweep failed it (a heartbeat may find a grant lapsed before the sweep ends it). */
    private Job failed(Job job) {
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .until(() -> await(jobs.get(job.id())).state() == JobState.FAILED);
        return await(jobs.get(job.id()));
    }

    private Assignment poll() {
        return await(jobs.poll("w", Duration.ofSeconds(10))).orElseThrow();
    }

    private static JobPayload note(String text) {
        return new JobPayload.Note(text, null, null);
    }
}
