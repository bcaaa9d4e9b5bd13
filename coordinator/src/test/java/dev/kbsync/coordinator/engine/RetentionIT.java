package dev.kbsync.coordinator.engine;

import static dev.kbsync.coordinator.engine.Coordinators.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kbsync.api.Assignment;
import dev.kbsync.api.Job;
import dev.kbsync.api.JobOutcome;
import dev.kbsync.api.JobPayload;
import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.coordinator.config.EngineConfig;
import dev.kbsync.coordinator.error.NotFoundException;
import dev.kbsync.coordinator.metrics.MetricsSink;
import dev.kbsync.coordinator.service.JobService;
import dev.kbsync.coordinator.service.LeaseService;
import dev.kbsync.coordinator.service.Restoration;
import dev.kbsync.redis.RespClient;
import dev.kbsync.testing.FaultProxy;
import dev.kbsync.testing.RedisContents;
import dev.kbsync.testing.RedisExtension;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Keys that never go away: finished jobs, ended leases, idempotency keys and journal ids restored onto a job are
 * forgotten after the retention (1 s here), a submit cut off half-way leaves nothing that never runs, and the list of
 * dispatchable jobs stays bounded while nobody polls.
 */
class RetentionIT {
    private static final Duration RETENTION = Duration.ofSeconds(1);

    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    Coordinators coordinators;
    JobService jobs;
    LeaseService leases;

    @BeforeEach
    void start() {
        coordinators = new Coordinators(redis);
        EngineConfig config = Coordinators.config("r1")
                .withLeaseTtl(Duration.ofMillis(500))
                .withJobs(new EngineConfig.Jobs(3, RETENTION));
        Engine engine = coordinators.start(config);
        coordinators.register(engine, "kept", "ready", "cut");
        jobs = engine.services().jobs();
        leases = engine.services().leases();
    }

    /** Each test on an empty Redis: a job one test leaves queued must not reach another test's poll. */
    @AfterEach
    void stop() {
        coordinators.close();
        RespClient.once(redis.port(), Duration.ofSeconds(2), "FLUSHALL");
    }

    @Test
    void shouldForgetFinishedJobsEndedLeasesAndIdempotencyKeysAfterTheRetention() {
        KbId kb = KbId.of("kept");
        Job job = await(jobs.submit(kb, "ann", note("short-lived"), Optional.of("idem-key-retained")));
        Job journaled = Coordinators.journaled(kb, "ann", note("short-lived"));
        await(jobs.restore(journaled, Optional.of("idem-key-retained"), "", Restoration.queued()));
        String journaledPart = journaled.id().substring(journaled.id().length() - 24);
        Assignment a = await(jobs.poll("w", Duration.ofSeconds(5))).orElseThrow();
        await(jobs.complete(job.id(), new JobOutcome.Done(a.lease().id(), "abc123", List.of(), 0)));
        Lease lease = await(leases.request(kb, "raw", Duration.ofSeconds(5)));
        await(leases.release(lease.id()));
        String ticket = lease.id().substring(lease.id().indexOf('~') + 1);
        String jobPart = job.id().substring(job.id().length() - 24);

        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(RedisContents.dump(redis.port()))
                        .noneMatch(entry -> entry.contains(jobPart)
                                || entry.contains(ticket)
                                || entry.contains(journaledPart)
                                || entry.contains("idem-key-retained")));
        assertThatThrownBy(() -> await(jobs.get(job.id()))).isInstanceOf(NotFoundException.class);
    }

    /**
     * An idempotency key names its job as long as the job's record is kept: a job that waits longer than the retention
     * (a KB backed up behind a long holder) is still the one a bot's repeated request answers, never a second job that
     * lands the note twice. So does the id a degraded coordinator's journal gave a retry of it (restored onto it).
     */
    @Test
    void shouldKeepAnIdempotencyKeyAndARestoredIdWhileTheirJobWaitsPastTheRetention() throws Exception {
        KbId kb = KbId.of("kept");
        Lease holder = await(leases.request(kb, "long holder", Duration.ofSeconds(30)));
        Job first = await(jobs.submit(kb, "ann", note("waits a long time"), Optional.of("idem-key-waiting")));
        Job journaled = Coordinators.journaled(kb, "ann", note("waits a long time"));
        assertThat(await(jobs.restore(journaled, Optional.of("idem-key-waiting"), "", Restoration.queued()))
                        .id())
                .isEqualTo(first.id());

        Thread.sleep(3 * RETENTION.toMillis()); // the job still waits behind the holder, past the retention

        assertThat(await(jobs.submit(kb, "ann", note("waits a long time"), Optional.of("idem-key-waiting")))
                        .id())
                .as("the repeated request answers the waiting job")
                .isEqualTo(first.id());
        assertThat(await(jobs.get(journaled.id())).id())
                .as("the journal's id still answers the job it was restored onto")
                .isEqualTo(first.id());
        await(leases.release(holder.id()));
        Assignment a = await(jobs.poll("w", Duration.ofSeconds(5))).orElseThrow();
        assertThat(a.job().id()).isEqualTo(first.id());
        assertThat(await(jobs.poll("w2", Duration.ofMillis(500)))
                        .map(again -> again.job().id())
                        .orElse(first.id()))
                .as("no second job (the first again once w's 500 ms grant lapsed without a heartbeat)")
                .isEqualTo(first.id());
    }

    @Test
    void shouldKeepTheReadyListBoundedWhileNoWorkerPolls() throws Exception {
        await(jobs.submit(KbId.of("ready"), "ann", note("nobody takes me"), Optional.empty()));

        Thread.sleep(4000); // the unclaimed grant lapses and is made again every 500 ms lease TTL

        assertThat(RedisContents.size(redis.port(), "kbsync:ready"))
                .as("entries of kbsync:ready for one granted job")
                .isLessThanOrEqualTo(1);
        assertThat(await(jobs.poll("w", Duration.ofSeconds(5)))).isPresent();
    }

    @Test
    void shouldLeaveNoJobThatNeverRunsWhenTheSubmittingCoordinatorDies() {
        try (FaultProxy proxy = FaultProxy.to(redis.port())) {
            JobService cut = coordinators
                    .start(Coordinators.config("cut"), MetricsSink.NONE, proxy.uri())
                    .engine()
                    .services()
                    .jobs();
            proxy.freezeAfter("half-submitted-note");
            cut.submit(KbId.of("cut"), "ann", note("half-submitted-note"), Optional.empty());
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(proxy::frozen);

            boolean stored = !RedisContents.mentioning(redis.port(), "half-submitted-note")
                    .isEmpty();
            Optional<Assignment> runs = await(jobs.poll("w", Duration.ofSeconds(3)));

            assertThat(runs.isPresent())
                    .as("a job stored by the cut-off submit is queued and runs")
                    .isEqualTo(stored);
            coordinators.kill(coordinators.size() - 1);
        }
    }

    private static JobPayload note(String text) {
        return new JobPayload.Note(text, null, null);
    }
}
